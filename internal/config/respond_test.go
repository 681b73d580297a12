package config_test

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestResponsesParse(t *testing.T) {
	c, err := config.Parse([]byte(`
incidents:
  window: 30m
  link_by: [users, ips]
responses:
  - name: soar
    type: webhook
    match: {rules: ["brute*"], min_level: high, tags: [attack.t1110*], tenants: [acme]}
    webhook:
      url: https://soar.example/hook
      secret: s3cr3t
      headers: {Authorization: "Bearer abc"}
      tls: {ca_file: /etc/ssl/ca.pem}
  - name: block
    type: program
    trigger: incident
    program: {command: [/usr/local/bin/block-ip, --reason, "a;b"]}
  - name: siem2
    type: syslog
    syslog: {network: tcp, address: "10.0.0.5:6514", facility: local4}
  - name: bus
    type: kafka
    kafka: {brokers: ["k1:9092"], topic: vigil.alerts, sasl: {mechanism: scram-sha-512, username: u, password: p}}
`))
	if err != nil {
		t.Fatal(err)
	}
	in := c.Incidents
	if in.Window.D() != 30*time.Minute || in.MaxSpan.D() != 24*time.Hour || len(in.LinkBy) != 2 || len(in.Ignore) == 0 {
		t.Errorf("incidents = %+v", in)
	}
	w := c.Responses[0]
	if w.Trigger != "alert" || w.Queue != 1000 || w.Workers != 2 || w.Timeout.D() != 10*time.Second ||
		w.Retry.Attempts != 5 || w.Retry.Initial.D() != time.Second || w.Retry.Max.D() != 30*time.Second || *w.Retry.Jitter != 0.2 ||
		w.Webhook.Secret != "s3cr3t" || w.Match.MinLevel != "high" {
		t.Errorf("webhook response = %+v", w)
	}
	p := c.Responses[1]
	if p.Trigger != "incident" || p.Timeout.D() != 30*time.Second || p.Retry.Attempts != 1 || p.Program.MaxOutput != 8<<10 {
		t.Errorf("program response = %+v", p)
	}
	s := c.Responses[2].Syslog
	if s.Framing != "octet-counting" || s.AppName != "vigil" || s.SDID != "vigil@32473" || s.MaxMessage != 8<<10 {
		t.Errorf("syslog response = %+v", s)
	}
	if k := c.Responses[3].Kafka; k.ClientID != "vigil" {
		t.Errorf("kafka response = %+v", k)
	}
	// Secrets do not print, marshal or log.
	out, err := yaml.Marshal(c.Responses)
	if err != nil {
		t.Fatal(err)
	}
	var logged strings.Builder
	slog.New(slog.NewTextHandler(&logged, nil)).Info("x", "secret", w.Webhook.Secret, "headers", w.Webhook.Headers)
	for _, s := range []string{string(out), fmt.Sprintf("%v %+v %#v", c.Responses, c.Responses, c.Responses), logged.String()} {
		if strings.Contains(s, "s3cr3t") || strings.Contains(s, "Bearer abc") || strings.Contains(s, "password: p\n") {
			t.Errorf("a secret shows: %s", s)
		}
	}
}

func TestIncidentDefaults(t *testing.T) {
	c, err := config.Load("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Incidents.Window.D() != time.Hour || len(c.Incidents.LinkBy) != 3 || len(c.Incidents.Ignore) != len(config.DefaultIncidentIgnore) {
		t.Errorf("incidents = %+v", c.Incidents)
	}
	c, err = config.Parse([]byte("incidents: {ignore: []}"))
	if err != nil || c.Incidents.Ignore == nil || len(c.Incidents.Ignore) != 0 {
		t.Errorf("an empty ignore list = %#v, %v; want it kept empty", c.Incidents.Ignore, err)
	}
}

func TestResponsesInvalid(t *testing.T) {
	f := func(doc, want string) {
		t.Helper()
		_, err := config.Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want an error with %q", doc, err, want)
		}
	}
	f(`incidents: {window: -1h}`, "must not be negative")
	f(`incidents: {link_by: [macs]}`, `link_by "macs"`)
	f(`responses: [{name: a, type: email}]`, `type "email"`)
	f(`responses: [{name: a, type: webhook}]`, "needs its settings")
	f(`responses: [{name: a, type: webhook, webhook: {url: "http://x"}, program: {command: [x]}}]`, "settings for program")
	f(`responses: [{name: "a b", type: program, program: {command: [x]}}]`, "name")
	f(`responses: [{name: a, type: program, program: {command: [x]}}, {name: a, type: program, program: {command: [y]}}]`, "name used twice")
	f(`responses: [{name: a, type: program, trigger: always, program: {command: [x]}}]`, "trigger")
	f(`responses: [{name: a, type: program, match: {min_level: severe}, program: {command: [x]}}]`, "min_level")
	f(`responses: [{name: a, type: program, match: {rules: [""]}, program: {command: [x]}}]`, "rules: empty")
	f(`responses: [{name: a, type: program, program: {command: []}}]`, "at least the program")
	f(`responses: [{name: a, type: program, retry: {attempts: 101}, program: {command: [x]}}]`, "attempts")
	f(`responses: [{name: a, type: program, retry: {initial: 10s, max: 1s}, program: {command: [x]}}]`, "initial <= max")
	f(`responses: [{name: a, type: webhook, webhook: {url: "ftp://x/y"}}]`, "http:// or https://")
	f(`responses: [{name: a, type: webhook, webhook: {url: "https://x", secret: a, secret_file: b}}]`, "exclusive")
	f(`responses: [{name: a, type: webhook, webhook: {url: "https://x", headers: {"a b": c}}}]`, "header name")
	f(`responses: [{name: a, type: syslog, syslog: {address: "nohost"}}]`, "host:port")
	f(`responses: [{name: a, type: syslog, syslog: {address: "h:514", network: sctp}}]`, "network")
	f(`responses: [{name: a, type: syslog, syslog: {address: "h:514", facility: mars}}]`, "facility")
	f(`responses: [{name: a, type: syslog, syslog: {address: "h:514", sd_id: "a b"}}]`, "sd_id")
	f(`responses: [{name: a, type: syslog, syslog: {address: "h:514", tls: {ca_file: x}}}]`, "network: tls")
	f(`responses: [{name: a, type: kafka, kafka: {topic: t}}]`, "brokers")
	f(`responses: [{name: a, type: kafka, kafka: {brokers: ["k:1"], topic: "a/b"}}]`, "topic")
	f(`responses: [{name: a, type: kafka, kafka: {brokers: ["k:1"], topic: t, sasl: {mechanism: gssapi, username: u}}}]`, "mechanism")
	f(`responses: [{name: a, type: kafka, kafka: {brokers: ["k:1"], topic: t, sasl: {username: u}}}]`, "need sasl.mechanism")
	f(`responses: [{name: a, type: program, program: {command: [x]}, shell: true}]`, "shell")
}

func TestSyslogFacility(t *testing.T) {
	f := func(in string, want int, ok bool) {
		t.Helper()
		got, err := config.SyslogFacility(in)
		if (err == nil) != ok || got != want {
			t.Errorf("SyslogFacility(%q) = %d, %v; want %d, ok %v", in, got, err, want, ok)
		}
	}
	f("auth", 4, true)
	f("LOCAL7", 23, true)
	f("10", 10, true)
	f("24", 0, false)
	f("010", 0, false)
	f("-1", 0, false)
	f("", 0, false)
}
