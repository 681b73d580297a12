package syslog

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Limits and defaults, with the reasoning behind them.
const (
	// DefaultMaxMessageBytes: RFC 5425 and RFC 6587 receivers should take
	// at least 2 KiB, rsyslog's default maxMessageSize is 8 KiB and
	// syslog-ng's log-msg-size 64 KiB; 64 KiB keeps Windows events and
	// Java stack traces whole while bounding a connection's buffer.
	DefaultMaxMessageBytes = 64 << 10
	// MinMaxMessageBytes is the 480 bytes every receiver must accept
	// (RFC 5426 §3.2); MaxMaxMessageBytes keeps a buffer per connection
	// reasonable.
	MinMaxMessageBytes = 480
	MaxMaxMessageBytes = 16 << 20
	// DefaultMaxConnections bounds open TCP/TLS connections. Each holds a
	// buffer of about max_message_bytes + 32 KiB: ~100 MiB at the defaults,
	// far more senders than one relay-fed SIEM listener sees.
	DefaultMaxConnections = 1024
	// DefaultMaxConnectionsPerPeer bounds the TCP/TLS connections of one
	// sender address, so that one sender, or an attacker holding idle
	// connections, cannot take the listener from the others: rsyslog and
	// syslog-ng keep one connection per forwarding action, a relay a few.
	DefaultMaxConnectionsPerPeer = 32
	// DefaultIdleTimeout closes a connection that sent nothing for an hour.
	// It is long on purpose: rsyslog and syslog-ng keep one connection open
	// through quiet periods, and a sender that finds its connection closed
	// may lose the message it was sending. TCP keep-alives already catch
	// peers that vanished; this only reclaims idle ones.
	DefaultIdleTimeout = time.Hour
	// PartialFlush is how long a connection may be quiet before an
	// unterminated LF-framed message buffered from it is handed on: short,
	// so the last message of a sender that omits the final LF is searchable
	// within the 2 s target; long enough that a message split across TCP
	// segments is not cut in two by ordinary network jitter.
	PartialFlush = 500 * time.Millisecond
	// HandshakeTimeout bounds a TLS handshake, so a client that connects and
	// sends nothing cannot hold a connection slot through it.
	HandshakeTimeout = 10 * time.Second
	// DefaultReceiveBuffer is the UDP socket receive buffer asked for: 8 MiB
	// absorbs ~50 ms of a 1 Gbit/s burst while the pipeline pushes back.
	// Linux caps it at net.core.rmem_max (raise that sysctl to get it all).
	DefaultReceiveBuffer = 8 << 20
	// DrainTimeout bounds how long Run waits, after its context ended, for
	// the messages already read to be taken by the pipeline.
	DrainTimeout = 10 * time.Second
)

// Protocols.
const (
	ProtoUDP = "udp"
	ProtoTCP = "tcp"
	ProtoTLS = "tls"
)

// Config is a "syslog" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	// Protocol is udp, tcp or tls. Default: udp, or tls when tls.cert_file
	// is set.
	Protocol string `yaml:"protocol"`
	// Listen is host:port. Default: 127.0.0.1:5514 (loopback unless
	// configured).
	Listen string `yaml:"listen"`
	// TLS is required for protocol tls and refused otherwise.
	TLS config.TLS `yaml:"tls"`
	// MaxMessageBytes cuts longer TCP/TLS messages (counted as discards).
	// Default: 64KiB. UDP datagrams are taken whole.
	MaxMessageBytes config.ByteSize `yaml:"max_message_bytes"`
	// MaxConnections bounds concurrent TCP/TLS connections; more are
	// closed at once and counted as errors. Default: 1024.
	MaxConnections int `yaml:"max_connections"`
	// MaxConnectionsPerPeer bounds concurrent TCP/TLS connections from
	// one IP address; more are closed at once and counted as errors.
	// Default: 32.
	MaxConnectionsPerPeer int `yaml:"max_connections_per_peer"`
	// IdleTimeout closes a TCP/TLS connection quiet for this long. Default: 1h.
	IdleTimeout config.Duration `yaml:"idle_timeout"`
	// ReceiveBufferBytes is the UDP socket receive buffer. Default: 8MiB.
	ReceiveBufferBytes config.ByteSize `yaml:"receive_buffer_bytes"`
}

func init() {
	config.RegisterSource("syslog", func() config.SourceConfig { return &Config{} })
}

// DefaultSources returns the sources Vigil runs when vigil.yaml names none:
// syslog over UDP and over TCP on 127.0.0.1:5514.
func DefaultSources() []config.Source {
	mk := func(name, proto string) config.Source {
		c := &Config{SourceCommon: config.SourceCommon{Name: name, Type: "syslog"}, Protocol: proto, Listen: config.DefaultSyslogListen}
		return config.Source{SourceConfig: c}
	}
	return []config.Source{mk("syslog-udp", ProtoUDP), mk("syslog-tcp", ProtoTCP)}
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig: it checks the settings and fills
// the defaults.
func (c *Config) Validate() error {
	if c.Protocol == "" {
		c.Protocol = ProtoUDP
		if c.TLS.Enabled() {
			c.Protocol = ProtoTLS
		}
	}
	switch c.Protocol {
	case ProtoUDP, ProtoTCP:
		if c.TLS.Enabled() || c.TLS != (config.TLS{}) {
			return fmt.Errorf("protocol %s: tls settings need protocol tls", c.Protocol)
		}
	case ProtoTLS:
		if !c.TLS.Enabled() {
			return errors.New("protocol tls: tls.cert_file and tls.key_file are required")
		}
		if err := c.TLS.Validate(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("protocol %q: want udp, tcp or tls", c.Protocol)
	}
	if c.Listen == "" {
		c.Listen = config.DefaultSyslogListen
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		return fmt.Errorf("listen %q: %w", c.Listen, err)
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxMessageBytes < MinMaxMessageBytes || c.MaxMessageBytes > MaxMaxMessageBytes {
		return fmt.Errorf("max_message_bytes %d: want %d to %d", c.MaxMessageBytes, MinMaxMessageBytes, MaxMaxMessageBytes)
	}
	if c.MaxConnections == 0 {
		c.MaxConnections = DefaultMaxConnections
	}
	if c.MaxConnections < 0 {
		return errors.New("max_connections must not be negative")
	}
	if c.MaxConnectionsPerPeer == 0 {
		c.MaxConnectionsPerPeer = DefaultMaxConnectionsPerPeer
	}
	if c.MaxConnectionsPerPeer < 0 {
		return errors.New("max_connections_per_peer must not be negative")
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = config.Duration(DefaultIdleTimeout)
	}
	if c.IdleTimeout < config.Duration(time.Second) {
		return fmt.Errorf("idle_timeout %s: want at least 1s", c.IdleTimeout)
	}
	if c.ReceiveBufferBytes == 0 {
		c.ReceiveBufferBytes = DefaultReceiveBuffer
	}
	if c.ReceiveBufferBytes < 0 {
		return errors.New("receive_buffer_bytes must not be negative")
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}
