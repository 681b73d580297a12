package entity

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// TestCountPeerFor: the owner of a value counts each entity once, as one
// engine does, remembers at most min_peers+1 of them (past them the value
// is common: every count is min_peers or more), and its counts survive
// State and Restore.
func TestCountPeerFor(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{}, "")
	at := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	run := &event.Event{Timestamp: at, Tenant: "acme", ID: "r1"}
	count := func(e *Engine, host string) int {
		t.Helper()
		n, err := e.CountPeerFor(run, PeerRef{Analytic: "host_rare_process", Value: "tool.exe", Entity: Ref{Type: "host", Name: host}})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	// host_rare_process: min_peers 2
	for i, want := range []int{0, 0, 1, 1, 2} {
		if got := count(e, []string{"h0", "h0", "h1", "h0", "h2"}[i]); got != want {
			t.Fatalf("sighting %d: %d other hosts, want %d", i, got, want)
		}
	}
	for i := range 100 {
		if got := count(e, fmt.Sprintf("x%d", i)); got < 2 {
			t.Fatalf("host x%d: %d others, want at least min_peers 2", i, got)
		}
	}
	if got := count(e, "h1"); got != 2 {
		t.Fatalf("h1 again: %d others, want 2", got)
	}
	e.peersMu.Lock()
	n := len(e.peers["acme\x00host_rare_process"]["tool.exe"].Ents)
	e.peersMu.Unlock()
	if n != 3 {
		t.Fatalf("remembers %d hosts, want min_peers+1 = 3", n)
	}
	b, err := e.State()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := newEngine(t, config.Analytics{}, "")
	if err := r.Restore(b); err != nil {
		t.Fatal(err)
	}
	if got := count(r, "h0"); got != 2 {
		t.Fatalf("h0 after a restore: %d others, want 2", got)
	}
	if _, err := e.CountPeerFor(run, PeerRef{Analytic: "user_new_country", Value: "SE", Entity: Ref{Type: "user", Name: "a"}}); err == nil {
		t.Fatal("counted peers for an analytic without min_peers")
	}
}
