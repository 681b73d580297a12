package forward

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// fakeOutput records what it is sent. It fails the first failN sends, and
// refuses (Permanent) any batch holding an event with the field "bad".
type fakeOutput struct {
	mu     sync.Mutex
	failN  int
	sends  int
	got    []string // event ids in delivery order
	events []*event.Event
	closed bool
	notify chan struct{}
}

func newFake() *fakeOutput { return &fakeOutput{notify: make(chan struct{}, 1)} }

func (f *fakeOutput) Send(_ context.Context, b *Batch) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends++
	if f.failN > 0 {
		f.failN--
		return errors.New("receiver down")
	}
	for _, e := range b.Events {
		if e.Has("bad") {
			return Permanent(fmt.Errorf("event %s refused", e.ID))
		}
	}
	for _, e := range b.Events {
		f.got = append(f.got, e.ID)
		f.events = append(f.events, e.Clone())
	}
	select {
	case f.notify <- struct{}{}:
	default:
	}
	return nil
}

func (f *fakeOutput) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

func (f *fakeOutput) ids() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

// waitIDs waits until the output holds n events.
func (f *fakeOutput) waitIDs(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ids := f.ids(); len(ids) >= n {
			return ids
		}
		if time.Now().After(deadline) {
			t.Fatalf("output holds %d events, want %d", len(f.ids()), n)
		}
		select {
		case <-f.notify:
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// testOutputConfig is the "test" output type: it hands out the fake
// registered under its name.
type testOutputConfig struct {
	config.OutputCommon `yaml:",inline"`
}

var (
	fakesMu sync.Mutex
	fakes   = map[string]Output{}
)

func (c *testOutputConfig) CommonOutput() *config.OutputCommon { return &c.OutputCommon }
func (c *testOutputConfig) Validate() error                    { return nil }
func (c *testOutputConfig) NewOutput(env BuildEnv) (Output, error) {
	fakesMu.Lock()
	defer fakesMu.Unlock()
	o, ok := fakes[env.Name]
	if !ok {
		return nil, fmt.Errorf("no fake output %s", env.Name)
	}
	return o, nil
}

func init() {
	config.RegisterOutput("test", func() config.OutputConfig { return &testOutputConfig{} })
}

// testConfig parses a vigil.yaml fragment with outputs and routes, the
// outputs being "test" outputs bound to the given fakes.
func testConfig(t *testing.T, yaml string, outs map[string]Output) *config.Config {
	t.Helper()
	fakesMu.Lock()
	for n, o := range outs {
		fakes[n] = o
	}
	fakesMu.Unlock()
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func startManager(t *testing.T, c *config.Config, dir string) *Manager {
	t.Helper()
	m, err := New(c.Outputs, c.Routes, Env{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() { _ = m.Stop() })
	return m
}

// mkEvents returns n events of a tenant and source with distinct ids.
func mkEvents(tenant, source string, n int, fields ...event.Field) []*event.Event {
	evs := make([]*event.Event, n)
	for i := range evs {
		msg := fmt.Sprintf("%s %s event %d", tenant, source, i)
		e := &event.Event{Timestamp: time.Unix(1_700_000_000+int64(i), 0).UTC(), Tenant: tenant, Source: source,
			ID: event.NewID(tenant, source, "", 0, []byte(msg)), Original: msg}
		e.Set("message", event.String(msg))
		e.Set("seq", event.Int(int64(i)))
		for _, f := range fields {
			e.Set(f.Name, f.Value)
		}
		evs[i] = e
	}
	return evs
}
