package audit

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// memSink keeps what it is given; fail makes it refuse.
type memSink struct {
	mu   sync.Mutex
	evs  []*event.Event
	fail bool
}

func (s *memSink) WriteAudit(_ context.Context, evs []*event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail {
		return errors.New("disk full")
	}
	s.evs = append(s.evs, evs...)
	return nil
}

// TestLogWritesEveryEntry: every entry recorded before Close is stored,
// in order, as an event with the ECS fields, its tenant (SystemTenant
// when none) and a distinct id.
func TestLogWritesEveryEntry(t *testing.T) {
	sink := &memSink{}
	l := New(sink, slog.New(slog.DiscardHandler), nil)
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	const n = 5000 // more than the queue, so Record blocks and waits
	for i := range n {
		e := Entry{Time: at, User: "ana", Role: "analyst", SourceIP: "192.0.2.1", Action: "search", Category: "database",
			Outcome: Success, Method: "GET", Path: "/api/v1/search", Status: 200, Fields: map[string]string{"vigil.search.query": "x"}}
		if i%2 == 1 {
			e.Tenant = "acme"
		}
		l.Record(e)
	}
	l.Close()
	if len(sink.evs) != n {
		t.Fatalf("stored %d entries, want %d", len(sink.evs), n)
	}
	ids := map[string]bool{}
	for i, ev := range sink.evs {
		ids[ev.ID] = true
		want := SystemTenant
		if i%2 == 1 {
			want = "acme"
		}
		if ev.Tenant != want || ev.Source != Source || !ev.Timestamp.Equal(at) {
			t.Fatalf("entry %d: tenant %q source %q time %v", i, ev.Tenant, ev.Source, ev.Timestamp)
		}
	}
	if len(ids) != n {
		t.Errorf("%d distinct ids for %d entries", len(ids), n)
	}
	ev := sink.evs[0]
	for k, want := range map[string]string{"user.name": "ana", "user.roles": "analyst", "source.ip": "192.0.2.1",
		"event.action": "search", "event.outcome": "success", "url.path": "/api/v1/search", "http.response.status_code": "200",
		"vigil.search.query": "x", "event.dataset": "vigil.audit",
		"message": "ana search (GET /api/v1/search): success"} {
		v, ok := ev.Get(k)
		if !ok || v.Text() != want {
			t.Errorf("%s = %v, want %q", k, v, want)
		}
	}
	// After Close an entry goes to the process log rather than block.
	l.Record(Entry{Action: "late"})
}

// TestLogKeepsRefusedEntries: when the store refuses, the entries are
// counted and logged, not silently lost, and the writer goes on.
func TestLogKeepsRefusedEntries(t *testing.T) {
	sink := &memSink{fail: true}
	l := New(sink, slog.New(slog.DiscardHandler), nil)
	l.Record(Entry{Action: "freeze", Outcome: Success})
	l.Close()
	if got := l.failedCount(); got != 1 {
		t.Errorf("refused entries counted %v, want 1", got)
	}
}
