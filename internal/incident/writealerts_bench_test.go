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

// stormStream makes n alerts as an alert storm under `vigil bench` raises
// them: 20 alerts a second from 60 rules, over the bench mix's 500 hosts
// and 2,000 users with a few of each raising most (so many alerts per rule
// and entity, and a handful of large incidents), and one alert in five a
// folded update (a higher count) of one of the last 2,000.
func stormStream(n int) []alert.Alert {
	r := rand.New(rand.NewPCG(3, 4))
	skew := func(n int) int { // a few values take most draws
		return int(float64(n) * r.Float64() * r.Float64() * r.Float64())
	}
	out := make([]alert.Alert, 0, n)
	for i := range n {
		at := t0.Add(time.Duration(i) * 50 * time.Millisecond)
		if i > 100 && r.IntN(5) == 0 {
			a := out[i-1-r.IntN(min(i-1, 2000))]
			a.Count++
			a.Last = at
			a.EventIDs = append(a.EventIDs[:len(a.EventIDs):len(a.EventIDs)], fmt.Sprintf("%032x", i))
			out = append(out, a)
			continue
		}
		rule := skew(60)
		out = append(out, alert.Alert{
			ID: fmt.Sprintf("%024x", uint64(i)*0x9e3779b97f4a7c15), Tenant: "acme", RuleID: fmt.Sprintf("rule-%02d-0000-4000-8000-000000000000", rule),
			Title: fmt.Sprint("Suspicious process creation pattern ", rule), Level: alert.Levels[rule%5],
			Tags: []string{"attack.execution", "attack.t1059.001"}, First: at, Last: at, Count: 1,
			EventIDs: []string{fmt.Sprintf("%032x", i)}, Status: alert.StatusOpen,
			Entities: alert.Entities{
				Hosts: []string{fmt.Sprintf("host-%03d", skew(500))},
				Users: []string{fmt.Sprintf("user%04d", skew(2000))},
			},
		})
	}
	return out
}

// BenchmarkManagerWriteAlerts measures what the alert log's applier pays
// per alert in incident grouping during a storm: batches of 1,000 alerts
// (a 200 ms drain at 5,000 alerts/s) written to DuckDB, as vigil serve
// runs it. ns/op is per alert.
func BenchmarkManagerWriteAlerts(b *testing.B) {
	const batch = 1000
	stream := stormStream(100_000)
	one, _ := json.Marshal(stream[0])
	m := newManager(b, openStore(b, openDB(b)), incident.Config{})
	ctx := context.Background()
	b.ReportAllocs()
	b.SetBytes(int64(len(one)))
	b.ResetTimer()
	for i := 0; i < b.N; i += batch {
		lo := i % len(stream)
		hi := min(lo+batch, len(stream), lo+b.N-i)
		if err := m.WriteAlerts(ctx, stream[lo:hi]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
}
