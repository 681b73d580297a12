package embedded

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// waiting reports whether the store says writes wait for freezing.
func waiting(s *Store) bool {
	for _, r := range s.Degraded() {
		if strings.Contains(r, "wait for freezing") {
			return true
		}
	}
	return false
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
	testutil.Eventually(t, "a write waiting for freezing", func() bool { return waiting(s) })
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
			if waiting(s) {
				t.Fatalf("store still reports waiting writes after the freeze made room: %q", s.Degraded())
			}
			return
		default:
			// The writer goes on until it waits again or is done.
			var finished error
			testutil.Eventually(t, "the writer to wait again or finish", func() bool {
				select {
				case finished = <-done:
					done <- finished
					return true
				default:
					return waiting(s)
				}
			})
		}
	}
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
	testutil.Eventually(t, "a write waiting for freezing", func() bool { return waiting(s) })
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
