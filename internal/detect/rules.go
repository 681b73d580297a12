package detect

import (
	"io/fs"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// Rules is one loaded generation of rules: the detection rules compiled
// into a rule set and the correlation rules compiled over them.
type Rules struct {
	Set          *sigma.RuleSet
	Correlations *correlate.Set
	// Files is how many rule files were read.
	Files int
	// Rejected holds a *sigma.FileError for every rule or file that did
	// not load, detection and correlation rules alike.
	Rejected []error
	// Disabled is how many rules the configuration left out; Silent are
	// those it disabled that a correlation still needs (no alert of
	// their own).
	Disabled int
	Silent   map[*sigma.Rule]bool
}

// Active is how many rules can raise alerts or feed correlations: those
// loaded, less the silent ones.
func (r *Rules) Active() int { return r.Len() - len(r.Silent) }

// Len is the number of rules that loaded.
func (r *Rules) Len() int { return r.Set.Len() + r.Correlations.Len() }

// LoadRules loads the detection and correlation rules below paths. A bad
// rule is reported in Rejected and the others load; the error is for
// paths that cannot be listed.
func LoadRules(cfg sigma.Config, paths ...string) (*Rules, error) {
	return LoadRulesFS(cfg, nil, paths...)
}

// LoadRulesFS is LoadRules over the rule files of fsys (the built-in pack;
// nil: none) and those below paths.
func LoadRulesFS(cfg sigma.Config, fsys fs.FS, paths ...string) (*Rules, error) {
	return loadRules(cfg, fsys, paths...)
}

// loadRules loads the rules.
func loadRules(cfg sigma.Config, fsys fs.FS, paths ...string) (*Rules, error) {
	res, err := sigma.LoadAll(cfg, fsys, paths...)
	if err != nil {
		return nil, err
	}
	base := make([]*sigma.Rule, 0, res.Set.Len())
	for _, c := range res.Set.Rules() {
		base = append(base, c.Rule)
	}
	cs, errs := correlate.Compile(res.Correlations, base)
	return &Rules{Set: res.Set, Correlations: cs, Files: res.Files, Rejected: append(res.Rejected, errs...),
		Disabled: res.Disabled, Silent: res.Silent}, nil
}

// Emits reports whether a match of detection rule r raises an alert of
// its own: not when a correlation referencing it does not generate it, nor
// when its watch-list section says `alert: false`.
func (r *Rules) Emits(rule *sigma.Rule) bool {
	if r.Silent[rule] {
		return false
	}
	if rule.Watchlist != nil && !rule.Watchlist.Alert {
		return false
	}
	return r.Correlations.Emits(rule)
}

// EventTime is the time correlations see an event at: its @timestamp (or,
// without one, when it was received, or now), but never more than
// maxFuture past when it was received (or now, for events that were not
// received live): a host whose clock runs ahead must not advance its
// tenant's event time and close every other host's windows early.
// maxFuture < 0 turns the bound off.
func EventTime(e *event.Event, now time.Time, maxFuture time.Duration) time.Time {
	ref := e.Ingested
	if ref.IsZero() {
		ref = now
	}
	t := e.Timestamp
	if t.IsZero() {
		return ref
	}
	if maxFuture >= 0 && t.After(ref.Add(maxFuture)) {
		return ref.Add(maxFuture)
	}
	return t
}

// CorrelationAlert is the alert of a correlation firing.
func CorrelationAlert(f correlate.Firing) alert.Alert {
	r := f.Corr.Rule
	tech, tact := alert.Attack(r.Tags)
	group := make(map[string]string, len(f.Group))
	for _, g := range f.Group {
		group[g.Name] = g.Value
	}
	ids := f.EventIDs
	if ids == nil {
		ids = []string{}
	}
	return alert.Alert{
		ID: f.ID, Tenant: f.Tenant, RuleID: f.Corr.Ref(), Title: r.Title, Level: f.Corr.Level(),
		Tags: append([]string(nil), r.Tags...), Techniques: tech, Tactics: tact,
		First: f.First, Last: f.Last, Count: int(f.Count), EventIDs: append([]string(nil), ids...),
		Entities: f.Entities(), Status: alert.StatusOpen,
		Correlation: &alert.Correlation{Type: f.Corr.Type().String(), Group: group, Value: f.Value,
			Timespan: r.Correlation.TimespanText, AlertIDs: append([]string(nil), f.AlertIDs...)},
		Reason: (*recentHits)(nil).reason(f),
	}
}
