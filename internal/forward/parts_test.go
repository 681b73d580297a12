package forward

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestBackoff(t *testing.T) {
	b := Backoff{Initial: 100 * time.Millisecond, Max: time.Second}
	f := func(attempt int, want time.Duration) {
		t.Helper()
		if got := b.Delay(attempt); got != want {
			t.Errorf("Delay(%d) = %v, want %v", attempt, got, want)
		}
	}
	f(0, 100*time.Millisecond)
	f(1, 200*time.Millisecond)
	f(3, 800*time.Millisecond)
	f(4, time.Second)
	f(1000, time.Second)
	j := Backoff{Initial: time.Second, Max: time.Second, Jitter: 0.2}
	for i := 0; i < 200; i++ {
		if d := j.Delay(i); d < 800*time.Millisecond || d > 1200*time.Millisecond {
			t.Fatalf("jittered delay %v outside ±20%%", d)
		}
	}
}

func TestBucket(t *testing.T) {
	now := time.Unix(0, 0)
	b := NewBucket(100) // 100 tokens/s, burst 100
	b.now = func() time.Time { return now }
	f := func(advance time.Duration, n float64, want time.Duration) {
		t.Helper()
		now = now.Add(advance)
		if got := b.Reserve(n); got != want {
			t.Errorf("after %v, Reserve(%v) = %v, want %v", advance, n, got, want)
		}
	}
	f(0, 60, 0)                    // the burst
	f(0, 40, 0)                    // the rest of it
	f(0, 50, 500*time.Millisecond) // debt: wait half a second
	f(500*time.Millisecond, 0, 0)  // paid off
	f(0, 300, 3*time.Second)       // bigger than the burst: still taken
	f(4*time.Second, 100, 0)       // refilled, capped at the burst
	f(0, 1, 10*time.Millisecond)   // empty again
	if NewBucket(0) != nil || NewBucket(0).Reserve(1e9) != 0 {
		t.Error("a zero rate must not limit")
	}
}

func TestThrottleWaitsForTheRate(t *testing.T) {
	th := NewThrottle(1000, 0)
	start := time.Now()
	for i := 0; i < 3; i++ {
		if err := th.Wait(context.Background(), 1000, 0); err != nil {
			t.Fatal(err)
		}
	}
	// 3000 events at 1000/s with a burst of 1000: at least 2 s.
	if d := time.Since(start); d < 1900*time.Millisecond {
		t.Errorf("3000 events at 1000/s took %v", d)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := th.Wait(ctx, 1000, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait on a cancelled context: %v", err)
	}
}

func TestTemplate(t *testing.T) {
	e := &event.Event{Tenant: "acme", Source: "fw"}
	e.Set("host.name", event.String("web01"))
	e.Set("event.code", event.Int(4625))
	f := func(tpl, want string) {
		t.Helper()
		got, err := ParseTemplate(tpl)
		if err != nil {
			t.Errorf("ParseTemplate(%q): %v", tpl, err)
			return
		}
		if s := got.Render(e); s != want {
			t.Errorf("%q renders %q, want %q", tpl, s, want)
		}
	}
	f(``, ``)
	f(`vigil-events`, `vigil-events`)
	f(`vigil-{{tenant}}`, `vigil-acme`)
	f(`{{tenant}}.{{source}}`, `acme.fw`)
	f(`{{host.name}}`, `web01`)
	f(`{{ host.name }}`, `web01`)
	f(`code-{{event.code}}`, `code-4625`)
	f(`{{user.name}}`, ``)
	f(`{{user.name|nobody}}`, `nobody`)
	f(`{{host.name|nobody}}`, `web01`)
	f(`a}}b`, `a}}b`)
	for _, bad := range []string{`{{`, `x{{host.name`, `{{}}`, `{{|x}}`} {
		if _, err := ParseTemplate(bad); err == nil {
			t.Errorf("ParseTemplate(%q) succeeded", bad)
		}
	}
	if !MustParseTemplate(`static`).Static() || MustParseTemplate(`{{tenant}}`).Static() {
		t.Error("Static is wrong")
	}
}

// FuzzTemplate: parsing never panics; a template without "{{" renders as
// itself; rendering is deterministic.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{``, `x`, `{{tenant}}`, `a{{host.name|b}}c`, `{{`, `}}{{x}}`, `{{a|}}`} {
		f.Add(s)
	}
	e := &event.Event{Tenant: "t"}
	e.Set("host.name", event.String("h"))
	f.Fuzz(func(t *testing.T, s string) {
		tpl, err := ParseTemplate(s)
		if err != nil {
			return
		}
		got := tpl.Render(e)
		if !containsBraces(s) && got != s {
			t.Fatalf("%q rendered %q", s, got)
		}
		if tpl.Render(e) != got || tpl.String() != s {
			t.Fatal("not deterministic")
		}
	})
}

func containsBraces(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '{' && s[i+1] == '{' {
			return true
		}
	}
	return false
}

// fakeFlusher holds sent batches until Flush; it fails the first failN
// flushes (losing what it held, as a folder output on a failed disk does).
type fakeFlusher struct {
	fakeOutput
	fmu       sync.Mutex
	pending   []*event.Event
	failFlush int
	discards  int
	dueNow    bool
}

func (f *fakeFlusher) Send(_ context.Context, b *Batch) error {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	for _, e := range b.Events {
		f.pending = append(f.pending, e.Clone())
	}
	return nil
}

func (f *fakeFlusher) FlushAt() time.Time {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	switch {
	case len(f.pending) == 0:
		return time.Time{}
	case f.dueNow || len(f.pending) >= 25:
		return time.Now().Add(-time.Millisecond)
	}
	return time.Now().Add(30 * time.Millisecond)
}

func (f *fakeFlusher) Flush(ctx context.Context) error {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	if f.failFlush > 0 {
		f.failFlush--
		return errors.New("disk full")
	}
	b := &Batch{Events: f.pending}
	f.pending = nil
	return f.fakeOutput.Send(ctx, b)
}

func (f *fakeFlusher) Discard() {
	f.fmu.Lock()
	defer f.fmu.Unlock()
	f.pending = nil
	f.discards++
}

// A Flusher's batches are acknowledged only once flushed, flushed by size
// or by time, and sent again after a failed flush.
func TestFlusherAcksAfterFlush(t *testing.T) {
	out := &fakeFlusher{fakeOutput: *newFake(), failFlush: 2}
	c := testConfig(t, `
outputs:
  - name: flusher
    type: test
    retry: {initial: 5ms, max: 20ms}
    batch: {max_events: 10, linger: 1ms}
routes:
  - outputs: [flusher]
`, map[string]Output{"flusher": out})
	m := startManager(t, c, t.TempDir())
	evs := mkEvents("acme", "s", 37)
	if err := m.Sink().Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	got := out.waitIDs(t, 37)
	if !slices.Equal(got[len(got)-37:], ids(evs)) {
		t.Fatalf("delivered %v", got)
	}
	st := waitStatus(t, m, func(st OutputStatus) bool { return st.Queue.Records == 0 })
	if st.Delivered != 37 || st.FailedSends != 2 {
		t.Errorf("status %+v", st)
	}
	out.fmu.Lock()
	if out.discards != 2 {
		t.Errorf("%d discards, want 2", out.discards)
	}
	out.fmu.Unlock()
}
