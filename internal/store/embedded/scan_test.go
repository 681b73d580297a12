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
		e.Original = "the original record"
		e.Set("port", event.Int(int64(i)))
		if i%5 == 0 {
			e.SetString("message", "Failed Password for root")
		} else {
			e.SetString("message", "accepted")
		}
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
		_, err := s.Scan(ctx, req, store.ScanOptions{}, func(r store.Row) error {
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
	// only the fields asked for (and the envelope) are read
	got := 0
	if _, err := s.Scan(ctx, store.Request{Tenant: "acme", Query: "host.name:h2"}, store.ScanOptions{Fields: []string{"host.name"}}, func(r store.Row) error {
		got++
		if r.Text("host.name") != "h2" || r.Text("event.id") == "" || r.Text("@timestamp") == "" {
			return fmt.Errorf("row %v", r)
		}
		if _, ok := r.Get("event.original"); ok {
			return fmt.Errorf("original read: %v", r)
		}
		return nil
	}); err != nil || got != n/3 {
		t.Fatalf("fields: %d rows, %v; want %d", got, err, n/3)
	}
	// AnyOf filters in DuckDB, never dropping an event that meets it
	scanCount := func(opt store.ScanOptions) int {
		got := 0
		st, err := s.Scan(ctx, store.Request{Tenant: "acme"}, opt, func(store.Row) error { got++; return nil })
		if err != nil || st.Read != int64(got) || st.InRange != n {
			t.Fatalf("scan: %+v, %v; read %d of %d", st, err, got, n)
		}
		return got
	}
	failed := store.Literal{Fields: []string{"message"}, Text: "failed password"}
	if got := scanCount(store.ScanOptions{AnyOf: []store.Literal{failed}}); got != (n+4)/5 {
		t.Fatalf("AnyOf message: %d rows, want %d", got, (n+4)/5)
	}
	// a field whose column is not text: no filter (its SQL text could differ)
	if got := scanCount(store.ScanOptions{AnyOf: []store.Literal{failed, {Fields: []string{"port"}, Text: "7"}}}); got != n {
		t.Fatalf("AnyOf with a number column: %d rows, want all %d", got, n)
	}
	// a field without a column cannot hold the literal: only the others count
	if got := scanCount(store.ScanOptions{AnyOf: []store.Literal{failed, {Fields: []string{"no.such.field"}, Text: "x"}}}); got != (n+4)/5 {
		t.Fatalf("AnyOf with an absent field: %d rows, want %d", got, (n+4)/5)
	}
	stop := errors.New("enough")
	if _, err := s.Scan(ctx, store.Request{Tenant: "acme"}, store.ScanOptions{}, func(store.Row) error { return stop }); !errors.Is(err, stop) {
		t.Fatalf("fn's error: %v", err)
	}
}
