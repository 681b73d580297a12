package embedded

import (
	"context"
	"testing"
	"time"
)

// TestTrimMemory: pages DuckDB read stay in its buffer pool up to
// memory_limit; a trim between searches evicts them down to the idle
// limit and sets memory_limit back, and skips while a search runs.
func TestTrimMemory(t *testing.T) {
	ctx := context.Background()
	const idle = 4 << 20
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", IdleMemoryLimit: idle, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	// A record table of ~40 MB, read whole, as the alert tables are.
	for _, q := range []string{
		`CREATE TABLE trim_test (i BIGINT PRIMARY KEY, doc VARCHAR)`,
		`INSERT INTO trim_test SELECT i, md5(i::VARCHAR) || md5((i+1)::VARCHAR) FROM range(500000) t(i)`,
		`CHECKPOINT`,
	} {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var n int64
	if err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT doc) FROM trim_test`).Scan(&n); err != nil || n != 500000 {
		t.Fatal(n, err)
	}
	held := s.duckdbMemory()
	if held <= idle {
		t.Fatalf("DuckDB holds %.0f bytes after reading the table: the test reads too little", held)
	}

	done := s.mem.busy()
	if trimmed, err := s.trimMemory(ctx); err != nil || trimmed {
		t.Fatalf("trim while a search runs: trimmed %v, %v", trimmed, err)
	}
	done()
	if trimmed, err := s.trimMemory(ctx); err != nil || !trimmed {
		t.Fatalf("trim: trimmed %v, %v", trimmed, err)
	}
	after := s.duckdbMemory()
	t.Logf("DuckDB held %.0f bytes, %.0f after the trim", held, after)
	if after > idle {
		t.Fatalf("DuckDB holds %.0f bytes after the trim (before: %.0f), more than the idle limit %d", after, held, idle)
	}
	var limit string
	if err := s.db.QueryRowContext(ctx, `SELECT current_setting('memory_limit')`).Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != "488.2 MiB" && limit != "512.0 MB" {
		t.Fatalf("memory_limit after the trim = %q, want the configured 512MB", limit)
	}
	// The evicted pages are read again.
	if err := s.db.QueryRowContext(ctx, `SELECT count(DISTINCT doc) FROM trim_test`).Scan(&n); err != nil || n != 500000 {
		t.Fatal(n, err)
	}
	if trimmed, err := s.trimMemory(ctx); err != nil || !trimmed {
		t.Fatalf("second trim: trimmed %v, %v", trimmed, err)
	}
}

// TestTrimMemoryOff: a negative idle limit never trims.
func TestTrimMemoryOff(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", IdleMemoryLimit: -1, Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if trimmed, err := s.trimMemory(context.Background()); err != nil || trimmed {
		t.Fatalf("trimmed %v, %v", trimmed, err)
	}
}
