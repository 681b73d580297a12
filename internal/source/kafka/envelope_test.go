package kafka

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// produceValues writes raw record values to topic "events" (one partition).
func produceValues(t *testing.T, addr string, values ...[]byte) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("events"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for _, v := range values {
		recs = append(recs, &kgo.Record{Value: v})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// claimEvent is an event that names another tenant, source and id.
func claimEvent(tenant, msg string) *event.Event {
	e := &event.Event{Tenant: tenant, Source: "beta-hec", ID: "chosen-id", Timestamp: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC),
		Original: msg}
	e.Set("message", event.String(msg))
	e.Set("source.ip", event.String("6.6.6.6"))
	return e
}

// waitFor polls cond until it holds (20 s at most).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.Eventually(t, what, cond)
}

// Issue 9, finding 1, on the Kafka path: by default a record cannot choose
// its tenant, source or id, in either encoding: every event belongs to the
// source's tenant and name, with the id of its offset.
func TestRecordCannotChooseItsEnvelope(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	bin, _ := claimEvent("beta", "binary claim").AppendBinary(nil)
	js := claimEvent("beta", "json claim").AppendJSON(nil)
	produceValues(t, addr, bin, js)
	s := &sink{}
	p := newPipeline(t, s)
	cfg := testConfig(addr)
	cfg.TrustEnvelope = false
	stop := runSource(t, cfg, p)
	defer stop()
	s.wait(t, 2)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range s.events {
		values := map[string][]byte{"binary claim": bin, "json claim": js}
		offset := map[string]string{"binary claim": "0", "json claim": "1"}
		msg := e.Message()
		if e.Tenant != "default" || e.Source != "kafka-in" {
			t.Errorf("%s: tenant %q source %q, want the source's default/kafka-in", msg, e.Tenant, e.Source)
		}
		if want := event.NewID("default", "kafka-in", "events:0:"+offset[msg], 0, values[msg]); e.ID != want {
			t.Errorf("%s: id %q, want %q (made from the offset)", msg, e.ID, want)
		}
	}
}

// Issue 9, finding 4, on the Kafka path: with trust_envelope, an event
// carrying a tenant that is not a valid name (300 characters, a path) is
// dead-lettered in the source's tenant and never stored or queued; events
// of valid tenants in the same poll are stored with their tenant.
func TestTrustedEnvelopeRefusesBadTenant(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	long, _ := claimEvent(strings.Repeat("t", 300), "long tenant").AppendBinary(nil)
	path := claimEvent("../../etc", "path tenant").AppendJSON(nil)
	good, _ := claimEvent("acme", "good tenant").AppendBinary(nil)
	produceValues(t, addr, long, path, good)
	s := &sink{}
	p := newPipeline(t, s)
	stop := runSource(t, testConfig(addr), p)
	defer stop()
	waitFor(t, "1 event and 2 dead letters", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.events) == 1 && len(s.dead) == 2
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if e := s.events[0]; e.Tenant != "acme" || e.ID != "chosen-id" || e.Source != "beta-hec" {
		t.Errorf("trusted event lost its envelope: %s", e.AppendJSON(nil))
	}
	for _, dl := range s.dead {
		if dl.Tenant != "default" || dl.Source != "kafka-in" || !strings.Contains(dl.Reason, "invalid tenant") {
			t.Errorf("dead letter tenant %q source %q reason %q", dl.Tenant, dl.Source, dl.Reason)
		}
	}
}
