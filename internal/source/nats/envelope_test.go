package nats

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// claimEvent is an event that names another tenant, source and id.
func claimEvent(tenant, msg string) *event.Event {
	e := &event.Event{Tenant: tenant, Source: "beta-hec", ID: "chosen-id", Timestamp: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	e.Set("message", event.String(msg))
	return e
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, cond)
}

// Issue 9, findings 1 and 4, on the NATS path. By default a message cannot
// choose its tenant, source or id (binary or JSON); with trust_envelope,
// the carried envelope is kept, but a tenant that is not a valid name is
// dead-lettered and never stored.
func TestMessageEnvelope(t *testing.T) {
	srv, js := runServer(t)
	bin, _ := claimEvent("beta", "binary claim").AppendBinary(nil)
	long, _ := claimEvent(strings.Repeat("t", 300), "long tenant").AppendBinary(nil)
	values := [][]byte{bin, claimEvent("beta", "json claim").AppendJSON(nil), long}
	for _, v := range values {
		if _, err := js.Publish(context.Background(), "events.x", v); err != nil {
			t.Fatal(err)
		}
	}

	s := &sink{}
	cfg := testConfig(srv.ClientURL())
	cfg.TrustEnvelope, cfg.Consumer = false, "untrusted"
	stop := runSource(t, cfg, newPipeline(t, s))
	s.wait(t, 3)
	stop()
	for _, e := range s.events {
		seq := map[string]int{"binary claim": 1, "json claim": 2, "long tenant": 3}[e.Message()]
		want := event.NewID("default", "nats-in", "EVENTS:"+strconv.Itoa(seq), 0, values[seq-1])
		if e.Tenant != "default" || e.Source != "nats-in" || e.ID != want {
			t.Errorf("untrusted %q: tenant %q source %q id %q, want default/nats-in/%s", e.Message(), e.Tenant, e.Source, e.ID, want)
		}
	}

	s = &sink{}
	cfg.TrustEnvelope, cfg.Consumer = true, "trusted"
	stop = runSource(t, cfg, newPipeline(t, s))
	defer stop()
	waitFor(t, "2 events and 1 dead letter", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.events) == 2 && s.dead == 1
	})
	for _, e := range s.events {
		if e.Tenant != "beta" || e.ID != "chosen-id" || e.Source != "beta-hec" {
			t.Errorf("trusted event lost its envelope: %s", e.AppendJSON(nil))
		}
	}
}
