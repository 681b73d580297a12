package pipeline

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// recorder is a sink and dead-letter sink that keeps copies of what it gets.
type recorder struct {
	mu     sync.Mutex
	events []*event.Event
	dead   []DeadLetter
	fail   error
	block  chan struct{}
}

func (r *recorder) Name() string { return "recorder" }

func (r *recorder) Write(_ context.Context, evs []*event.Event) error {
	if r.block != nil {
		<-r.block
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	for _, e := range evs {
		r.events = append(r.events, e.Clone())
	}
	return nil
}

func (r *recorder) WriteDeadLetters(_ context.Context, dl []DeadLetter) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.dead = append(r.dead, dl...)
	return nil
}

// upperParser accepts records that start with a letter and panics on "!".
type upperParser struct{}

func (upperParser) Parse(data []byte, e *event.Event) error {
	switch {
	case len(data) == 0:
		return parse.ErrSkip
	case data[0] == '!':
		panic("boom")
	case data[0] < 'a' || data[0] > 'z':
		return errors.New("not a word")
	}
	e.SetString("message", strings.ToUpper(string(data)))
	return nil
}

func newTest(t *testing.T, rec *recorder, cfg Config) *Pipeline {
	t.Helper()
	cfg.Parsers = func(string, string) (parse.Parser, error) { return upperParser{}, nil }
	cfg.Sinks = append(cfg.Sinks, rec)
	cfg.DeadLetters = rec
	p, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

func TestParseDeadLetterSkipAndAck(t *testing.T) {
	rec := &recorder{}
	p := newTest(t, rec, Config{Workers: 2})
	b := &Batch{Tenant: "acme", Source: "s1", Records: []Record{
		{Data: []byte("hello"), Peer: "10.0.0.1:514"},
		{Data: []byte("123")},
		{Data: []byte("")},
		{Data: []byte("!panic")},
		{Data: []byte("world"), Position: "f:10"},
	}, Fields: []event.Field{{Name: "log.file.path", Value: event.String("/x.log")}}}
	if err := SubmitWait(context.Background(), p, b); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 2 || len(rec.dead) != 2 {
		t.Fatalf("events %d dead %d, want 2 and 2", len(rec.events), len(rec.dead))
	}
	e := rec.events[0]
	if e.Message() != "HELLO" || e.Tenant != "acme" || e.Source != "s1" || e.Original != "hello" || e.ID == "" ||
		e.GetString("log.source.address") != "10.0.0.1:514" || e.GetString("log.file.path") != "/x.log" || e.Timestamp.IsZero() {
		t.Errorf("event = %s", e.AppendJSON(nil))
	}
	if rec.events[1].ID != event.NewID("acme", "s1", "f:10", 0, []byte("world")) {
		t.Error("position did not go into the event id")
	}
	if rec.dead[0].Reason != "not a word" || !strings.Contains(rec.dead[1].Reason, "panicked") {
		t.Errorf("dead letters = %+v", rec.dead)
	}
}

func TestSinkErrorReachesAck(t *testing.T) {
	rec := &recorder{fail: errors.New("disk full")}
	p := newTest(t, rec, Config{Workers: 1})
	err := SubmitWait(context.Background(), p, &Batch{Records: []Record{{Data: []byte("x")}}})
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("ack error = %v, want the sink's", err)
	}
}

func TestBackPressure(t *testing.T) {
	rec := &recorder{block: make(chan struct{})}
	p := newTest(t, rec, Config{Workers: 1, QueueBatches: 2})
	ctx := context.Background()
	// One batch in the worker, two queued: the fourth Submit must block.
	for i := 0; i < 3; i++ {
		if err := p.Submit(ctx, &Batch{Records: []Record{{Data: []byte("a")}}}); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Eventually(t, "two batches queued", func() bool { return p.QueueLen() == 2 })
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	if err := p.Submit(short, &Batch{Records: []Record{{Data: []byte("a")}}}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("submit to a full pipeline = %v, want it to block until the deadline", err)
	}
	close(rec.block)
	if err := SubmitWait(ctx, p, &Batch{Records: []Record{{Data: []byte("b")}}}); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 4 {
		t.Errorf("events = %d, want 4 (the one refused under back-pressure is not taken)", len(rec.events))
	}
}

func TestBatcherFlushesOnSizeAndLinger(t *testing.T) {
	rec := &recorder{}
	p := newTest(t, rec, Config{Workers: 1})
	bt := NewBatcher(p, BatcherConfig{Source: "b", MaxRecords: 3, Linger: 20 * time.Millisecond})
	ctx := context.Background()
	for _, s := range []string{"a", "b", "c", "d"} {
		if err := bt.Add(ctx, []byte(s), "", ""); err != nil {
			t.Fatal(err)
		}
	}
	testutil.Eventually(t, "4 records after the linger time", func() bool {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return len(rec.events) == 4
	})
	if err := bt.Close(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestSubmitAfterStop(t *testing.T) {
	rec := &recorder{}
	p := newTest(t, rec, Config{Workers: 1})
	p.Stop()
	if err := p.Submit(context.Background(), &Batch{}); !errors.Is(err, ErrStopped) {
		t.Fatalf("submit after stop = %v", err)
	}
}
