package forward_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/queue"
)

// Issue 9, finding 4: an event whose tenant is not a valid name (300
// characters: no directory can be named after it) reaches the router in a
// batch with another tenant's event. The router must not fail the batch,
// which is already stored, nor keep the other tenant's event from its
// queue: the bad event is refused and counted, the good one queued.
func TestRouterRefusesInvalidTenant(t *testing.T) {
	set, err := queue.OpenSet(t.TempDir(), queue.SetOptions{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer set.Close()
	rt, err := forward.NewRouter([]config.Route{{Name: "all", Outputs: []string{"files"}}}, []string{"files"}, []forward.Appender{set})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	bad := &event.Event{Tenant: strings.Repeat("t", 300), Source: "s", ID: "bad", Timestamp: now}
	good := &event.Event{Tenant: "acme", Source: "s", ID: "good", Timestamp: now}
	if err := rt.Write(context.Background(), []*event.Event{bad, good}); err != nil {
		t.Fatalf("Write failed for every tenant: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	recs, err := set.Read(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Tenant != "acme" {
		t.Fatalf("queued %+v, want acme's event alone", recs)
	}
	if st := set.Status(); len(st) != 1 {
		t.Fatalf("%d tenant queues, want 1", len(st))
	}
}
