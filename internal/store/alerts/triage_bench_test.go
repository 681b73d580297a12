package alerts

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// BenchmarkListQueue answers the console's alerts queue over a tenant of
// 100,000 alerts of which 1,000 were acknowledged: the 1,000 most recent
// open alerts and the count of all open ones (one op is one List).
func BenchmarkListQueue(b *testing.B) {
	s := openTest(b)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	const n, batch = 100_000, 5_000
	as := make([]alert.Alert, 0, batch)
	for i := 0; i < n; i++ {
		as = append(as, alert.Alert{ID: fmt.Sprintf("alert-%08d", i), Tenant: "acme", RuleID: fmt.Sprintf("rule-%d", i%50),
			Title: "Rule", Level: alert.Levels[i%5], First: base, Last: base.Add(time.Duration(i) * time.Second), Count: 1,
			EventIDs: []string{fmt.Sprintf("%032x", i)}, Entities: alert.Entities{Hosts: []string{fmt.Sprintf("host-%d", i%300)}}})
		if len(as) == batch {
			if err := s.WriteAlerts(ctx, as); err != nil {
				b.Fatal(err)
			}
			as = as[:0]
		}
	}
	ids := make([]string, 0, MaxBulk)
	for i := n - 1; len(ids) < MaxBulk; i -= 7 {
		ids = append(ids, fmt.Sprintf("alert-%08d", i))
	}
	ack := alert.StatusAcknowledged
	if _, err := s.Update(ctx, "acme", ids, Change{Status: &ack, Comment: "bench", Actor: "b"}, base); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		list, total, err := s.List(ctx, Filter{Tenant: "acme", Status: "open", Limit: 1000})
		if err != nil || len(list) != 1000 || total != n-MaxBulk {
			b.Fatalf("List: %d of %d, %v", len(list), total, err)
		}
	}
}
