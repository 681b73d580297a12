package incident_test

import (
	"context"
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

// askCounting counts the alert ids the Manager asks the store about.
type askCounting struct {
	*incidents.Store
	mu           sync.Mutex
	asked, calls int
}

func (s *askCounting) Memberships(ctx context.Context, tenant string, ids []string) (map[string]string, error) {
	s.mu.Lock()
	s.asked += len(ids)
	s.calls++
	s.mu.Unlock()
	return s.Store.Memberships(ctx, tenant, ids)
}

// TestMembersPastBoundAskStoreLittle: past MaxMembers, with a store that
// lists its membership keys, the Manager asks the store only about the ids
// its filter may hold (rarely a new one; updates of alerts older than the
// memberships it keeps, such as those stored before a restart), not
// about every batch, each a scan of the whole table
// (TestMembersInMemoryGroupAsStored shows it groups as the store says).
func TestMembersPastBoundAskStoreLittle(t *testing.T) {
	ctx := context.Background()
	stream := stormStream(12_000) // updates reach back 2,000 alerts
	for _, restart := range []bool{false, true} {
		t.Run(fmt.Sprint("restart=", restart), func(t *testing.T) {
			st := &askCounting{Store: openStore(t, openDB(t))}
			cfg := incident.Config{MaxMembers: 4000} // keeps the newest 2,000 to 4,000
			m := newManager(t, st, cfg)
			for i := 0; i < len(stream); i += 100 {
				if restart && i == 6000 { // past the bound at load: the filter is read from the store
					m = newManager(t, st, cfg)
				}
				if err := m.WriteAlerts(ctx, stream[i:min(i+100, len(stream))]); err != nil {
					t.Fatal(err)
				}
			}
			// 80 batches past the bound; after the restart, the updates of
			// the 2,000 alerts before it are asked about (20 batches).
			t.Logf("asked the store %d times about %d of %d alerts", st.calls, st.asked, len(stream))
			if limit := map[bool]int{false: 5, true: 25}[restart]; st.calls > limit {
				t.Fatalf("asked the store %d times, want at most %d", st.calls, limit)
			}
		})
	}
}

// TestMembersPastFilterBoundAskStore: when the memberships are too many
// for the filter's bound (MaxFilterKeys), the Manager keeps no filter and
// asks the store for each batch, so its memory stays bounded however long
// it runs (TestMembersInMemoryGroupAsStored shows it still groups as the
// store says).
func TestMembersPastFilterBoundAskStore(t *testing.T) {
	ctx := context.Background()
	stream := stormStream(12_000)
	for _, tc := range []struct {
		name string
		cfg  incident.Config
		min  int // batches that must ask the store
	}{
		// A filter would take 16,000 keys: none is made at the switch,
		// about 80 of the 120 batches are past the 4,000 held.
		{"at the switch", incident.Config{MaxMembers: 4000, MaxFilterKeys: 8000}, 70},
		// The filter is rebuilt once (1,024 → 2,050 keys) and then
		// dropped when it would take 4,100: about 99 batches.
		{"when the filter fills", incident.Config{MaxMembers: 200, MaxFilterKeys: 3000}, 90},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &askCounting{Store: openStore(t, openDB(t))}
			m := newManager(t, st, tc.cfg)
			for i := 0; i < len(stream); i += 100 {
				if err := m.WriteAlerts(ctx, stream[i:min(i+100, len(stream))]); err != nil {
					t.Fatal(err)
				}
			}
			if st.calls < tc.min {
				t.Fatalf("asked the store %d times, want at least %d: one per batch past the bound", st.calls, tc.min)
			}
		})
	}
}

// BenchmarkManagerPastMemberBound measures a 1,000-alert storm batch
// grouped with 100k and 1M memberships stored, past the bound held in
// memory: "query" asks the store for each batch's memberships (a scan of
// the table: its cost grows with it), "filter" asks only about the ids
// the membership filter may hold. cpu-ns/op counts DuckDB's threads. The
// stored ids look like stormStream's (24 hex digits, the first 8 zeros):
// ids of another range would let DuckDB skip the whole table by its
// min/max statistics, which real alert ids (hashes) never allow.
func BenchmarkManagerPastMemberBound(b *testing.B) {
	const batch = 1000
	for _, rows := range []int{100_000, 1_000_000} {
		for _, mode := range []string{"query", "filter"} {
			b.Run(fmt.Sprintf("rows=%d/%s", rows, mode), func(b *testing.B) {
				ctx := context.Background()
				db := openDB(b)
				st := openStore(b, db)
				if _, err := db.ExecContext(ctx, `INSERT INTO incident_alerts SELECT 'acme', '00000000' || left(md5('old' || i::VARCHAR), 16), 'old' || (i // 10)::VARCHAR, TIMESTAMP '2026-01-01', '' FROM range(?) t(i)`, rows); err != nil {
					b.Fatal(err)
				}
				var s incident.Store = st
				if mode == "query" {
					s = queryOnly{st}
				}
				m := newManager(b, s, incident.Config{MaxMembers: 50_000})
				stream := stormStream(max(b.N, 2) * batch)
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime(b)
				for i := range b.N {
					if err := m.WriteAlerts(ctx, stream[i*batch:(i+1)*batch]); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
			})
		}
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
