package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	promtest "github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// openBus starts a kfake broker and opens a bus on it through the
// configuration, as vigil.yaml gives it.
func openBus(t testing.TB) (*Bus, *kfake.Cluster) {
	t.Helper()
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	var cfg config.Config
	if err := yaml.Unmarshal([]byte(fmt.Sprintf("bus: {kafka: {brokers: [%q], topic_prefix: test, partitions: 4, publish_timeout: 1s, dial_timeout: 1s}}", c.ListenAddrs()[0])), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if !cfg.Bus.On() || cfg.Bus.Kafka.Prefix() != "test" {
		t.Fatalf("bus config %+v", cfg.Bus)
	}
	b, err := Open(context.Background(), cfg.Bus, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b, c
}

func testEvent(tenant string, i int) *event.Event {
	msg := fmt.Sprintf("bus event %d", i)
	e := &event.Event{Timestamp: time.Unix(1_790_000_000+int64(i), 0).UTC(), Tenant: tenant, Source: "web",
		Original: msg, ID: event.NewID(tenant, "web", fmt.Sprint(i), 0, []byte(msg))}
	e.Set("message", event.String(msg))
	e.Set("host.name", event.String(fmt.Sprintf("host-%d", i%3)))
	return e
}

// collector gathers what a handler was given, by id.
type collector struct {
	mu   sync.Mutex
	seen map[string]*event.Event
	n    int
}

func (c *collector) handle(_ context.Context, es []*event.Event) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range es {
		c.seen[e.ID] = e
		c.n++
	}
	return nil
}

func (c *collector) len() int { c.mu.Lock(); defer c.mu.Unlock(); return len(c.seen) }

// TestEventsRoundTrip: events published are consumed with their envelope
// and fields, and the events of one host share a partition.
func TestEventsRoundTrip(t *testing.T) {
	b, _ := openBus(t)
	ctx := context.Background()
	var sent []*event.Event
	for i := range 30 {
		sent = append(sent, testEvent([]string{"acme", "globex"}[i%2], i))
	}
	if err := b.EventSink().Write(ctx, sent); err != nil {
		t.Fatal(err)
	}
	got := &collector{seen: map[string]*event.Event{}}
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.ConsumeEvents(cctx, Consumer{Group: b.Group("store")}, got.handle) }()
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return got.len() == len(sent) }) {
		t.Fatalf("consumed %d of %d", got.len(), len(sent))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, e := range sent {
		g := got.seen[e.ID]
		if g == nil || g.Tenant != e.Tenant || g.Source != e.Source || g.Message() != e.Message() || !g.Timestamp.Equal(e.Timestamp) {
			t.Fatalf("event %s came back as %+v", e.ID, g)
		}
	}
	// Keys: one partition per tenant and host.
	cl, err := kgo.NewClient(append(b.opts, kgo.ConsumeTopics(b.EventsTopic()), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	parts := map[string]map[int32]bool{}
	for n := 0; n < len(sent); {
		pctx, pcancel := context.WithTimeout(ctx, testutil.WaitTimeout)
		fs := cl.PollFetches(pctx)
		expired := pctx.Err() != nil
		pcancel()
		if expired {
			t.Fatalf("read back %d of %d records", n, len(sent))
		}
		fs.EachRecord(func(r *kgo.Record) {
			n++
			k := string(r.Key)
			if parts[k] == nil {
				parts[k] = map[int32]bool{}
			}
			parts[k][r.Partition] = true
		})
	}
	if len(parts) != 6 {
		t.Errorf("%d keys, want 6 (2 tenants × 3 hosts): %v", len(parts), parts)
	}
	for k, ps := range parts {
		if len(ps) != 1 {
			t.Errorf("key %q in partitions %v", k, ps)
		}
	}
}

// TestUncommittedBatchIsReadAgain: a batch whose handler failed is handed
// again, and a consumer stopped before its handler succeeded leaves the
// batch to the next member of the group: nothing acknowledged is lost.
func TestUncommittedBatchIsReadAgain(t *testing.T) {
	b, _ := openBus(t)
	ctx := context.Background()
	var sent []*event.Event
	for i := range 10 {
		sent = append(sent, testEvent("acme", i))
	}
	if err := b.PublishEvents(ctx, sent); err != nil {
		t.Fatal(err)
	}
	// First member: always fails; it is stopped once it tried twice.
	var tries sync.WaitGroup
	tries.Add(2)
	var once sync.Map
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- b.ConsumeEvents(cctx, Consumer{Group: b.Group("store")}, func(context.Context, []*event.Event) error {
			for _, k := range []string{"1", "2"} {
				if _, loaded := once.LoadOrStore(k, true); !loaded {
					tries.Done()
					break
				}
			}
			return errors.New("store down")
		})
	}()
	tries.Wait()
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// Second member of the same group: gets every event.
	got := &collector{seen: map[string]*event.Event{}}
	cctx, cancel = context.WithCancel(ctx)
	defer cancel()
	go func() { done <- b.ConsumeEvents(cctx, Consumer{Group: b.Group("store")}, got.handle) }()
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return got.len() == len(sent) }) {
		t.Fatalf("second member consumed %d of %d", got.len(), len(sent))
	}
	group := b.Group("store")
	if n := promtest.ToFloat64(b.met.retried.WithLabelValues(b.EventsTopic(), group)); n < 1 {
		t.Errorf("retries counted: %v", n)
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		return promtest.ToFloat64(b.met.consumed.WithLabelValues(b.EventsTopic(), group)) == float64(len(sent))
	}) {
		t.Errorf("consumed counted: %v", promtest.ToFloat64(b.met.consumed.WithLabelValues(b.EventsTopic(), group)))
	}
	if n := promtest.ToFloat64(b.met.published.WithLabelValues(b.EventsTopic())); n != float64(len(sent)) {
		t.Errorf("published counted: %v", n)
	}
}

// deadSink records dead letters.
type deadSink struct {
	mu      sync.Mutex
	letters []pipeline.DeadLetter
}

func (d *deadSink) WriteDeadLetters(_ context.Context, ls []pipeline.DeadLetter) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.letters = append(d.letters, ls...)
	return nil
}

func (d *deadSink) len() int { d.mu.Lock(); defer d.mu.Unlock(); return len(d.letters) }

// TestBadRecordsAreDeadLettered: a record that is not an event, and an
// event whose tenant is invalid, become dead letters; the good ones pass.
func TestBadRecordsAreDeadLettered(t *testing.T) {
	b, _ := openBus(t)
	ctx := context.Background()
	bad := testEvent("acme", 1)
	bad.Tenant = "../etc"
	v, err := bad.AppendBinary(nil)
	if err != nil {
		t.Fatal(err)
	}
	good := testEvent("acme", 2)
	if err := b.prod.ProduceSync(ctx,
		&kgo.Record{Topic: b.EventsTopic(), Value: []byte("not an event"), Headers: []kgo.RecordHeader{{Key: headerTenant, Value: []byte("acme")}}},
		&kgo.Record{Topic: b.EventsTopic(), Value: v}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	if err := b.PublishEvents(ctx, []*event.Event{good}); err != nil {
		t.Fatal(err)
	}
	got := &collector{seen: map[string]*event.Event{}}
	dead := &deadSink{}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = b.ConsumeEvents(cctx, Consumer{Group: b.Group("store"), DeadLetters: dead}, got.handle) }()
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return got.len() == 1 && dead.len() == 2 }) {
		t.Fatalf("consumed %d events, %d dead letters; want 1 and 2", got.len(), dead.len())
	}
	if n := promtest.ToFloat64(b.met.dead.WithLabelValues(b.EventsTopic(), b.Group("store"))); n != 2 {
		t.Errorf("dead letters counted: %v", n)
	}
	dead.mu.Lock()
	defer dead.mu.Unlock()
	for _, d := range dead.letters {
		if d.Tenant != "acme" && d.Tenant != "default" || d.Reason == "" || d.Position == "" {
			t.Errorf("dead letter %+v", d)
		}
	}
}

// TestAlertsRoundTrip: alerts published come back whole to the group.
func TestAlertsRoundTrip(t *testing.T) {
	b, _ := openBus(t)
	ctx := context.Background()
	first := time.Unix(1_790_000_000, 0).UTC()
	sent := []alert.Alert{
		{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "Port scan", Level: "high", First: first, Last: first.Add(time.Minute), Count: 25,
			EventIDs: []string{"e1", "e2"}, Entities: alert.Entities{SourceIPs: []string{"10.0.0.1"}}, Status: "open"},
		{ID: "a2", Tenant: "globex", RuleID: "r2", Title: "Brute force", Level: "medium", First: first, Last: first, Count: 1, Status: "open"},
	}
	if err := b.AlertSink().WriteAlerts(ctx, sent); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	got := map[string]alert.Alert{}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		_ = b.ConsumeAlerts(cctx, Consumer{Group: b.Group("store")}, func(_ context.Context, as []alert.Alert) error {
			mu.Lock()
			defer mu.Unlock()
			for _, a := range as {
				got[a.ID] = a
			}
			return nil
		})
	}()
	if !testutil.Poll(testutil.WaitTimeout, func() bool { mu.Lock(); defer mu.Unlock(); return len(got) == 2 }) {
		t.Fatalf("consumed %d alerts", len(got))
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range sent {
		g := got[a.ID]
		if g.Tenant != a.Tenant || g.Title != a.Title || g.Count != a.Count || !g.First.Equal(a.First) || len(g.EventIDs) != len(a.EventIDs) {
			t.Errorf("alert %s came back as %+v", a.ID, g)
		}
	}
}

func TestConfigErrors(t *testing.T) {
	for _, y := range []string{
		"bus: {kafka: {}}",
		"bus: {kafka: {brokers: [nohost]}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], topic_prefix: 'a b'}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], partitions: -1}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], store_batch_rows: -1}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], store_batch_rows: 100001}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], store_batch_linger: -1s}}",
		"bus: {kafka: {brokers: ['127.0.0.1:9092'], store_batch_linger: 11s}}",
	} {
		var cfg config.Config
		err := yaml.Unmarshal([]byte(y), &cfg)
		if err == nil {
			err = cfg.Validate()
		}
		if err == nil {
			t.Errorf("%s: no error", y)
		}
	}
	var cfg config.Config
	if err := yaml.Unmarshal([]byte("bus: {kafka: {brokers: ['127.0.0.1:9092']}}"), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	if kc := cfg.Bus.Kafka.BusConfig.(*KafkaConfig); kc.StoreBatchRows != DefaultStoreBatchRows || kc.StoreBatchLinger.D() != DefaultStoreBatchLinger {
		t.Errorf("store batch defaults: %d rows, %s", kc.StoreBatchRows, kc.StoreBatchLinger.D())
	}
	cfg = config.Config{}
	if err := yaml.Unmarshal([]byte("bus: {kafka: {brokers: ['127.0.0.1:9092'], topic: x}}"), &cfg); err == nil {
		t.Error("unknown key accepted")
	}
}

// FuzzDecodeRecord: whatever a record holds, decoding it as an event or
// an alert returns an error or a value with a valid tenant and an id,
// never a panic.
func FuzzDecodeRecord(f *testing.F) {
	e := testEvent("acme", 1)
	bin, _ := e.AppendBinary(nil)
	f.Add(bin)
	f.Add([]byte(`{"id":"a1","tenant":"acme","rule_id":"r","count":1}`))
	f.Add([]byte(`{"id":"","tenant":"../x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r := &kgo.Record{Topic: "t", Value: b}
		if e, err := decodeEvent(r); err == nil && (event.ValidTenant(e.Tenant) != nil || e.ID == "") {
			t.Fatalf("event %+v decoded from %q", e, b)
		}
		if a, err := decodeAlert(r); err == nil && (event.ValidTenant(a.Tenant) != nil || a.ID == "") {
			t.Fatalf("alert %+v decoded from %q", a, b)
		}
		_ = deadLetter(r, "binary", errors.New("x"))
	})
}

// BenchmarkPublishEvents publishes batches of 1000 events to a kfake
// broker in this process: the ingest node's cost per event on the bus
// (encoding, keys, the produce round trip).
func BenchmarkPublishEvents(b *testing.B) {
	bus, _ := openBus(b)
	events := make([]*event.Event, 1000)
	var size int64
	for i := range events {
		events[i] = testEvent("acme", i)
		v, _ := events[i].AppendBinary(nil)
		size += int64(len(v))
	}
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := bus.PublishEvents(ctx, events); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*len(events))/b.Elapsed().Seconds(), "events/s")
}
