package entity

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
)

// kind is what an analytic computes.
type kind uint8

const (
	kindFirstSeen kind = iota
	kindRarity
	kindRate
	kindTravel
)

func (k kind) String() string {
	return [...]string{"first_seen", "rarity", "rate", "travel"}[k]
}

// RuleIDPrefix starts the rule id of every analytic's alerts
// (vigil-analytics:user_new_country) and of risk alerts (vigil-analytics:risk).
const RuleIDPrefix = "vigil-analytics:"

// analytic is one compiled AnalyticRule.
type analytic struct {
	idx    int
	cfg    config.AnalyticRule
	kind   kind
	match  filter.Predicate
	filter int // index of match in Engine.filters
	ruleID string
	title  string
	phrase string
	learn  int64 // seconds
	// values are the value fields, each a list of alternatives (a|b: the
	// first the event has).
	values [][]string
}

const day = 24 * time.Hour

// Defaults are the built-in analytics (docs/analytics.md describes each).
func Defaults() []config.AnalyticRule {
	const (
		authOK   = "event.category:authentication event.outcome:success"
		authFail = "event.category:authentication event.outcome:failure"
		procs    = "event.category:process"
	)
	learn := config.Duration(7 * day)
	user := []string{"user.name"}
	host := []string{"host.name", "host.hostname"}
	return []config.AnalyticRule{
		{Name: "user_new_country", Title: "First login from a new country", Phrase: "login from", Kind: "first_seen",
			Filter: authOK, Entity: "user", Key: user, Value: []string{"source.geo.country_iso_code"}, Learn: learn, Level: "medium"},
		{Name: "user_new_asn", Title: "First login from a new network (ASN)", Phrase: "login from AS", Kind: "first_seen",
			Filter: authOK, Entity: "user", Key: user, Value: []string{"source.as.number"}, Learn: learn, Level: "low"},
		{Name: "user_new_source_ip", Title: "First login from a new source address", Phrase: "login from", Kind: "first_seen",
			Filter: authOK, Entity: "user", Key: user, Value: []string{"source.ip"}, Learn: learn, Level: "informational"},
		{Name: "user_new_host", Title: "First login to a new host", Phrase: "login to", Kind: "first_seen",
			Filter: authOK, Entity: "user", Key: user, Value: host[:1], Learn: learn, Level: "low"},
		{Name: "user_rare_login_hour", Title: "Login at an unusual hour", Phrase: "login at hour (UTC)", Kind: "rarity",
			Filter: authOK, Entity: "user", Key: user, Value: []string{"@hour"}, Learn: learn, Level: "low", MinDays: 2},
		{Name: "user_impossible_travel", Title: "Impossible travel between logins", Kind: "travel",
			Filter: authOK, Entity: "user", Key: user, Level: "high", MaxSpeed: 1000, MinDistance: 500},
		{Name: "user_login_rate", Title: "Unusual number of logins", Phrase: "logins", Kind: "rate", Measure: "count",
			Filter: authOK, Entity: "user", Key: user, Learn: learn, Level: "medium", Threshold: 6, MinValue: 20},
		{Name: "user_failure_rate", Title: "Unusual number of failed logins", Phrase: "failed logins", Kind: "rate", Measure: "count",
			Filter: authFail, Entity: "user", Key: user, Learn: learn, Level: "medium", Threshold: 6, MinValue: 20},
		{Name: "source_ip_bytes_out", Title: "Unusual volume sent", Phrase: "bytes sent", Kind: "rate", Measure: "sum", Field: "source.bytes",
			Filter: "source.bytes:*", Entity: "source_ip", Key: []string{"source.ip"}, Learn: learn, Level: "medium", Threshold: 6, MinValue: 100 << 20},
		{Name: "source_ip_distinct_destinations", Title: "Unusual number of destinations", Phrase: "distinct destinations", Kind: "rate",
			Measure: "distinct", Field: "destination.ip", Filter: "destination.ip:*", Entity: "source_ip", Key: []string{"source.ip"},
			Learn: learn, Level: "medium", Threshold: 6, MinValue: 50},
		{Name: "host_new_process", Title: "First run of a program on a host", Phrase: "run of", Kind: "first_seen",
			Filter: procs, Entity: "host", Key: host, Value: []string{"process.executable"}, Learn: learn, Level: "low"},
		{Name: "host_new_parent_child", Title: "First parent → child process pair on a host", Phrase: "process pair", Kind: "first_seen",
			Filter: procs, Entity: "host", Key: host, Value: []string{"process.parent.name", "process.name"}, Learn: learn, Level: "low"},
		{Name: "host_rare_process", Title: "Program run by few hosts", Phrase: "run of", Kind: "rarity",
			Filter: procs, Entity: "host", Key: host, Value: []string{"process.name"}, Learn: learn, Level: "low", MinPeers: 2},
		{Name: "process_new_host", Title: "Program seen on a new host", Phrase: "sighting on host", Kind: "first_seen",
			Filter: procs, Entity: "process", Key: []string{"process.name"}, Value: host[:1], Learn: learn, Level: "informational"},
		{Name: "group_new_admin_member", Title: "New member of an administrators group", Phrase: "member", Kind: "first_seen",
			Filter: "event.code:(4728 OR 4732 OR 4756) winlog.event_data.TargetUserName:*admin*", Entity: "group",
			Key: []string{"winlog.event_data.TargetUserName", "group.name"}, Value: []string{"winlog.event_data.MemberName|user.target.name"},
			Level: "medium"},
	}
}

// Rules merges the built-in analytics (unless cfg.Defaults is false)
// with the configured ones: a configured rule replaces the built-in one
// of its name. Disabled rules are left out.
func Rules(cfg config.Analytics) []config.AnalyticRule {
	var out []config.AnalyticRule
	own := map[string]bool{}
	for _, r := range cfg.Rules {
		own[r.Name] = true
	}
	if cfg.Defaults == nil || *cfg.Defaults {
		for _, r := range Defaults() {
			if !own[r.Name] {
				out = append(out, r)
			}
		}
	}
	out = append(out, cfg.Rules...)
	kept := out[:0]
	for _, r := range out {
		if !r.Disabled {
			kept = append(kept, r)
		}
	}
	return kept
}

// compile checks and compiles one rule.
func compile(idx int, r config.AnalyticRule) (*analytic, error) {
	a := &analytic{idx: idx, cfg: r, ruleID: RuleIDPrefix + r.Name, title: r.Title, phrase: r.Phrase, learn: int64(r.Learn.D() / time.Second)}
	switch r.Kind {
	case "first_seen":
		a.kind = kindFirstSeen
	case "rarity":
		a.kind = kindRarity
	case "rate":
		a.kind = kindRate
	case "travel":
		a.kind = kindTravel
	default:
		return nil, fmt.Errorf("analytic %s: kind %q: want first_seen, rarity, rate or travel", r.Name, r.Kind)
	}
	if (a.kind == kindFirstSeen || a.kind == kindRarity) && len(r.Value) == 0 {
		return nil, fmt.Errorf("analytic %s: value fields are required", r.Name)
	}
	if len(r.Key) == 0 || r.Entity == "" {
		return nil, fmt.Errorf("analytic %s: entity and key are required", r.Name)
	}
	if strings.ContainsRune(r.Entity, 0) || strings.ContainsRune(r.Entity, '/') {
		return nil, fmt.Errorf("analytic %s: entity type %q: no / or NUL", r.Name, r.Entity)
	}
	if a.title == "" {
		a.title = r.Name
	}
	if a.phrase == "" {
		a.phrase = strings.Join(r.Value, " → ")
	}
	for _, v := range r.Value {
		a.values = append(a.values, strings.Split(v, "|"))
	}
	p, err := filter.Parse(r.Filter)
	if err != nil {
		return nil, fmt.Errorf("analytic %s: filter: %w", r.Name, err)
	}
	a.match = p
	return a, nil
}

// name reads the entity's name: the first key field the event has, in
// lower case (names compare case-insensitively), at most maxNameLen bytes.
func (a *analytic) name(e *event.Event) string {
	for _, f := range a.cfg.Key {
		s := strings.TrimSpace(e.GetString(f))
		if s == "" || s == "-" {
			continue
		}
		if len(s) > maxNameLen {
			s = s[:maxNameLen]
		}
		return strings.ToLower(s)
	}
	return ""
}

// appendValue appends the analytic's value to dst: the value fields
// joined with " → "; every field must be present (a field written a|b is
// the first of a and b the event has). Appending to a buffer the caller
// reuses keeps the common case, a value already learned, free of
// allocations.
func (a *analytic) appendValue(dst []byte, e *event.Event, t time.Time) ([]byte, bool) {
	for i, alts := range a.values {
		if i > 0 {
			dst = append(dst, " → "...)
		}
		var ok bool
		if dst, ok = appendFirst(dst, e, alts, t); !ok {
			return dst, false
		}
	}
	return dst, true
}

// appendFirst appends the text of the first of the fields the event has.
func appendFirst(dst []byte, e *event.Event, fields []string, t time.Time) ([]byte, bool) {
	for _, f := range fields {
		if out, ok := appendField(dst, e, f, t); ok {
			return out, true
		}
	}
	return dst, false
}

// appendField appends a field's text (at most maxValueLen bytes); @hour
// and @weekday are the event time's UTC hour (00-23) and day (Mon).
func appendField(dst []byte, e *event.Event, f string, t time.Time) ([]byte, bool) {
	switch f {
	case "@hour":
		return append(dst, hours[t.Hour()]...), true
	case "@weekday":
		return append(dst, t.Weekday().String()[:3]...), true
	}
	v, ok := e.Get(f)
	if !ok || v.IsNull() {
		return dst, false
	}
	n := len(dst)
	dst = v.AppendText(dst)
	if len(dst) == n || len(dst) == n+1 && dst[n] == '-' {
		return dst[:n], false
	}
	if len(dst)-n > maxValueLen {
		dst = dst[:n+maxValueLen]
	}
	return dst, true
}

var hours = func() (h [24]string) {
	for i := range h {
		h[i] = fmt.Sprintf("%02d", i)
	}
	return h
}()
