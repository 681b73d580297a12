package detect

import (
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// ReasonOf explains why rule r of set matched e, for the alert it opens.
func ReasonOf(set *sigma.RuleSet, r *sigma.Rule, e *event.Event) *alert.Reason {
	ex, ok := set.Explain(r, e)
	if !ok {
		return nil
	}
	rs := &alert.Reason{Selections: make([]alert.ReasonSelection, 0, len(ex.Selections))}
	for _, s := range ex.Selections {
		sel := alert.ReasonSelection{Name: s.Name, Fields: make([]alert.ReasonField, 0, len(s.Fields))}
		for _, f := range s.Fields {
			sel.Fields = append(sel.Fields, alert.ReasonField{Field: f.Field, Modifier: f.Modifier, Value: f.Value, EventField: f.EventField})
		}
		rs.Selections = append(rs.Selections, sel)
	}
	return rs
}

// maxRecentHits bounds the correlation hits remembered to explain the
// alerts of correlations: 64Ki hits of ~150 bytes are ~10 MiB, and hold
// the contributing events of every correlation whose hits are not
// drowned by more than 64Ki hits of other rules within its timespan.
const maxRecentHits = 1 << 16

// recentHits remembers the latest correlation hits by event id, so the
// alert of a firing can name the key fields of its contributing events.
// The correlation state itself keeps only times and hashes; what is not
// remembered any more (an old event, or one before a restart) is left out
// of the reason. It is safe for concurrent use.
type recentHits struct {
	mu   sync.Mutex
	max  int
	byID map[string]int
	ring []correlate.Hit // grows to max, then wraps at next
	next int
}

func newRecentHits(n int) *recentHits {
	return &recentHits{max: n, byID: map[string]int{}}
}

// add remembers hits (those with an event id).
func (r *recentHits) add(hits []correlate.Hit) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, h := range hits {
		if h.ID == "" {
			continue
		}
		if len(r.ring) < r.max {
			r.byID[h.ID] = len(r.ring)
			r.ring = append(r.ring, h)
			continue
		}
		old := r.ring[r.next]
		if i, ok := r.byID[old.ID]; ok && i == r.next {
			delete(r.byID, old.ID)
		}
		r.ring[r.next] = h
		r.byID[h.ID] = r.next
		r.next = (r.next + 1) % r.max
	}
}

// reason is the reason of a correlation firing.
func (r *recentHits) reason(f correlate.Firing) *alert.Reason {
	rs := &alert.Reason{Group: make(map[string]string, len(f.Group))}
	for _, g := range f.Group {
		rs.Group[g.Name] = g.Value
	}
	if r == nil {
		return rs
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range f.EventIDs {
		if len(rs.Events) >= alert.MaxEventIDs {
			break
		}
		i, ok := r.byID[id]
		if !ok {
			continue
		}
		h := r.ring[i]
		ev := alert.ReasonEvent{ID: h.ID, Rule: h.Rule, Time: time.Unix(0, h.Time).UTC()}
		if len(h.Fields) > 0 {
			ev.Fields = make(map[string]string, len(h.Fields))
			for _, fl := range h.Fields {
				ev.Fields[fl.Name] = fl.Value
			}
		}
		rs.Events = append(rs.Events, ev)
	}
	return rs
}
