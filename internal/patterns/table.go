package patterns

import (
	"strings"
	"sync"
	"time"
)

// Table is the pattern table of one tenant and source: a miner, the
// statistics of its patterns, and the learning period after which a
// never-seen template is signalled as new.
type Table struct {
	Tenant, Source string

	mu    sync.Mutex
	miner *Miner
	learn Learning
	// events counts the messages mined; first and last are the earliest
	// and latest event times seen.
	events      int64
	first, last time.Time
	learned     bool
}

// Learning says when a table has seen enough of its source for a new
// template to be news: both at least Events messages and Period of event
// time since the first (event time, so replayed history trains it too).
type Learning struct {
	Events int64
	Period time.Duration
}

// Result is what mining one message gave.
type Result struct {
	ID, Template string
	// Count is the pattern's count including this message.
	Count int64
	// New is true for the first message of a template never seen before,
	// once the table has finished learning.
	New bool

	p *Pattern // for the accuracy test: the pattern's final form
}

func newTable(tenant, source string, mo MinerOptions, l Learning) *Table {
	return &Table{Tenant: tenant, Source: source, miner: NewMiner(mo), learn: l}
}

// Observe mines msg of an event with time t and id.
func (t *Table) Observe(msg string, at time.Time, id string) Result {
	t.mu.Lock()
	defer t.mu.Unlock()
	p, created := t.miner.Add(msg)
	p.observe(at, id)
	t.events++
	if t.first.IsZero() || at.Before(t.first) {
		t.first = at
	}
	if at.After(t.last) {
		t.last = at
	}
	r := Result{ID: p.ID, Template: p.Template, Count: p.Count, New: created && t.learned, p: p}
	if !t.learned && t.events >= t.learn.Events && t.last.Sub(t.first) >= t.learn.Period {
		t.learned = true
	}
	return r
}

// Learned reports whether the learning period is over.
func (t *Table) Learned() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.learned
}

// Info is a copy of a pattern's statistics, safe to keep.
type Info struct {
	Tenant    string      `json:"tenant"`
	Source    string      `json:"source"`
	ID        string      `json:"id"`
	Template  string      `json:"template"`
	Name      string      `json:"name,omitempty"`
	Count     int64       `json:"count"`
	FirstSeen time.Time   `json:"first_seen"`
	LastSeen  time.Time   `json:"last_seen"`
	Example   string      `json:"example"`
	Samples   []string    `json:"sample_event_ids"`
	Hours     []HourCount `json:"hours"`
	// FormerIDs are the ids the pattern had before its template widened.
	FormerIDs []string `json:"former_ids"`
}

func (t *Table) info(p *Pattern) Info {
	return Info{Tenant: t.Tenant, Source: t.Source, ID: p.ID, Template: p.Template, Name: p.Name, Count: p.Count,
		FirstSeen: p.FirstSeen, LastSeen: p.LastSeen, Example: p.Example,
		Samples: append([]string{}, p.Samples...), Hours: append([]HourCount{}, p.Hours...),
		FormerIDs: append([]string{}, p.Former...)}
}

// List returns the patterns whose template or name contains q (case
// insensitive; all when q is empty), most recently seen first.
func (t *Table) List(q string) []Info {
	q = strings.ToLower(q)
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []Info
	t.miner.Patterns(func(p *Pattern) bool {
		if q == "" || strings.Contains(strings.ToLower(p.Template), q) || strings.Contains(strings.ToLower(p.Name), q) {
			out = append(out, t.info(p))
		}
		return true
	})
	return out
}

// Get returns the pattern with id, or the one that had it before its
// template widened.
func (t *Table) Get(id string) (Info, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p := t.byID(id); p != nil {
		return t.info(p), true
	}
	return Info{}, false
}

// Rename names the pattern with id; it reports whether there is one.
func (t *Table) Rename(id, name string) (Info, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.byID(id)
	if p == nil {
		return Info{}, false
	}
	p.Name = name
	return t.info(p), true
}

func (t *Table) byID(id string) *Pattern {
	var found *Pattern
	t.miner.Patterns(func(p *Pattern) bool {
		if p.ID == id {
			found = p
			return false
		}
		return true
	})
	if found == nil {
		t.miner.Patterns(func(p *Pattern) bool {
			for _, f := range p.Former {
				if f == id {
					found = p
					return false
				}
			}
			return true
		})
	}
	return found
}

// Len is the number of patterns in the table.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.miner.Len()
}
