package nats

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// runServer starts an embedded nats-server with JetStream and a stream
// "EVENTS" on subjects events.>.
func runServer(t *testing.T) (*server.Server, jetstream.JetStream) {
	t.Helper()
	s, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	nc, err := natsgo.Connect(s.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.CreateStream(context.Background(), jetstream.StreamConfig{Name: "EVENTS", Subjects: []string{"events.>"}}); err != nil {
		t.Fatal(err)
	}
	return s, js
}

func publish(t *testing.T, js jetstream.JetStream, binary bool, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		e := forwardtest.Event(i)
		var v []byte
		if binary {
			v, _ = e.AppendBinary(nil)
		} else {
			v = e.AppendJSON(nil)
		}
		if _, err := js.Publish(context.Background(), "events."+e.Tenant, v); err != nil {
			t.Fatal(err)
		}
	}
}

// sink records events; while fail is set it refuses batches, counting
// them in refused.
type sink struct {
	mu      sync.Mutex
	events  []*event.Event
	dead    int
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
	s.dead += len(dl)
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

// waitAcked waits until the server holds the consumer's messages up to
// stream sequence seq as acknowledged (the source acknowledges without
// waiting for the server's answer).
func waitAcked(t *testing.T, js jetstream.JetStream, consumer string, seq uint64) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("messages up to %d acknowledged", seq), func() bool {
		c, err := js.Consumer(context.Background(), "EVENTS", consumer)
		if err != nil {
			return false
		}
		info, err := c.Info(context.Background())
		return err == nil && info.AckFloor.Stream >= seq
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
		_ = src.Run(ctx, p)
	}()
	return func() { cancel(); <-done }
}

func testConfig(url string) Config {
	return Config{SourceCommon: config.SourceCommon{Name: "nats-in", Type: "nats", Tenant: "default"}, URL: url, Stream: "EVENTS",
		TrustEnvelope: true}
}

// Events in both encodings arrive with their envelope; acknowledged
// messages are not delivered again after a restart.
func TestConsumeAndAck(t *testing.T) {
	srv, js := runServer(t)
	publish(t, js, true, 0, 100)
	publish(t, js, false, 100, 100)
	s := &sink{}
	p := newPipeline(t, s)
	stop := runSource(t, testConfig(srv.ClientURL()), p)
	waitAcked(t, js, "vigil-nats-in", 200)
	stop()
	seen := map[int]bool{}
	s.mu.Lock()
	for _, e := range s.events {
		v, _ := e.Get("kill.seq")
		want := forwardtest.Event(int(v.Int()))
		if e.ID != want.ID || e.Tenant != want.Tenant || !e.Timestamp.Equal(want.Timestamp) {
			t.Fatalf("got %s\nwant %s", e.AppendJSON(nil), want.AppendJSON(nil))
		}
		seen[int(v.Int())] = true
	}
	s.events = nil
	s.mu.Unlock()
	if len(seen) != 200 {
		t.Fatalf("%d distinct events", len(seen))
	}
	publish(t, js, true, 200, 10)
	stop = runSource(t, testConfig(srv.ClientURL()), p)
	defer stop()
	// The source submits a batch only after the one before it was
	// acknowledged, in stream order: once the new messages are here, any
	// old one delivered again is here too.
	s.waitSeqs(t, 200, 210)
	if n := s.count(); n != 10 {
		t.Errorf("after restart got %d events, want the 10 new ones", n)
	}
}

// Messages are acknowledged only after the pipeline acknowledged: a
// source stopped while the pipeline refuses gets them again.
func TestNoAckBeforePipelineAck(t *testing.T) {
	srv, js := runServer(t)
	publish(t, js, true, 0, 30)
	s := &sink{fail: errors.New("store down")}
	p := newPipeline(t, s)
	cfg := testConfig(srv.ClientURL())
	cfg.AckWait = config.Duration(time.Second)
	stop := runSource(t, cfg, p)
	testutil.Eventually(t, "a batch refused", func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.refused > 0
	})
	stop()
	s.mu.Lock()
	s.fail = nil
	s.mu.Unlock()
	stop = runSource(t, cfg, p)
	defer stop()
	s.wait(t, 30)
}

// The source waits for a server that is not up yet.
func TestServerLater(t *testing.T) {
	s := &sink{}
	p := newPipeline(t, s)
	cfg := testConfig("nats://127.0.0.1:1")
	m := pipeline.NewMetrics(nil)
	src, err := New(cfg, config.SourceEnv{Metrics: m, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = src.Run(ctx, p) }()
	testutil.Eventually(t, "a failed connection counted", func() bool {
		var c dto.Metric
		return m.Component("source", cfg.Name).Errors.Write(&c) == nil && c.GetCounter().GetValue() >= 1
	})
	cancel()
	<-done // returns although it never connected
}

func TestConfigValidation(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte("sources: [{name: n, type: nats" + extra + "}]"))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", extra, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want %q", extra, err, wantErr)
		}
	}
	f(", stream: EVENTS", "")
	f("", "stream is required")
	f(", stream: 'a.b'", "stream")
	f(", stream: S, encoding: xml", "encoding")
	f(", stream: S, user: u", "together")
}
