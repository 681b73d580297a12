package embedded

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func openTest(t *testing.T, dir string) store.Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, openTest)
}

// TestDuckDBMemoryGauge: vigil_store_duckdb_memory_bytes reads DuckDB's
// buffer manager (what storage.memory_limit bounds); -1 would mean the
// query failed.
func TestDuckDBMemoryGauge(t *testing.T) {
	reg := prometheus.NewRegistry()
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, Registerer: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(context.Background(), storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Search(context.Background(), store.Request{Tenant: "acme", Query: "*"}); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "vigil_store_duckdb_memory_bytes" {
			v := mf.GetMetric()[0].GetGauge().GetValue()
			t.Logf("DuckDB holds %.0f bytes", v)
			if v < 0 {
				t.Fatalf("vigil_store_duckdb_memory_bytes = %v: the query failed", v)
			}
			return
		}
	}
	t.Fatal("no vigil_store_duckdb_memory_bytes")
}
