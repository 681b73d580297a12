package embedded

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// DefaultIdleMemoryLimit is Options.IdleMemoryLimit's default. DuckDB's
// buffer pool keeps every page it has read or written until the pool
// reaches memory_limit: the alert and incident tables' pages and indexes,
// which each alert batch touches, grew by ~80 MB per million events of
// `vigil bench` with the built-in rules (570–620 MB at 7M events), held
// only by storage.memory_limit (2 GB, which wide searches need). Trimmed
// to this between searches, DuckDB held at most ~the trim floor plus what
// one interval's alerts touch; the evicted pages are read again from the
// database file (the OS's page cache) when needed.
const DefaultIdleMemoryLimit = 128 << 20

// memTrim gives DuckDB's buffer pool back what it holds beyond
// Options.IdleMemoryLimit while no search, scan or requested freeze
// (Store.Freeze) runs: it lowers
// memory_limit to the idle limit, which makes DuckDB evict unpinned pages
// (clean ones dropped, others written to its temporary directory), then
// sets it back to Options.MemoryLimit at once. Searches, scans and
// Store.Freeze hold gate shared, so none runs under the lowered limit; the
// trim skips a round while one does (it never makes one wait for it but
// for the moment of its two statements).
type memTrim struct {
	gate sync.RWMutex
}

// trimLoop trims DuckDB's memory every Interval, apart from the
// freezes of background: when freezing falls behind ingest, one freeze
// call runs for minutes, and a trim after it came too seldom (a 10M-event
// `vigil bench` grew DuckDB past the idle limit for minutes). A freeze
// writes its files without DuckDB; only its fallback (COPY) uses it, and
// one that fails under a lowered limit is retried as any failed freeze.
func (s *Store) trimLoop() {
	defer s.wg.Done()
	t := time.NewTicker(s.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		if _, err := s.trimMemory(context.Background()); err != nil {
			s.log.Error("trimming duckdb memory failed", "err", err)
		}
	}
}

// busy marks a search, scan or Store.Freeze running until the returned func
// is called: no trim lowers DuckDB's limit under it.
func (m *memTrim) busy() func() {
	m.gate.RLock()
	return m.gate.RUnlock
}

// trimMemory evicts what DuckDB holds beyond opts.IdleMemoryLimit when
// no search, scan or Store.Freeze runs; trimmed is false when one did, when
// DuckDB held no more than the idle limit, or when it could not evict
// enough (pages a running write pins). err is only for a limit that could
// not be set back.
func (s *Store) trimMemory(ctx context.Context) (trimmed bool, err error) {
	if s.opts.IdleMemoryLimit < 0 {
		return false, nil
	}
	if held := s.duckdbMemory(); held >= 0 && held <= float64(s.opts.IdleMemoryLimit) {
		return false, nil
	}
	if !s.mem.gate.TryLock() {
		return false, nil
	}
	defer s.mem.gate.Unlock()
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("trim duckdb memory: %w", err)
	}
	defer conn.Close()
	// A limit DuckDB cannot meet (pinned pages of a running write) fails
	// the first statement and leaves the limit as it was.
	_, lowErr := conn.ExecContext(ctx, fmt.Sprintf("SET memory_limit = '%dKiB'", s.opts.IdleMemoryLimit>>10))
	if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SET memory_limit = '"+s.opts.MemoryLimit+"'"); err != nil {
		return false, fmt.Errorf("restore duckdb memory limit: %w", err)
	}
	if lowErr != nil {
		// Pages pinned by a running write: the next round trims.
		s.log.Debug("duckdb memory not trimmed this round", "err", lowErr)
		return false, nil
	}
	return true, nil
}
