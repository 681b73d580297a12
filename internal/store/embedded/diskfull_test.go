package embedded

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// fullDisk is a segment file whose writes fail with ENOSPC, after writing
// part of the buffer as a real full disk does, while full is set.
type fullDisk struct {
	segmentFile
	full *atomic.Bool
}

func (f fullDisk) Write(p []byte) (int, error) {
	if f.full.Load() {
		n, _ := f.segmentFile.Write(p[:len(p)/2])
		return n, &os.PathError{Op: "write", Path: "segment", Err: syscall.ENOSPC}
	}
	return f.segmentFile.Write(p)
}

// TestDiskFullRecovers is issue 9 item 7: once a write failed for a full
// disk, every later write failed until a restart, and nothing said so.
// Writes recover by themselves when space is back, the store reports the
// failure while it lasts (Degraded, vigil_store_write_failing), and the
// partial write is cut off.
func TestDiskFullRecovers(t *testing.T) {
	dir := t.TempDir()
	reg := prometheus.NewRegistry()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Write(ctx, storetest.Events("acme", 5)); err != nil {
		t.Fatal(err)
	}
	var full atomic.Bool
	h := s.datasets[store.Events].hot
	h.mu.Lock()
	h.f = fullDisk{h.f, &full}
	h.openFile = func(p string) (segmentFile, error) {
		f, err := openSegmentFile(p)
		if err != nil {
			return nil, err
		}
		return fullDisk{f, &full}, nil
	}
	h.mu.Unlock()
	failing := func() float64 {
		return gaugeOf(t, reg, "vigil_store_write_failing", "events")
	}

	full.Store(true)
	for i := 0; i < 2; i++ {
		if err := s.Write(ctx, freshEvents("acme", 3)); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("write %d on a full disk: %v, want ENOSPC", i, err)
		}
	}
	if d := s.Degraded(); len(d) != 1 || !strings.Contains(d[0], "no space left") {
		t.Errorf("Degraded on a full disk: %q", d)
	}
	if v := failing(); v != 1 {
		t.Errorf("vigil_store_write_failing on a full disk: %v, want 1", v)
	}

	// Space comes back: the background retry recovers without a write.
	full.Store(false)
	if err := h.retryWrites(); err != nil {
		t.Fatalf("retry after space came back: %v", err)
	}
	if d := s.Degraded(); d != nil {
		t.Errorf("Degraded after recovery: %q", d)
	}
	if v := failing(); v != 0 {
		t.Errorf("vigil_store_write_failing after recovery: %v, want 0", v)
	}
	if err := s.Write(ctx, freshEvents("acme", 3)); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}

	// Full again, then a plain write recovers.
	full.Store(true)
	if err := s.Write(ctx, freshEvents("acme", 2)); err == nil {
		t.Fatal("write on a full disk succeeded")
	}
	full.Store(false)
	if err := s.Write(ctx, freshEvents("acme", 2)); err != nil {
		t.Fatalf("write after space came back: %v", err)
	}
	if n := total(t, s, ""); n != 10 {
		t.Errorf("%d events, want 10: 5 + 3 + 2 acknowledged, none of the failed writes", n)
	}
	s.Close()
	s2 := openTest(t, dir)
	defer s2.Close()
	if torn := s2.(*Store).datasets[store.Events].hot.tornBytes; torn != 0 {
		t.Errorf("%d torn bytes at reopen: the partial writes were not cut off", torn)
	}
	if n := total(t, s2, ""); n != 10 {
		t.Errorf("after a restart: %d events, want 10", n)
	}
}

func gaugeOf(t *testing.T, reg *prometheus.Registry, name, dataset string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "dataset" && l.GetValue() == dataset {
					return m.GetGauge().GetValue()
				}
			}
		}
	}
	t.Fatalf("no metric %s{dataset=%q}", name, dataset)
	return 0
}
