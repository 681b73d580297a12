package embedded

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// BenchmarkWideSearch measures a page of whole events of a tenant whose
// events have n fields each (own), and of another tenant beside it
// (other), at the default DuckDB memory and threads. Every column read
// costs memory: it is what ColumnLimits.TenantColumns bounds. An
// out-of-memory error fails the benchmark.
func BenchmarkWideSearch(b *testing.B) {
	for _, n := range []int{100, DefaultTenantColumns} {
		dir := b.TempDir()
		s, err := Open(Options{Dir: dir, Interval: time.Hour})
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		var evs []*event.Event
		for j := 0; j < 200; j++ {
			e := &event.Event{Timestamp: storetest.Base.Add(time.Duration(j) * time.Second), Tenant: "wide", Source: "x", ID: fmt.Sprint(j)}
			for i := 0; i < n; i++ {
				e.Set(fmt.Sprintf("k%d", i), event.String(fmt.Sprintf("value %d of event %d", i, j)))
			}
			evs = append(evs, e)
		}
		if err := s.Write(ctx, evs); err != nil {
			b.Fatal(err)
		}
		if err := s.Write(ctx, storetest.Events("acme", 200)); err != nil {
			b.Fatal(err)
		}
		for _, tenant := range []string{"wide", "acme"} {
			name := "own"
			if tenant == "acme" {
				name = "other"
			}
			b.Run(fmt.Sprintf("columns=%d/%s", n, name), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					if _, err := s.Search(ctx, store.Request{Tenant: tenant}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
		s.Close()
	}
}
