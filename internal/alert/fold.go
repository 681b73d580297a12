package alert

import (
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// DefaultWindow is how long after an alert's first event a duplicate (same
// tenant, rule and entities) still folds into it: 10 minutes keeps a burst
// of one attack in one alert without hiding a repeat an hour later.
const DefaultWindow = 10 * time.Minute

// maxOpen bounds the alerts a Folder tracks; past it the oldest are
// forgotten (a later duplicate then opens a new alert), so memory stays
// bounded whatever the event rate. Alerts that no event can fold into any
// more go sooner (expire): 100k of them were ~100 MB of heap.
const maxOpen = 100_000

// Match is one event that matched one rule.
type Match struct {
	RuleID, Title, Level string
	Tags                 []string
	Event                *event.Event
	// Reason, when set, says why the rule matched Event; it is called
	// only for a match that opens a new alert, so folded repeats cost
	// nothing.
	Reason func() *Reason
}

// Folder folds matches into alerts. It is safe for concurrent use.
type Folder struct {
	window time.Duration
	newID  func(tenant, rule, key string, first time.Time) string

	now    func() time.Time
	mu     sync.Mutex
	open   map[string]*Alert
	fifo   []opened  // in the order opened; an alert replaced in open stays until it reaches the front
	latest time.Time // the newest event time folded
}

type opened struct {
	key string
	a   *Alert
}

// NewFolder returns a folder with the given window (<= 0: DefaultWindow).
func NewFolder(window time.Duration) *Folder {
	if window <= 0 {
		window = DefaultWindow
	}
	return &Folder{window: window, open: map[string]*Alert{}, newID: alertID, now: time.Now}
}

func alertID(tenant, rule, key string, first time.Time) string {
	return event.NewID(tenant, "alert", rule, 0, []byte(key+first.UTC().Format(time.RFC3339Nano)))
}

// Add folds matches and returns the alerts they created or updated (each
// once, as it stands after the batch). Event time decides the window, so
// replays and offline hunts fold the same way as live traffic.
func (f *Folder) Add(ms []Match) []Alert {
	f.mu.Lock()
	defer f.mu.Unlock()
	touched := map[*Alert]bool{}
	var order []*Alert
	for _, m := range ms {
		e := m.Event
		tenant := e.Tenant
		if tenant == "" {
			tenant = event.DefaultTenant
		}
		t := e.Timestamp
		if t.IsZero() {
			t = e.Ingested
		}
		en := EntitiesOf(e)
		key := tenant + "\x00" + m.RuleID + "\x00" + en.key()
		a := f.open[key]
		if a != nil && t.Sub(a.First) > f.window {
			a = nil // the window has passed: a new alert
		}
		if a == nil {
			tech, tact := Attack(m.Tags)
			a = &Alert{Tenant: tenant, RuleID: m.RuleID, Title: m.Title, Level: m.Level,
				Tags: m.Tags, Techniques: tech, Tactics: tact, First: t, Last: t,
				Entities: en, Status: StatusOpen}
			a.ID = f.newID(tenant, m.RuleID, en.key(), t)
			if m.Reason != nil {
				a.Reason = m.Reason()
			}
			f.fifo = append(f.fifo, opened{key, a})
			f.open[key] = a
			f.evict()
		}
		a.Count++
		if t.Before(a.First) {
			a.First = t
		}
		if t.After(a.Last) {
			a.Last = t
		}
		if len(a.EventIDs) < MaxEventIDs && e.ID != "" {
			a.EventIDs = append(a.EventIDs, e.ID)
		}
		if !touched[a] {
			touched[a] = true
			order = append(order, a)
		}
		if t.After(f.latest) {
			f.latest = t
		}
	}
	f.expire()
	out := make([]Alert, 0, len(order))
	for _, p := range order {
		a := *p
		a.EventIDs = append([]string(nil), a.EventIDs...)
		a.Tags = append([]string(nil), a.Tags...)
		out = append(out, a)
	}
	return out
}

// expire forgets the alerts whose window closed more than a window
// before the newest event time folded (no later than the wall clock, so
// one event from the future does not expire the rest): only an event that
// late would still fold into them, and it opens a new alert instead, as
// one past maxOpen does. It stops at the first alert, in the order they
// were opened, that has not expired, so an alert of older events (an
// import running beside live traffic) stays at least until every alert
// opened before it has expired.
func (f *Folder) expire() {
	cut := f.latest
	if now := f.now(); cut.After(now) {
		cut = now
	}
	cut = cut.Add(-2 * f.window)
	for len(f.fifo) > 0 && f.fifo[0].a.First.Before(cut) {
		f.pop()
	}
}

// pop forgets the alert first opened, unless a newer one replaced it.
func (f *Folder) pop() {
	o := f.fifo[0]
	if f.open[o.key] == o.a {
		delete(f.open, o.key)
	}
	f.fifo[0] = opened{}
	f.fifo = f.fifo[1:]
}

func (f *Folder) evict() {
	for len(f.open) > maxOpen && len(f.fifo) > 0 {
		f.pop()
	}
}
