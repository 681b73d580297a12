// Package kafkaconn owns the settings of a connection to a Kafka cluster
// (brokers, client id, TLS, SASL) and their translation into franz-go
// options. The Kafka output and the Kafka source both embed Conn; it lives
// here, below both, so neither imports the other.
package kafkaconn

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/vigilsiem/vigil/internal/config"
)

// Conn are the settings of a connection to a Kafka cluster, shared by the
// Kafka output and the Kafka source.
type Conn struct {
	// Brokers are host:port seed brokers; at least one.
	Brokers []string `yaml:"brokers"`
	// ClientID names Vigil to the brokers. Default: vigil.
	ClientID string `yaml:"client_id"`
	// TLS encrypts the connections (and authenticates with a client
	// certificate when one is set).
	TLS config.ClientTLS `yaml:"tls"`
	// SASL authenticates with a user name and password.
	SASL SASL `yaml:"sasl"`
	// DialTimeout bounds a connection attempt. Default: 10s.
	DialTimeout config.Duration `yaml:"dial_timeout"`
}

// SASL are SASL credentials. Mechanism is PLAIN, SCRAM-SHA-256 or
// SCRAM-SHA-512; the password comes from Password or, better, from the
// first line of PasswordFile.
type SASL struct {
	Mechanism    string `yaml:"mechanism"`
	Username     string `yaml:"username"`
	Password     string `yaml:"password"`
	PasswordFile string `yaml:"password_file"`
}

// DefaultDialTimeout bounds a connection attempt: long enough for a TLS
// handshake across a WAN, short enough that a dead broker is noticed.
const DefaultDialTimeout = 10 * time.Second

// Validate checks the settings and fills defaults.
func (c *Conn) Validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("kafka: brokers: at least one is required")
	}
	for _, b := range c.Brokers {
		if _, _, err := net.SplitHostPort(b); err != nil {
			return fmt.Errorf("kafka: broker %q: %w", b, err)
		}
	}
	if c.ClientID == "" {
		c.ClientID = "vigil"
	}
	if c.DialTimeout == 0 {
		c.DialTimeout = config.Duration(DefaultDialTimeout)
	}
	if err := c.TLS.Validate(); err != nil {
		return fmt.Errorf("kafka: %w", err)
	}
	s := c.SASL
	switch strings.ToUpper(s.Mechanism) {
	case "":
		if s.Username != "" || s.Password != "" || s.PasswordFile != "" {
			return errors.New("kafka: sasl: mechanism is required with credentials")
		}
	case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		if s.Username == "" {
			return errors.New("kafka: sasl: username is required")
		}
		if (s.Password == "") == (s.PasswordFile == "") {
			return errors.New("kafka: sasl: set one of password and password_file")
		}
	default:
		return fmt.Errorf("kafka: sasl: mechanism %q: want PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", s.Mechanism)
	}
	return nil
}

// Options returns the franz-go client options for the connection.
func (c *Conn) Options() ([]kgo.Opt, error) {
	opts := []kgo.Opt{kgo.SeedBrokers(c.Brokers...), kgo.ClientID(c.ClientID), kgo.DialTimeout(c.DialTimeout.D())}
	tc, err := c.TLS.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if tc != nil {
		opts = append(opts, kgo.DialTLSConfig(tc))
	}
	if m, err := c.SASL.mechanism(); err != nil {
		return nil, err
	} else if m != nil {
		opts = append(opts, kgo.SASL(m))
	}
	return opts, nil
}

func (s SASL) mechanism() (sasl.Mechanism, error) {
	if s.Mechanism == "" {
		return nil, nil
	}
	pass := s.Password
	if s.PasswordFile != "" {
		b, err := os.ReadFile(s.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("kafka: sasl: read password file: %w", err)
		}
		pass, _, _ = strings.Cut(string(b), "\n")
		pass = strings.TrimRight(pass, "\r")
	}
	switch strings.ToUpper(s.Mechanism) {
	case "PLAIN":
		return plain.Auth{User: s.Username, Pass: pass}.AsMechanism(), nil
	case "SCRAM-SHA-256":
		return scram.Auth{User: s.Username, Pass: pass}.AsSha256Mechanism(), nil
	case "SCRAM-SHA-512":
		return scram.Auth{User: s.Username, Pass: pass}.AsSha512Mechanism(), nil
	}
	return nil, fmt.Errorf("kafka: sasl: mechanism %q unknown", s.Mechanism)
}
