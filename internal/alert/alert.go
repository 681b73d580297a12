package alert

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// MaxEventIDs bounds the event ids an alert keeps; Count keeps the total.
// 100 ids are enough to pivot to the events of a burst, and keep an alert
// under ~4 KiB however long the burst runs.
const MaxEventIDs = 100

// Status is where an alert is in its triage.
type Status string

// Statuses.
const (
	StatusOpen         Status = "open"
	StatusAcknowledged Status = "acknowledged"
	StatusClosed       Status = "closed"
)

// Entities are who and what an alert is about, taken from the ECS fields of
// its events.
type Entities struct {
	Hosts          []string `json:"hosts,omitempty"`
	Users          []string `json:"users,omitempty"`
	SourceIPs      []string `json:"source_ips,omitempty"`
	DestinationIPs []string `json:"destination_ips,omitempty"`
}

// Alert is one folded detection.
type Alert struct {
	ID     string   `json:"id"`
	Tenant string   `json:"tenant"`
	RuleID string   `json:"rule_id"`
	Title  string   `json:"rule_title"`
	Level  string   `json:"level"`
	Tags   []string `json:"tags,omitempty"`
	// Techniques are the ATT&CK technique ids of the tags (T1059.001) and
	// Tactics the tactic names (execution, credential-access).
	Techniques []string  `json:"techniques,omitempty"`
	Tactics    []string  `json:"tactics,omitempty"`
	First      time.Time `json:"first"`
	Last       time.Time `json:"last"`
	Count      int       `json:"count"`
	// EventIDs are the ids of the first MaxEventIDs matching events.
	EventIDs []string `json:"event_ids"`
	Entities Entities `json:"entities"`
	Status   Status   `json:"status"`
	// Assignee is the analyst the alert is assigned to ("" none); Triage
	// says who last changed status or assignee, and when (set by the store
	// from the analysts' changes, never by detection).
	Assignee string  `json:"assignee,omitempty"`
	Triage   *Triage `json:"triage,omitempty"`
	// Correlation is set on the alerts of correlation rules.
	Correlation *Correlation `json:"correlation,omitempty"`
	// Reason says why the alert fired (reason.go); nil on alerts stored
	// before Vigil recorded it.
	Reason *Reason `json:"reason,omitempty"`
	// Analytic is set on the alerts of behaviour analytics and entity risk
	// (internal/analytics/entity).
	Analytic *Analytic `json:"analytic,omitempty"`
}

// Analytic describes the alert of a behaviour analytic (a baseline an
// event broke) or of entity risk (an entity that crossed its threshold).
type Analytic struct {
	// Name is the analytic's configured name (user_new_country) or "risk".
	Name string `json:"name"`
	// Kind is first_seen, rarity, rate, travel or risk.
	Kind string `json:"kind"`
	// EntityType and Entity name the entity the baseline belongs to.
	EntityType string `json:"entity_type"`
	Entity     string `json:"entity"`
	// Value is what the event showed (CN, the hour's count).
	Value string `json:"value,omitempty"`
	// Baseline is what was learned before (the values seen, or the
	// median and MAD of the hour).
	Baseline []string `json:"baseline,omitempty"`
	// Reason says it in one sentence: "first login from CN for kato; seen
	// before: SE".
	Reason string `json:"reason"`
	// Score is the measure that crossed the threshold (MADs above the
	// median, km/h, risk points).
	Score float64 `json:"score,omitempty"`
	// AlertIDs are, on a risk alert, the alerts that contributed.
	AlertIDs []string `json:"alert_ids,omitempty"`
}

// Correlation describes the alert of a correlation rule. An open alert is
// updated (same ID, a higher Count) by further hits of its group within
// the timespan after it fired.
type Correlation struct {
	// Type is event_count, value_count, temporal or temporal_ordered.
	Type string `json:"type"`
	// Group holds the group-by values by group-by name.
	Group map[string]string `json:"group,omitempty"`
	// Value is what the condition measured when it fired: events,
	// distinct values or rules seen.
	Value int64 `json:"value"`
	// Timespan is the correlation window as the rule writes it.
	Timespan string `json:"timespan"`
	// AlertIDs are the alerts of chained correlations that contributed.
	AlertIDs []string `json:"alert_ids,omitempty"`
}

// Sink receives alerts: new ones and updates of folded ones (same ID, a
// higher Count). WriteAlerts returns once they are stored.
type Sink interface {
	WriteAlerts(ctx context.Context, alerts []Alert) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, alerts []Alert) error

// WriteAlerts calls f.
func (f SinkFunc) WriteAlerts(ctx context.Context, alerts []Alert) error { return f(ctx, alerts) }

// Levels of Sigma in increasing severity.
var Levels = []string{"informational", "low", "medium", "high", "critical"}

// LevelRank orders levels: 0 for informational up to 4 for critical, -1
// for an unknown level.
func LevelRank(level string) int {
	for i, l := range Levels {
		if l == level {
			return i
		}
	}
	return -1
}

// tactics are the ATT&CK tactic tags Sigma uses (attack.<name>).
var tactics = map[string]bool{
	"reconnaissance": true, "resource-development": true, "initial-access": true, "execution": true,
	"persistence": true, "privilege-escalation": true, "defense-evasion": true, "credential-access": true,
	"discovery": true, "lateral-movement": true, "collection": true, "command-and-control": true,
	"exfiltration": true, "impact": true,
	// older spellings
	"initial_access": true, "privilege_escalation": true, "defense_evasion": true, "credential_access": true,
	"lateral_movement": true, "command_and_control": true,
}

// Attack splits Sigma tags into ATT&CK technique ids (attack.t1059.001 →
// T1059.001) and tactic names (attack.execution → execution).
func Attack(tags []string) (techniques, tacticNames []string) {
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		rest, ok := strings.CutPrefix(t, "attack.")
		if !ok {
			continue
		}
		switch {
		case len(rest) > 1 && rest[0] == 't' && rest[1] >= '0' && rest[1] <= '9':
			techniques = append(techniques, strings.ToUpper(rest))
		case tactics[rest]:
			tacticNames = append(tacticNames, strings.ReplaceAll(rest, "_", "-"))
		}
	}
	return techniques, tacticNames
}

// EntityFields lists every field EntitiesOf reads.
func EntityFields() []string {
	var out []string
	for _, l := range [][]string{entityFields.host, entityFields.user, entityFields.src, entityFields.dst} {
		out = append(out, l...)
	}
	return out
}

// entityFields are the ECS fields each entity is read from, in order of
// preference; Windows events fall back to their winlog names.
var entityFields = struct{ host, user, src, dst []string }{
	host: []string{"host.name", "winlog.computer_name", "host.hostname"},
	user: []string{"user.name", "winlog.event_data.TargetUserName", "winlog.event_data.SubjectUserName", "winlog.event_data.User"},
	src:  []string{"source.ip", "winlog.event_data.IpAddress", "winlog.event_data.SourceIp", "winlog.event_data.SourceAddress"},
	dst:  []string{"destination.ip", "winlog.event_data.DestinationIp", "winlog.event_data.DestAddress"},
}

// EntitiesOf reads the entities of one event.
func EntitiesOf(e *event.Event) Entities {
	var en Entities
	pick := func(names []string) []string {
		for _, n := range names {
			if s := e.GetString(n); s != "" && s != "-" {
				return []string{s}
			}
		}
		return nil
	}
	en.Hosts = pick(entityFields.host)
	if len(en.Hosts) == 1 && isObserver(e, en.Hosts[0]) {
		// A firewall, proxy or IDS that names itself as the event's host
		// reports on other parties: linking alerts on it would join every
		// incident it saw into one.
		en.Hosts = nil
	}
	en.Users = pick(entityFields.user)
	en.SourceIPs = pick(entityFields.src)
	en.DestinationIPs = pick(entityFields.dst)
	return en
}

// observerFields name the device that reported an event about others
// (ECS observer.*).
var observerFields = []string{"observer.name", "observer.hostname"}

// isObserver says whether host is the name of e's observer.
func isObserver(e *event.Event, host string) bool {
	for _, f := range observerFields {
		if o := e.GetString(f); o != "" && strings.EqualFold(o, host) {
			return true
		}
	}
	return false
}

// key renders the entities as a folding key.
func (en Entities) key() string {
	var b strings.Builder
	for _, l := range [][]string{en.Hosts, en.Users, en.SourceIPs, en.DestinationIPs} {
		s := append([]string(nil), l...)
		sort.Strings(s)
		b.WriteString(strings.ToLower(strings.Join(s, ",")))
		b.WriteByte(0)
	}
	return b.String()
}
