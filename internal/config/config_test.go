package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/syslog"
)

func TestDefaults(t *testing.T) {
	c, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.DataDir != "./data" || c.HTTP.Listen != "127.0.0.1:8080" || c.Storage.Retention.MaxAge.D() != 30*24*time.Hour ||
		c.Storage.HotBytes != 256<<20 || c.Storage.CompressionLevel != 9 || c.HTTP.Ingest.Tenant != "default" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestParse(t *testing.T) {
	c, err := config.Parse([]byte(`
data_dir: /var/lib/vigil
http:
  listen: 0.0.0.0:8443
auth:
  allow_anonymous: true
sources:
  - name: fw
    type: syslog
    protocol: tcp
    listen: 0.0.0.0:6514
    tenant: acme
    format: cef
    timezone: Europe/Paris
  - name: csvfiles
    type: syslog
    format: csv
    csv_header: [a, b]
    csv_delimiter: ";"
storage:
  retention: {max_age: 7d, max_bytes: 80GB}
  tenants:
    acme: {max_age: 90d}
`))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 2 {
		t.Fatalf("sources = %d", len(c.Sources))
	}
	sc := c.Sources[0].SourceConfig.(*syslog.Config)
	if sc.Tenant != "acme" || sc.Protocol != "tcp" || sc.Listen != "0.0.0.0:6514" || sc.Format != "cef" {
		t.Errorf("source = %+v", sc)
	}
	o, err := c.Sources[1].Common().ParseOptions()
	if err != nil || o.CSVDelimiter != ';' || len(o.CSVHeader) != 2 {
		t.Errorf("csv options = %+v, %v", o, err)
	}
	if r := c.RetentionFor("acme"); r.MaxAge.D() != 90*24*time.Hour || r.MaxBytes != 80e9 {
		t.Errorf("acme retention = %+v", r)
	}
	if r := c.RetentionFor("other"); r.MaxAge.D() != 7*24*time.Hour {
		t.Errorf("other retention = %+v", r)
	}
}

func TestErrors(t *testing.T) {
	f := func(doc, want string) {
		t.Helper()
		_, err := config.Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", doc, err, want)
		}
	}
	f("nosuchkey: 1", "nosuchkey")
	f("sources: [{name: x, type: carrier-pigeon}]", `source type "carrier-pigeon" unknown`)
	f("sources: [{name: x, type: syslog, bogus: 1}]", "bogus")
	f("sources: [{name: 'bad name', type: syslog}]", "source name")
	f("sources: [{name: x, type: syslog, format: nope}]", `unknown format "nope"`)
	f("sources: [{name: x, type: syslog, timezone: Mars/Olympus}]", "timezone")
	f("sources: [{name: x, type: syslog, protocol: udp, listen: 127.0.0.1:1}, {name: x, type: syslog, protocol: tcp, listen: 127.0.0.1:2}]", "used twice")
	f("storage: {retention: {max_age: forever}}", "parse duration")
	f("storage: {compression_level: 40}", "compression_level")
	f("http: {tls: {cert_file: a.pem}}", "cert_file and key_file")
	f("http: {ingest: {tokens: [{token: short}]}}", "16 characters")
	f("log_level: loud", "log_level")
	// Tenant names (issue 9, finding 4): every place that names one.
	long := strings.Repeat("t", 300)
	f("sources: [{name: x, type: syslog, tenant: "+long+"}]", "invalid tenant name")
	f("sources: [{name: x, type: syslog, tenant: '../etc'}]", "invalid tenant name")
	f("http: {ingest: {tenant: 'a/b'}}", "http.ingest.tenant: invalid tenant name")
	f("http: {ingest: {tokens: [{token: 0123456789abcdef, tenant: "+long+"}]}}", "http.ingest.tokens[0].tenant: invalid tenant name")
	f("http: {ingest: {tokens: [{token: 0123456789abcdef, tenant: \"a\\tb\"}]}}", "invalid tenant name")
	f("storage: {tenants: {'bad tenant': {max_age: 1d}}}", "storage.tenants: invalid tenant name")
	// vigil.* tenants are Vigil's own (the audit log's vigil.system): no
	// sender may write into one.
	f("sources: [{name: x, type: syslog, tenant: vigil.system}]", "reserved for Vigil")
	f("http: {ingest: {tenant: vigil.system}}", "reserved for Vigil")
	f("http: {ingest: {tokens: [{token: 0123456789abcdef, tenant: vigil.x}]}}", "reserved for Vigil")
}

func TestSizesAndDurations(t *testing.T) {
	for in, want := range map[string]int64{"80GB": 80e9, "512MiB": 512 << 20, "1K": 1000, "42": 42, "1.5GiB": 3 << 29} {
		if got, err := config.ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for in, want := range map[string]time.Duration{"7d": 7 * 24 * time.Hour, "2w": 14 * 24 * time.Hour, "90m": 90 * time.Minute, "1.5d": 36 * time.Hour} {
		if got, err := config.ParseDuration(in); err != nil || got != want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"-1GB", "lots", "GB"} {
		if _, err := config.ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q): no error", bad)
		}
	}
}
