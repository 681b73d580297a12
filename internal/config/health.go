package config

import (
	"errors"
	"fmt"
)

// Health configures source health (docs/sources.md). Zero values take the
// defaults of internal/analytics/sources.
type Health struct {
	// SilenceAfter, when set, replaces the learned rhythm of every source:
	// a source quiet for longer raises a silence alert naming its host.
	// Default: learned (4 × the longest gap of the last day, 5m to 48h;
	// 1h until a source has been seen for an hour).
	SilenceAfter Duration `yaml:"silence_after"`
	// Overrides set the silence threshold of some sources: by source
	// listener name, by host, or both.
	Overrides []HealthOverride `yaml:"overrides"`
	// CheckInterval is how often sources are checked. Default: 15s.
	CheckInterval Duration `yaml:"check_interval"`
	// MaxSourcesPerTenant caps the hosts tracked per tenant; past it new
	// hosts are counted under the host "~overflow". Default: 10,000.
	MaxSourcesPerTenant int `yaml:"max_sources_per_tenant"`
}

// HealthOverride sets the silence threshold of the sources it matches.
type HealthOverride struct {
	// Source is a source listener's name; empty matches any.
	Source string `yaml:"source"`
	// Host is a sending host; empty matches any.
	Host         string   `yaml:"host"`
	SilenceAfter Duration `yaml:"silence_after"`
}

// Usage configures EPS metering per tenant (docs/sources.md).
type Usage struct {
	// Quotas by tenant: passing one raises an alert and sets a metric;
	// the events are stored all the same.
	Quotas map[string]UsageQuota `yaml:"quotas"`
}

// UsageQuota is what a tenant may send before Vigil warns. Zero: no limit.
type UsageQuota struct {
	EPS          int64 `yaml:"eps"`
	EventsPerDay int64 `yaml:"events_per_day"`
}

// Validate checks the health settings.
func (h *Health) Validate() error {
	if h.SilenceAfter < 0 || h.CheckInterval < 0 || h.MaxSourcesPerTenant < 0 {
		return errors.New("health: durations and limits must not be negative")
	}
	for i, o := range h.Overrides {
		if o.Source == "" && o.Host == "" {
			return fmt.Errorf("health.overrides[%d]: name a source, a host or both", i)
		}
		if o.SilenceAfter <= 0 {
			return fmt.Errorf("health.overrides[%d]: silence_after must be positive", i)
		}
	}
	return nil
}

// Validate checks the quotas.
func (u *Usage) Validate() error {
	for t, q := range u.Quotas {
		if q.EPS < 0 || q.EventsPerDay < 0 {
			return fmt.Errorf("usage.quotas.%s: quotas must not be negative", t)
		}
	}
	return nil
}
