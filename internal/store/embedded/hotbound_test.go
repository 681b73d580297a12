package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// waitDegraded waits until the store reports a reason containing want.
func waitDegraded(t *testing.T, s *Store, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, r := range s.Degraded() {
			if strings.Contains(r, want) {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("store never reported %q; reports %q", want, s.Degraded())
}

// hotBacklog is the events dataset's unfrozen bytes.
func hotBacklog(s *Store) int64 {
	h := s.datasets[store.Events].hot
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.backlogLocked()
}

// TestHotBacklogBounded: when freezing falls behind ingest (a busy
// machine: a 100M-event bench at low priority left 7.5 GB of hot segments
// with hot_bytes at 256 MiB, and the disk filling), writes wait at
// HotMaxBytes until a freeze makes room, instead of the hot log growing
// until the disk is full. Nothing written is lost, and the store says why
// writes wait.
func TestHotBacklogBounded(t *testing.T) {
	const maxBytes = 64 << 10
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		SegmentBytes: 8 << 10, HotBytes: 16 << 10, HotMaxBytes: maxBytes})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// No background freeze runs (Interval: an hour), so writes fill the
	// hot log to its bound and the next one waits.
	const batches, perBatch = 200, 20
	done := make(chan error, 1)
	go func() {
		for range batches {
			if err := s.Write(ctx, freshEvents("acme", perBatch)); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	waitDegraded(t, s, "wait for freezing")
	if b := hotBacklog(s); b < maxBytes || b > maxBytes+64<<10 {
		t.Fatalf("hot backlog %d bytes while a write waits, want at its bound %d (plus at most one batch)", b, maxBytes)
	}
	select {
	case err := <-done:
		t.Fatalf("every write returned (%v) although the hot log is full and nothing froze", err)
	default:
	}
	// Freezing makes room: the waiting writes go on, each freeze lets more
	// in, and every event is stored.
	for {
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			res, err := s.Search(ctx, store.Request{Query: "*", Tenant: "acme", Limit: 1})
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != batches*perBatch {
				t.Fatalf("stored %d events, want %d", res.Total, batches*perBatch)
			}
			for _, r := range s.Degraded() {
				if strings.Contains(r, "wait for freezing") {
					t.Fatalf("store still reports %q after the freeze made room", r)
				}
			}
			return
		default:
			waitDegradedOrDone(t, s, done)
		}
	}
}

// waitDegradedOrDone waits until a write waits again or the writer is done
// (it then leaves the result in done).
func waitDegradedOrDone(t *testing.T, s *Store, done chan error) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			done <- err
			return
		default:
		}
		for _, r := range s.Degraded() {
			if strings.Contains(r, "wait for freezing") {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the writer neither finished nor waited again after a freeze")
}

// TestCloseWakesWaitingWrite: a write waiting for room returns when the
// store closes, with the closed error, rather than hanging Close.
func TestCloseWakesWaitingWrite(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		SegmentBytes: 8 << 10, HotBytes: 16 << 10, HotMaxBytes: 48 << 10})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		for {
			if err := s.Write(ctx, freshEvents("acme", 20)); err != nil {
				done <- err
				return
			}
		}
	}()
	waitDegraded(t, s, "wait for freezing")
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	if err := <-done; !errors.Is(err, errClosed) {
		t.Fatalf("waiting write returned %v, want the closed error", err)
	}
	if err := <-closed; err != nil {
		t.Fatal(err)
	}
}

// TestHotMaxBytesAtLeastAFreeze: a bound below what a freeze needs to find
// sealed data (hot_bytes plus two segments) is raised to it, so a waiting
// write can always be freed by a freeze.
func TestHotMaxBytesAtLeastAFreeze(t *testing.T) {
	o := Options{SegmentBytes: 8 << 10, HotBytes: 16 << 10, HotMaxBytes: 1}
	o.setDefaults()
	if want := int64(16<<10 + 2*8<<10); o.HotMaxBytes != want {
		t.Fatalf("HotMaxBytes %d, want %d", o.HotMaxBytes, want)
	}
	d := Options{}
	d.setDefaults()
	if d.HotMaxBytes != 4*d.HotBytes {
		t.Fatalf("default HotMaxBytes %d, want 4 × HotBytes (%d)", d.HotMaxBytes, 4*d.HotBytes)
	}
}
