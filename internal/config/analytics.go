package config

import (
	"fmt"
	"time"
)

// Analytics configures entity behaviour analytics and entity risk
// (internal/analytics/entity, docs/analytics.md). Every field has a
// default; the built-in analytics run unless `defaults: false`, and an
// entry of `rules` with the name of a built-in one replaces it.
//
//	analytics:
//	  max_entities: 250000
//	  risk: {threshold: 100, half_life: 24h}
//	  rules:
//	    - name: user_new_country
//	      kind: first_seen
//	      filter: "event.category:authentication event.outcome:success"
//	      entity: user
//	      key: [user.name]
//	      value: [source.geo.country_iso_code]
//	      learn: 7d
//	      level: medium
type Analytics struct {
	// Disabled turns entity analytics and risk off.
	Disabled bool `yaml:"disabled"`
	// Defaults keeps the built-in analytics (default true).
	Defaults *bool `yaml:"defaults"`
	// MaxEntities bounds the entities kept in memory (default 250,000,
	// DefaultAnalyticsMaxEntities says why); past it the least recently
	// seen of a sample is forgotten.
	MaxEntities int `yaml:"max_entities"`
	// MaxValues bounds the values one entity remembers per first-seen or
	// rarity analytic (default 64).
	MaxValues int `yaml:"max_values"`
	// SnapshotInterval is how often the baselines are written to disk
	// (default 5m; nothing is written when nothing changed); they are also
	// written at a clean stop.
	SnapshotInterval Duration `yaml:"snapshot_interval"`
	// MaxFuture bounds how far past its receipt an event's time is
	// believed (default 1h).
	MaxFuture Duration `yaml:"max_future"`
	// Rules are analytics added to (or replacing, by name) the built-in ones.
	Rules []AnalyticRule `yaml:"rules"`
	// Risk configures entity risk.
	Risk Risk `yaml:"risk"`
}

// AnalyticRule declares one analytic: which events feed it (Filter, in the
// search language), the entity it is about (Entity, read from the first
// Key field an event has), the value it learns (Value fields, joined with
// " → "; a field written a|b is the first of a and b the event has; @hour
// and @weekday are the event's UTC hour and day), how long it
// learns before it alerts, and its threshold.
type AnalyticRule struct {
	Name  string `yaml:"name"`
	Title string `yaml:"title"`
	// Phrase names the value in the alert's sentence: "login from" gives
	// "first login from CN for kato; seen before: SE".
	Phrase   string `yaml:"phrase"`
	Kind     string `yaml:"kind"` // first_seen, rarity, rate, travel
	Disabled bool   `yaml:"disabled"`
	Filter   string `yaml:"filter"`
	// Entity is the entity type: user, host, source_ip, process or another name.
	Entity string   `yaml:"entity"`
	Key    []string `yaml:"key"`
	Value  []string `yaml:"value"`
	// Learn is how much event time an entity is watched before it alerts.
	Learn Duration `yaml:"learn"`
	Level string   `yaml:"level"`

	// rarity: alert when the value was seen by the entity on fewer than
	// MinDays days and (when MinPeers > 0) by fewer than MinPeers other entities.
	MinDays  int `yaml:"min_days"`
	MinPeers int `yaml:"min_peers"`

	// rate: Measure is count, sum (of Field) or distinct (values of
	// Field) per hour; Threshold is in MADs above the median of the same
	// hour of week (±1 hour) in past weeks; MinValue the least hourly
	// value that can alert.
	Measure   string  `yaml:"measure"`
	Field     string  `yaml:"field"`
	Threshold float64 `yaml:"threshold"`
	MinValue  float64 `yaml:"min_value"`

	// travel: the speed (km/h) above which two logins are impossible, and
	// the least distance (km) that counts (GeoIP is coarse).
	MaxSpeed    float64 `yaml:"max_speed_kmh"`
	MinDistance float64 `yaml:"min_distance_km"`
}

// Risk configures entity risk: alerts and anomalies add points to their
// entities (by level, raised for critical assets and privileged users),
// points halve every HalfLife of event time, and an entity whose risk
// crosses Threshold raises a risk alert of Level.
type Risk struct {
	Threshold float64  `yaml:"threshold"`
	HalfLife  Duration `yaml:"half_life"`
	Level     string   `yaml:"level"`
	// Points per alert level; missing levels keep their defaults
	// (informational 1, low 5, medium 15, high 30, critical 50).
	Points map[string]float64 `yaml:"points"`
}

// Defaults of analytics.
const (
	// DefaultAnalyticsMaxEntities: an entity costs 436 bytes (a source
	// address with both built-in rate analytics) to 964 (a user with every
	// user analytic) of heap, plus its risk contributions, so 250,000 hold
	// 110–240 MB: what a process meant to stay under 1 GiB (docs/bench.md,
	// the 10M-event run) affords beside correlation, freezing and DuckDB.
	// The users and hosts of a 100,000-person organisation fit; the
	// entities forgotten past it (least recently seen first) are mostly
	// one-off internet addresses, whose rate baselines would need a week
	// of learning before they could alert. At 1,000,000 (the default
	// before) the source addresses of 10M `vigil bench` events alone held
	// ~450 MB. Raise it on a machine with the memory to spare.
	DefaultAnalyticsMaxEntities = 250_000
	DefaultAnalyticsMaxValues   = 64
	DefaultAnalyticsSnapshot    = Duration(5 * time.Minute)
	DefaultAnalyticsMaxFuture   = Duration(time.Hour)
	DefaultRiskThreshold        = 100
	DefaultRiskHalfLife         = Duration(24 * time.Hour)
)

// AnalyticKinds are the kinds of analytic.
var AnalyticKinds = []string{"first_seen", "rarity", "rate", "travel"}

// Validate fills the defaults of analytics and checks the rules' shape
// (the analytics package compiles their filters).
func (a *Analytics) Validate() error {
	if a.Defaults == nil {
		t := true
		a.Defaults = &t
	}
	if a.MaxEntities <= 0 {
		a.MaxEntities = DefaultAnalyticsMaxEntities
	}
	if a.MaxValues <= 0 {
		a.MaxValues = DefaultAnalyticsMaxValues
	}
	if a.MaxValues > 1024 {
		return fmt.Errorf("analytics.max_values %d: at most 1024", a.MaxValues)
	}
	if a.SnapshotInterval <= 0 {
		a.SnapshotInterval = DefaultAnalyticsSnapshot
	}
	if a.MaxFuture <= 0 {
		a.MaxFuture = DefaultAnalyticsMaxFuture
	}
	if a.Risk.Threshold <= 0 {
		a.Risk.Threshold = DefaultRiskThreshold
	}
	if a.Risk.HalfLife <= 0 {
		a.Risk.HalfLife = DefaultRiskHalfLife
	}
	if a.Risk.Level == "" {
		a.Risk.Level = "high"
	}
	if !validLevel(a.Risk.Level) {
		return fmt.Errorf("analytics.risk.level %q: want informational, low, medium, high or critical", a.Risk.Level)
	}
	for l, p := range a.Risk.Points {
		if !validLevel(l) || p < 0 {
			return fmt.Errorf("analytics.risk.points: %s: %v: want a level and points >= 0", l, p)
		}
	}
	seen := map[string]bool{}
	for i := range a.Rules {
		r := &a.Rules[i]
		if r.Name == "" {
			return fmt.Errorf("analytics.rules[%d]: a name is required", i)
		}
		if seen[r.Name] {
			return fmt.Errorf("analytics.rules[%d]: duplicate name %q", i, r.Name)
		}
		seen[r.Name] = true
		if err := r.validate(); err != nil {
			return fmt.Errorf("analytics.rules[%d] %s: %w", i, r.Name, err)
		}
	}
	return nil
}

func validLevel(l string) bool {
	switch l {
	case "informational", "low", "medium", "high", "critical":
		return true
	}
	return false
}

func (r *AnalyticRule) validate() error {
	if r.Disabled {
		return nil
	}
	known := false
	for _, k := range AnalyticKinds {
		known = known || r.Kind == k
	}
	if !known {
		return fmt.Errorf("kind %q: want first_seen, rarity, rate or travel", r.Kind)
	}
	if r.Entity == "" || len(r.Key) == 0 {
		return fmt.Errorf("entity and key are required")
	}
	if r.Level == "" {
		r.Level = "low"
	}
	if !validLevel(r.Level) {
		return fmt.Errorf("level %q: want informational, low, medium, high or critical", r.Level)
	}
	if r.Learn < 0 {
		return fmt.Errorf("learn %v: must not be negative", r.Learn.D())
	}
	switch r.Kind {
	case "first_seen":
		if len(r.Value) == 0 {
			return fmt.Errorf("a first_seen analytic needs value fields")
		}
	case "rarity":
		if len(r.Value) == 0 {
			return fmt.Errorf("a rarity analytic needs value fields")
		}
		if r.MinDays <= 0 && r.MinPeers <= 0 {
			return fmt.Errorf("a rarity analytic needs min_days or min_peers")
		}
	case "rate":
		switch r.Measure {
		case "", "count":
			r.Measure = "count"
		case "sum", "distinct":
			if r.Field == "" {
				return fmt.Errorf("measure %s needs a field", r.Measure)
			}
		default:
			return fmt.Errorf("measure %q: want count, sum or distinct", r.Measure)
		}
		if r.Threshold <= 0 {
			r.Threshold = 6
		}
	case "travel":
		if r.MaxSpeed <= 0 {
			r.MaxSpeed = 1000
		}
		if r.MinDistance <= 0 {
			r.MinDistance = 500
		}
	}
	return nil
}
