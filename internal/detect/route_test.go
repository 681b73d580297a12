package detect

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/event"
)

// TestRouteHits: with Config.Route (correlation sharded over a bus) the
// hits of a Write go to Route, projected with the current rules, and the
// engine counts none itself; the chained correlation of the file loads
// too (the owners route its inner firings); a Route that fails fails the
// Write, so the caller consumes the events again.
func TestRouteHits(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "mr_bruteforce.yml"), bruteForce)
	sink := &memSink{}
	var routed []correlate.Hit
	var routeErr error
	eng, err := New(Config{Dirs: []string{dir}, Lateness: time.Minute, StateDir: t.TempDir(),
		Route: func(_ context.Context, set *correlate.Set, hits []correlate.Hit) error {
			if !set.Chained() {
				t.Error("Route got a set without the chained correlation")
			}
			if routeErr != nil {
				return routeErr
			}
			routed = append(routed, hits...)
			return nil
		}}, sink)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	st := eng.Status()
	if st.Correlations != 2 || len(st.Rejected) != 0 {
		t.Fatalf("status: %d correlations, rejected %+v; want many_failed and its chain loaded", st.Correlations, st.Rejected)
	}
	var evs []*event.Event
	for i := range 6 {
		evs = append(evs, logon("f"+string(rune('0'+i)), 4625, "bob", "10.0.0.9", time.Duration(i)*time.Second))
	}
	if err := eng.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if len(routed) != 6 {
		t.Fatalf("routed %d hits, want 6", len(routed))
	}
	if ids := hitIDs(routed); !slices.Equal(ids, []string{"f0", "f1", "f2", "f3", "f4", "f5"}) {
		t.Errorf("routed hits %v", ids)
	}
	for _, a := range sink.alerts {
		if a.Correlation != nil {
			t.Errorf("the engine raised correlation alert %q itself", a.Title)
		}
	}
	if s := eng.Status().Correlation; s.Groups != 0 || s.Hits != 0 {
		t.Errorf("the local correlation engine counted %d hits in %d groups, want none", s.Hits, s.Groups)
	}
	routeErr = errors.New("brokers down")
	if err := eng.Write(context.Background(), evs[:1]); !errors.Is(err, routeErr) {
		t.Errorf("Write with a failing Route: %v", err)
	}
}

func hitIDs(hits []correlate.Hit) []string {
	var ids []string
	for _, h := range hits {
		ids = append(ids, h.ID)
	}
	return ids
}
