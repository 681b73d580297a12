package resume

import (
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

func newBase(t *testing.T) Base {
	t.Helper()
	b, err := New("test source", "src", config.SourceEnv{DataDir: t.TempDir(), Metrics: pipeline.NewMetrics(nil)})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestNew(t *testing.T) {
	if _, err := New("file source", "f", config.SourceEnv{}); err == nil {
		t.Error("New without a data directory: no error")
	}
	dir := t.TempDir()
	b, err := New("file source", "f", config.SourceEnv{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if b.StateDir != filepath.Join(dir, "state", "f") || b.Log == nil || b.Tel == nil {
		t.Errorf("base = %+v", b)
	}
}

// Drain returns once pending reaches 0, woken by Ack; and returns at its
// deadline when something is never acknowledged.
func TestDrain(t *testing.T) {
	b := newBase(t)
	var left atomic.Int64
	left.Store(3)
	go func() {
		for left.Load() > 0 {
			left.Add(-1)
			b.Ack()
		}
	}()
	b.Drain(time.Hour, "batches", func() int { return int(left.Load()) })
	if left.Load() != 0 {
		t.Errorf("Drain returned with %d pending", left.Load())
	}
	calls := 0
	b.Drain(time.Millisecond, "batches", func() int { calls++; return 1 }) // never acknowledged: returns at the deadline
	if calls == 0 {
		t.Error("Drain never counted")
	}
}

func TestSave(t *testing.T) {
	b := newBase(t)
	if !b.Save("state", func() error { return nil }) {
		t.Error("a successful write reported as failed")
	}
	if b.Save("state", func() error { return errors.New("disk full") }) {
		t.Error("a failed write reported as saved")
	}
	if n := testutil.ToFloat64(b.Tel.Errors); n != 1 {
		t.Errorf("errors counted = %v, want 1", n)
	}
}

func TestExcluded(t *testing.T) {
	pats := []string{"*.gz", "/var/log/secret/*"}
	for path, want := range map[string]bool{
		"/var/log/app.log": false, "/var/log/app.log.1.gz": true, "/var/log/secret/x": true, "/var/log/secret": false,
	} {
		if got := Excluded(pats, path); got != want {
			t.Errorf("Excluded(%q) = %v, want %v", path, got, want)
		}
	}
}
