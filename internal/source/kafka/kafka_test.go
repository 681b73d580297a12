package kafka

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/kafkaconn"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// sink records events; while fail is set it refuses batches, counting
// them in refused.
type sink struct {
	mu      sync.Mutex
	events  []*event.Event
	dead    []pipeline.DeadLetter
	fail    error
	refused int
}

func (s *sink) Name() string { return "recorder" }
func (s *sink) Write(_ context.Context, evs []*event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		s.refused++
		return s.fail
	}
	for _, e := range evs {
		s.events = append(s.events, e.Clone())
	}
	return nil
}
func (s *sink) WriteDeadLetters(_ context.Context, dl []pipeline.DeadLetter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dead = append(s.dead, dl...)
	return nil
}

func (s *sink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.events)
}

func (s *sink) wait(t *testing.T, n int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d events in the sink", n), func() bool { return s.count() >= n })
}

// waitSeqs waits until the events with kill.seq from..to-1 have arrived.
func (s *sink) waitSeqs(t *testing.T, from, to int) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("events %d to %d", from, to-1), func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		n := 0
		for _, e := range s.events {
			if v, _ := e.Get("kill.seq"); int(v.Int()) >= from && int(v.Int()) < to {
				n++
			}
		}
		return n >= to-from
	})
}

func newPipeline(t *testing.T, s *sink) *pipeline.Pipeline {
	t.Helper()
	p, err := pipeline.New(pipeline.Config{Workers: 2, Sinks: []pipeline.Sink{s}, DeadLetters: s, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// produce writes events 0..n-1 with the Kafka output's encoding.
func produce(t *testing.T, addr, topic, encoding string, from, n int) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic(topic), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for i := from; i < from+n; i++ {
		e := forwardtest.Event(i)
		var v []byte
		if encoding == EncodingBinary {
			v, _ = e.AppendBinary(nil)
		} else {
			v = e.AppendJSON(nil)
		}
		recs = append(recs, &kgo.Record{Value: v})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func runSource(t *testing.T, cfg Config, p pipeline.Input) (stop func()) {
	t.Helper()
	src, err := New(cfg, config.SourceEnv{Metrics: pipeline.NewMetrics(nil), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := src.Run(ctx, p); err != nil {
			t.Error(err)
		}
	}()
	return func() { cancel(); <-done }
}

// testConfig reads the bus between Vigil nodes: the envelope is trusted.
func testConfig(addr string) Config {
	return Config{SourceCommon: config.SourceCommon{Name: "kafka-in", Type: "kafka", Tenant: "default"},
		Conn: kafkaconn.Conn{Brokers: []string{addr}}, Topics: []string{"events"}, TrustEnvelope: true}
}

// Events in both encodings arrive with their envelope; committed offsets
// are not read again after a restart.
func TestConsumeAndCommit(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	produce(t, addr, "events", EncodingBinary, 0, 100)
	produce(t, addr, "events", EncodingJSON, 100, 100)
	s := &sink{}
	p := newPipeline(t, s)
	src, stop := startSource(t, testConfig(addr), p)
	// Offsets are committed after the acknowledgement: stopping before
	// would read the records again, rightly.
	testutil.Eventually(t, "200 offsets committed", func() bool { return src.committed.Load() >= 200 })
	stop()
	seen := map[int]bool{}
	s.mu.Lock()
	for _, e := range s.events {
		v, _ := e.Get("kill.seq")
		want := forwardtest.Event(int(v.Int()))
		if e.ID != want.ID || e.Tenant != want.Tenant || e.Source != "kill-test" || !e.Timestamp.Equal(want.Timestamp) {
			t.Fatalf("got %s\nwant %s", e.AppendJSON(nil), want.AppendJSON(nil))
		}
		seen[int(v.Int())] = true
	}
	s.events = nil
	s.mu.Unlock()
	if len(seen) != 200 {
		t.Fatalf("%d distinct events", len(seen))
	}
	// A restart reads only what was produced since.
	produce(t, addr, "events", EncodingJSON, 200, 10)
	stop = runSource(t, testConfig(addr), p)
	defer stop()
	// The source submits a batch only after the one before it was
	// acknowledged, and a partition's older records come first: once the
	// new ones are here, any old one read again is here too.
	s.waitSeqs(t, 200, 210)
	if n := s.count(); n != 10 {
		t.Errorf("after restart got %d events, want the 10 new ones", n)
	}
}

// Offsets are committed only after the pipeline acknowledged: a source
// stopped while the pipeline refuses reads the same records again.
func TestNoCommitBeforeAck(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	produce(t, addr, "events", EncodingBinary, 0, 50)
	s := &sink{fail: errors.New("store down")}
	p := newPipeline(t, s)
	stop := runSource(t, testConfig(addr), p)
	testutil.Eventually(t, "a batch refused", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.refused > 0
	})
	stop()
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	stop = runSource(t, testConfig(addr), p)
	defer stop()
	s.wait(t, 50)
}

// A value that is not an event goes to the parser (and the dead letters
// when it is not JSON), not nowhere.
func TestUndecodableValue(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	cl, _ := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("events"))
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: []byte("plain text")}, &kgo.Record{Value: []byte{1, 2, 3}}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl.Close()
	s := &sink{}
	p := newPipeline(t, s)
	stop := runSource(t, testConfig(addr), p)
	defer stop()
	testutil.Eventually(t, "2 dead letters", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return len(s.dead) >= 2
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.dead) != 2 {
		t.Fatalf("%d dead letters, want 2", len(s.dead))
	}
}

func TestConfigValidation(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte("sources: [{name: k, type: kafka" + extra + "}]"))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", extra, err)
		case wantErr != "" && (err == nil || !errContains(err, wantErr)):
			t.Errorf("%s: error %v, want %q", extra, err, wantErr)
		}
	}
	f(", brokers: ['k:9092'], topics: [t]", "")
	f(", brokers: ['k:9092']", "topics")
	f(", topics: [t]", "brokers")
	f(", brokers: ['k:9092'], topics: [t], encoding: avro", "encoding")
	f(", brokers: ['k:9092'], topics: [t], start_offset: middle", "start_offset")
}

func errContains(err error, s string) bool { return err != nil && strings.Contains(err.Error(), s) }

// startSource runs a source over p until stop is called; the caller may
// watch it.
func startSource(t *testing.T, cfg Config, p pipeline.Input) (src *Source, stop func()) {
	t.Helper()
	src, err := New(cfg, config.SourceEnv{Metrics: pipeline.NewMetrics(nil), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := src.Run(ctx, p); err != nil {
			t.Error(err)
		}
	}()
	return src, func() { cancel(); <-done }
}
