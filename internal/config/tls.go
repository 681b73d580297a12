package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// TLS configures TLS on a listener. TLS is on when CertFile is set.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ClientCAFile, when set, makes the listener verify client certificates
	// against these CAs; ClientAuth says whether one is required.
	ClientCAFile string `yaml:"client_ca_file"`
	// ClientAuth is "none", "request" (verify if given) or "require".
	// Default: "require" when ClientCAFile is set, else "none".
	ClientAuth string `yaml:"client_auth"`
	// MinVersion is "1.2" (default) or "1.3".
	MinVersion string `yaml:"min_version"`
}

// Enabled reports whether TLS is configured.
func (t TLS) Enabled() bool { return t.CertFile != "" }

// Validate checks the settings without reading the files.
func (t TLS) Validate() error {
	if (t.CertFile == "") != (t.KeyFile == "") {
		return errors.New("tls: cert_file and key_file must be set together")
	}
	if !t.Enabled() && (t.ClientCAFile != "" || t.ClientAuth != "") {
		return errors.New("tls: client_ca_file and client_auth need cert_file and key_file")
	}
	switch t.ClientAuth {
	case "", "none", "request", "require":
	default:
		return fmt.Errorf("tls: client_auth %q: want none, request or require", t.ClientAuth)
	}
	if (t.ClientAuth == "request" || t.ClientAuth == "require") && t.ClientCAFile == "" {
		return fmt.Errorf("tls: client_auth %s needs client_ca_file", t.ClientAuth)
	}
	switch t.MinVersion {
	case "", "1.2", "1.3":
	default:
		return fmt.Errorf("tls: min_version %q: want 1.2 or 1.3", t.MinVersion)
	}
	return nil
}

// ServerConfig loads the certificates and returns a server tls.Config, or
// nil when TLS is not enabled.
func (t TLS) ServerConfig() (*tls.Config, error) {
	if !t.Enabled() {
		return nil, nil
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("load tls key pair %s: %w", t.CertFile, err)
	}
	c := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	if t.MinVersion == "1.3" {
		c.MinVersion = tls.VersionTLS13
	}
	if t.ClientCAFile != "" {
		pem, err := os.ReadFile(t.ClientCAFile)
		if err != nil {
			return nil, fmt.Errorf("read client ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read client ca %s: no PEM certificates", t.ClientCAFile)
		}
		c.ClientCAs = pool
		switch t.ClientAuth {
		case "request":
			c.ClientAuth = tls.VerifyClientCertIfGiven
		default:
			c.ClientAuth = tls.RequireAndVerifyClientCert
		}
	}
	return c, nil
}
