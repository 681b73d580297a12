package detect

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// MaxTestAlerts bounds the alerts a rule test keeps to show: a rule that
// would have raised more is counted, its first MaxTestAlerts listed (a
// page of them is what an analyst reads before enabling a rule).
const MaxTestAlerts = 1000

// MaxTestPending bounds the matched events a rule test holds to fold in
// event-time order: 100,000 copies of ~1 KB. A rule matching more in one
// test folds each 100,000 on its own (alerts spanning two such runs may
// split).
const MaxTestPending = 100_000

// Errors of NewRuleTest.
var (
	ErrRuleNotFound = errors.New("no loaded rule has this id")
	// ErrCorrelationTest: a correlation rule needs the hits of its
	// detection rules in event-time order; `vigil hunt` runs them
	// (detect.Offline), the rule test does not yet.
	ErrCorrelationTest = errors.New("a correlation rule cannot be tested against events here: test the rules it references, or run vigil hunt")
)

// RuleTest runs one loaded detection rule over events outside the live
// path — a pasted sample, or the stored events of a period (a backtest) —
// as the engine would: the same matcher, the same level for critical
// assets, the same folding into alerts. It raises nothing; it says what
// the rule would have raised. Watch-list actions are not applied. Not
// safe for concurrent use.
type RuleTest struct {
	id    string
	level func(string, *event.Event) string
	// levelFields are the fields level reads (Config.AlertLevelFields).
	levelFields []string
	rule        *sigma.Rule
	set         *sigma.RuleSet
	m           *sigma.Matcher
	folder      *alert.Folder
	buf         []*sigma.Rule

	// Events were tested; Matches of them matched.
	Events, Matches int64
	pending         []*event.Event
	at              map[string]int
	over            map[string]struct{}
	alerts          []alert.Alert
	// More counts the alerts past MaxTestAlerts.
	More int64
}

// NewRuleTest compiles rule id (as alerts name it) of the current rule
// set on its own, so a test reads only the fields that rule needs.
func (e *Engine) NewRuleTest(id string) (*RuleTest, error) {
	st := e.cur.Load()
	if st == nil {
		return nil, ErrRuleNotFound
	}
	for _, c := range st.Correlations.Correlations() {
		if c.Ref() == id {
			return nil, ErrCorrelationTest
		}
	}
	for _, c := range st.Set.Rules() {
		if ruleID(c.Rule) != id {
			continue
		}
		comp := sigma.NewCompiler(e.cfg.Sigma)
		cr, err := comp.Compile(c.Rule)
		if err != nil {
			return nil, fmt.Errorf("compile rule %s: %w", id, err)
		}
		set := comp.NewRuleSet([]*sigma.Compiled{cr})
		return &RuleTest{id: id, level: e.level, levelFields: e.cfg.AlertLevelFields, rule: c.Rule, set: set, m: set.NewMatcher(), folder: alert.NewFolder(e.cfg.Window),
			at: map[string]int{}, over: map[string]struct{}{}}, nil
	}
	return nil, ErrRuleNotFound
}

// Fields returns the event fields a test reads — what the rule matches
// on, what says where an event comes from, the entities and the asset
// criticality an alert takes — so a backtest need read no other column;
// all is true when the rule has a keyword search, which reads any field.
func (t *RuleTest) Fields() (names []string, all bool) {
	names, all = t.set.Fields()
	names = append(names, alert.EntityFields()...)
	names = append(names, t.levelFields...)
	names = append(names, event.FieldMessage)
	slices.Sort(names)
	return slices.Compact(names), all
}

// Requirement is what a store may filter on before events reach the test
// (sigma.RuleSet.Requirement): events holding none of these literals
// cannot match. nil: every event must be tested.
func (t *RuleTest) Requirement() []store.Literal {
	lits, ok := t.set.Requirement()
	if !ok {
		return nil
	}
	out := make([]store.Literal, len(lits))
	for i, l := range lits {
		out[i] = store.Literal{Fields: l.Fields, Text: l.Text}
	}
	return out
}

// Add tests one event and reports whether the rule matched it. The event
// may be reused once Add returns: a match keeps a copy.
func (t *RuleTest) Add(ev *event.Event) bool {
	t.Events++
	t.buf = t.m.Match(ev, t.buf[:0])
	if len(t.buf) == 0 {
		return false
	}
	t.Matches++
	t.pending = append(t.pending, ev.Clone())
	if len(t.pending) >= MaxTestPending {
		t.fold()
	}
	return true
}

// fold folds the pending matches into alerts in event-time order (a scan
// finds events in no particular order; folding by time makes the alerts
// those live detection raised from the events as they came).
func (t *RuleTest) fold() {
	slices.SortStableFunc(t.pending, func(a, b *event.Event) int { return eventTime(a).Compare(eventTime(b)) })
	r, set := t.rule, t.set
	ms := make([]alert.Match, len(t.pending))
	for i, ev := range t.pending {
		ms[i] = alert.Match{RuleID: t.id, Title: r.Title, Level: t.level(r.Level, ev), Tags: r.Tags, Event: ev,
			Reason: func() *alert.Reason { return ReasonOf(set, r, ev) }}
	}
	t.pending = t.pending[:0]
	for _, a := range t.folder.Add(ms) {
		if i, ok := t.at[a.ID]; ok {
			t.alerts[i] = a
			continue
		}
		if len(t.alerts) >= MaxTestAlerts {
			if _, seen := t.over[a.ID]; !seen {
				t.over[a.ID] = struct{}{}
				t.More++
			}
			continue
		}
		t.at[a.ID] = len(t.alerts)
		t.alerts = append(t.alerts, a)
	}
}

func eventTime(e *event.Event) time.Time {
	if e.Timestamp.IsZero() {
		return e.Ingested
	}
	return e.Timestamp
}

// Alerts returns the alerts the rule would have raised (at most
// MaxTestAlerts), oldest first.
func (t *RuleTest) Alerts() []alert.Alert {
	t.fold()
	out := slices.Clone(t.alerts)
	slices.SortStableFunc(out, func(a, b alert.Alert) int { return a.First.Compare(b.First) })
	return out
}
