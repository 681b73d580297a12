package incident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
)

// alertStream makes n alerts, one a second, about 2,000 hosts, 5,000 users
// and 3,000 addresses of one tenant; one alert in ten is a folded update of
// a recent one.
func alertStream(n int) []alert.Alert {
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]alert.Alert, 0, n)
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		if i > 10 && r.IntN(10) == 0 {
			a := out[i-1-r.IntN(10)]
			a.Count++
			a.Last = at
			out = append(out, a)
			continue
		}
		rule := r.IntN(50)
		out = append(out, alert.Alert{
			ID: fmt.Sprintf("alert-%d", i), Tenant: "acme", RuleID: fmt.Sprint("rule-", rule), Title: fmt.Sprint("Rule ", rule),
			Level: alert.Levels[r.IntN(5)], Tags: []string{"attack.t1110", "attack.credential_access"}, First: at, Last: at, Count: 1,
			EventIDs: []string{fmt.Sprintf("%032x", i)}, Status: alert.StatusOpen,
			Entities: alert.Entities{
				Hosts:          []string{fmt.Sprintf("ws%04d", r.IntN(2000))},
				Users:          []string{fmt.Sprintf("user%04d", r.IntN(5000))},
				SourceIPs:      []string{fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(30), r.IntN(25))},
				DestinationIPs: []string{fmt.Sprintf("192.168.%d.%d", r.IntN(4), r.IntN(250))},
			},
		})
	}
	return out
}

// BenchmarkGroup measures grouping throughput in alerts/s, in batches of
// 100 alerts: over the in-memory index alone (memory) and with every batch
// written to DuckDB in one transaction (duckdb), as vigil serve runs it.
func BenchmarkGroup(b *testing.B) {
	stream := alertStream(200_000)
	one, _ := json.Marshal(stream[0])
	for _, bc := range []struct {
		name  string
		store func(b *testing.B) incident.Store
	}{
		{"memory", func(*testing.B) incident.Store { return newMemStore() }},
		{"duckdb", func(b *testing.B) incident.Store { return openStore(b, openDB(b)) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			m := newManager(b, bc.store(b), incident.Config{})
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(int64(len(one)))
			b.ResetTimer()
			const batch = 100
			for i := 0; i < b.N; i += batch {
				lo := i % len(stream)
				hi := min(lo+batch, len(stream), lo+b.N-i)
				if err := m.WriteAlerts(ctx, stream[lo:hi]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
