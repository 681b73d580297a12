package embedded

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

func TestScanReadsEveryEventOfTheTenantAndRange(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var evs []*event.Event
	// more than a search's row limit, so a scan must not stop at it
	const n = store.MaxLimit + 5
	for i := range n {
		e := &event.Event{Timestamp: t0.Add(time.Duration(i) * time.Second), Tenant: "acme", ID: fmt.Sprintf("a%d", i)}
		e.SetString("host.name", fmt.Sprintf("h%d", i%3))
		evs = append(evs, e)
	}
	other := &event.Event{Timestamp: t0, Tenant: "globex", ID: "g1"}
	other.SetString("host.name", "h0")
	evs = append(evs, other)
	if err := s.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	count := func(req store.Request) (int, error) {
		got := 0
		err := s.Scan(ctx, req, func(r store.Row) error {
			if r.Text("vigil.tenant") != req.Tenant {
				return fmt.Errorf("row of tenant %q", r.Text("vigil.tenant"))
			}
			got++
			return nil
		})
		return got, err
	}
	if got, err := count(store.Request{Tenant: "acme"}); err != nil || got != n {
		t.Fatalf("all of acme: %d, %v; want %d", got, err, n)
	}
	if got, err := count(store.Request{Tenant: "acme", From: t0, To: t0.Add(10 * time.Second), Query: "host.name:h1"}); err != nil || got != 3 {
		t.Fatalf("h1 in 10 s: %d, %v; want 3", got, err)
	}
	if _, err := count(store.Request{Tenant: "acme", Query: "* | stats count() by host.name"}); !errors.Is(err, store.ErrBadRequest) {
		t.Fatalf("stats: %v, want a bad request", err)
	}
	stop := errors.New("enough")
	if err := s.Scan(ctx, store.Request{Tenant: "acme"}, func(store.Row) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: %v", err)
	}
}
