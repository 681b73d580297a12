package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestHealthAndUsage(t *testing.T) {
	c, err := config.Parse([]byte(`
health:
  silence_after: 5s
  check_interval: 1s
  max_sources_per_tenant: 50
  overrides:
    - {source: syslog-tcp, host: fw1, silence_after: 2m}
    - {host: backup01, silence_after: 26h}
usage:
  quotas:
    acme: {eps: 5000, events_per_day: 1000000}
`))
	if err != nil {
		t.Fatal(err)
	}
	h := c.Health
	if h.SilenceAfter.D() != 5*time.Second || h.CheckInterval.D() != time.Second || h.MaxSourcesPerTenant != 50 ||
		len(h.Overrides) != 2 || h.Overrides[1].SilenceAfter.D() != 26*time.Hour || h.Overrides[0].Host != "fw1" {
		t.Fatalf("%+v", h)
	}
	if q := c.Usage.Quotas["acme"]; q.EPS != 5000 || q.EventsPerDay != 1000000 {
		t.Fatalf("%+v", c.Usage)
	}
	for doc, want := range map[string]string{
		"health: {silence_after: -5s}":               "must not be negative",
		"health: {overrides: [{silence_after: 5s}]}": "name a source, a host or both",
		"health: {overrides: [{host: a}]}":           "silence_after must be positive",
		"usage: {quotas: {acme: {eps: -1}}}":         "must not be negative",
		"health: {silence_afer: 5s}":                 "silence_afer",
	} {
		if _, err := config.Parse([]byte(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", doc, err, want)
		}
	}
}
