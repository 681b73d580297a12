package nats

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/pipeline"
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

type sink struct {
	mu     sync.Mutex
	events []*event.Event
	dead   int
	fail   error
}

func (s *sink) Name() string { return "recorder" }
func (s *sink) Write(_ context.Context, evs []*event.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
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
	deadline := time.Now().Add(20 * time.Second)
	for s.count() < n {
		if time.Now().After(deadline) {
			t.Fatalf("sink holds %d events, want %d", s.count(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
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
	s.wait(t, 200)
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
	s.wait(t, 10)
	time.Sleep(300 * time.Millisecond)
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
	time.Sleep(700 * time.Millisecond)
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
	stop := runSource(t, cfg, p)
	time.Sleep(200 * time.Millisecond)
	stop() // returns although it never connected
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
