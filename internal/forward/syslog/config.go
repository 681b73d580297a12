package syslog

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/forward"
)

// Protocols, formats and message bodies.
const (
	ProtoTCP = "tcp"
	ProtoTLS = "tls"
	ProtoUDP = "udp"

	FormatRFC5424 = "rfc5424"
	FormatRFC3164 = "rfc3164"

	FramingOctet = "octet-counting"
	FramingLF    = "lf"

	MessageJSON     = "json"
	MessageOriginal = "original"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultSDID names Vigil's structured-data element. 32473 is the
	// enterprise number RFC 5612 reserves for documentation; set sd_id to
	// your own enterprise's number where receivers care.
	DefaultSDID = "vigil@32473"
	// DefaultAppName is APP-NAME (5424) and TAG (3164).
	DefaultAppName = "vigil"
	// DefaultFacility is local0 (16): receivers file SIEM forwards apart
	// from the system's own logs.
	DefaultFacility = 16
	// DefaultSeverity is informational (6), for events without their own
	// (log.syslog.severity.code).
	DefaultSeverity = 6
	// DefaultTimeout bounds a connection attempt and a batch's write.
	DefaultTimeout = 10 * time.Second
	// MaxUDPMessage is the largest datagram payload over IPv4.
	MaxUDPMessage = 65507
)

// Config is a "syslog" output in vigil.yaml.
type Config struct {
	config.OutputCommon `yaml:",inline"`
	// Address is the receiver, host:port.
	Address string `yaml:"address"`
	// Protocol is tcp (default), tls or udp.
	Protocol string `yaml:"protocol"`
	// TLS settings for protocol tls.
	TLS config.ClientTLS `yaml:"tls"`
	// Format is rfc5424 (default) or rfc3164 (the BSD format, for old
	// receivers; usually with udp).
	Format string `yaml:"format"`
	// Framing over TCP and TLS: octet-counting (RFC 6587 §3.4.1, RFC 5425;
	// the default) or lf (a newline after each message).
	Framing string `yaml:"framing"`
	// Message is the MSG part: json (default: the event as a flat JSON
	// object) or original (event.original, or the message when it has
	// none; rfc5424 only, where the event.id travels in structured data).
	Message string `yaml:"message"`
	// AppName, Facility (0-23) and Severity (0-7, for events without a
	// log.syslog.severity.code) fill the header. SDID names the structured
	// data element holding event.id, tenant and source.
	AppName  string `yaml:"app_name"`
	Facility *int   `yaml:"facility"`
	Severity *int   `yaml:"severity"`
	SDID     string `yaml:"sd_id"`
	// Timeout bounds connecting and writing a batch. Default: 10s.
	Timeout config.Duration `yaml:"timeout"`
}

func init() {
	config.RegisterOutput("syslog", func() config.OutputConfig { return &Config{} })
}

// CommonOutput implements config.OutputConfig.
func (c *Config) CommonOutput() *config.OutputCommon { return &c.OutputCommon }

// Validate implements config.OutputConfig.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Address); err != nil {
		return fmt.Errorf("syslog: address %q: %w", c.Address, err)
	}
	if c.Protocol == "" {
		c.Protocol = ProtoTCP
		if c.TLS.On() {
			c.Protocol = ProtoTLS
		}
	}
	switch c.Protocol {
	case ProtoTCP, ProtoUDP:
		if c.TLS.On() {
			return fmt.Errorf("syslog: protocol %s: tls settings need protocol tls", c.Protocol)
		}
	case ProtoTLS:
		c.TLS.Enabled = true
		if err := c.TLS.Validate(); err != nil {
			return fmt.Errorf("syslog: %w", err)
		}
	default:
		return fmt.Errorf("syslog: protocol %q: want tcp, tls or udp", c.Protocol)
	}
	switch c.Format {
	case "":
		c.Format = FormatRFC5424
	case FormatRFC5424, FormatRFC3164:
	default:
		return fmt.Errorf("syslog: format %q: want rfc5424 or rfc3164", c.Format)
	}
	switch c.Framing {
	case "":
		c.Framing = FramingOctet
	case FramingOctet, FramingLF:
	default:
		return fmt.Errorf("syslog: framing %q: want octet-counting or lf", c.Framing)
	}
	switch c.Message {
	case "":
		c.Message = MessageJSON
	case MessageJSON:
	case MessageOriginal:
		if c.Format != FormatRFC5424 {
			return errors.New("syslog: message original needs format rfc5424, whose structured data carries event.id")
		}
	default:
		return fmt.Errorf("syslog: message %q: want json or original", c.Message)
	}
	if c.AppName == "" {
		c.AppName = DefaultAppName
	}
	if len(c.AppName) > 48 || !printable(c.AppName) {
		return fmt.Errorf("syslog: app_name %q: want 1-48 printable ASCII characters without spaces", c.AppName)
	}
	if c.Facility == nil {
		f := DefaultFacility
		c.Facility = &f
	}
	if c.Severity == nil {
		s := DefaultSeverity
		c.Severity = &s
	}
	if *c.Facility < 0 || *c.Facility > 23 || *c.Severity < 0 || *c.Severity > 7 {
		return errors.New("syslog: facility must be 0-23 and severity 0-7")
	}
	if c.SDID == "" {
		c.SDID = DefaultSDID
	}
	if name, num, ok := strings.Cut(c.SDID, "@"); !ok || name == "" || !printable(c.SDID) || len(c.SDID) > 32 ||
		strings.ContainsAny(c.SDID, `="]`) || !digits(num) {
		return fmt.Errorf("syslog: sd_id %q: want NAME@ENTERPRISE-NUMBER (RFC 5424 §7.2.2)", c.SDID)
	}
	if c.Timeout == 0 {
		c.Timeout = config.Duration(DefaultTimeout)
	}
	if c.Timeout < 0 {
		return errors.New("syslog: timeout must be positive")
	}
	return nil
}

func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 33 || s[i] > 126 {
			return false
		}
	}
	return true
}

func digits(s string) bool {
	_, err := strconv.ParseUint(strings.ReplaceAll(s, ".", ""), 10, 64)
	return err == nil && s != "" && s[0] != '.' && s[len(s)-1] != '.'
}

// NewOutput implements forward.Builder.
func (c *Config) NewOutput(env forward.BuildEnv) (forward.Output, error) { return New(*c, env) }
