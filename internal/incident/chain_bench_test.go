package incident_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/alerts"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

// mixStream makes n alerts as the `vigil bench` mix raises them with the
// SigmaHQ corpus loaded (docs/bench.md): its scanner's web requests each
// match three rules on the user agent, so alerts come in threes with the
// same entities, from one of 500 hosts (a few take most), about 2,000
// users and a different source address almost every time, each carrying
// its match reason (about 730 bytes of JSON, as the bench's are); none is
// folded.
func mixStream(n int) []alert.Alert {
	r := rand.New(rand.NewPCG(5, 6))
	rules := []string{"Malware User Agent", "Hack Tool User Agent", "Suspicious User-Agents Related To Recon Tools"}
	out := make([]alert.Alert, 0, n)
	var ents alert.Entities
	var ev string
	for i := range n {
		at := t0.Add(time.Duration(i/3) * 30 * time.Millisecond)
		if i%3 == 0 {
			ev = fmt.Sprintf("%032x", uint64(i)*0x9e3779b97f4a7c15)
			ents = alert.Entities{Hosts: []string{fmt.Sprintf("host-%d", int(500*r.Float64()*r.Float64()*r.Float64()))},
				Users: []string{fmt.Sprintf("user%d", r.IntN(2000))}, SourceIPs: []string{fmt.Sprintf("10.%d.%d.%d", r.IntN(30), r.IntN(250), r.IntN(250))}}
		}
		rule := i % 3
		out = append(out, alert.Alert{
			ID: fmt.Sprintf("%032x", uint64(i)*0xbf58476d1ce4e5b9), Tenant: "default", RuleID: fmt.Sprintf("rule-%d-94ca-45ff-bc34-92e533c0994a", rule),
			Title: rules[rule], Level: alert.Levels[2+rule%2], Tags: []string{"attack.initial-access", "attack.t1190"},
			Techniques: []string{"T1190"}, Tactics: []string{"initial-access"}, First: at, Last: at, Count: 1,
			EventIDs: []string{ev}, Entities: ents, Status: alert.StatusOpen,
			Reason: &alert.Reason{Selections: []alert.ReasonSelection{{Name: "selection", Fields: []alert.ReasonField{
				{Field: "cs-user-agent", Modifier: "contains", Value: "sqlmap/1.7", EventField: "user_agent.original"}}}}},
		})
	}
	return out
}

// BenchmarkAlertChain measures what the alert log's applier pays per alert
// for the alert table and incident grouping together, as vigil serve runs
// them: alerts in 1,000-alert batches, each written to the alerts table
// and then grouped, into one DuckDB database file, ending with a
// CHECKPOINT so that no deferred work is left out; the bench mix's alerts
// (mixStream) and a storm's (stormStream). copy: the incident members
// keep their own copy of each alert document; shared: they refer to the
// alerts table's row (incidents.Store.ShareAlertDocs,
// Config.AlertsStored). ns/op is per alert.
func BenchmarkAlertChain(b *testing.B) {
	for _, bc := range []struct {
		name   string
		stream func(int) []alert.Alert
		share  bool
	}{{"mix/copy", mixStream, false}, {"mix/shared", mixStream, true}, {"storm/copy", stormStream, false}, {"storm/shared", stormStream, true}} {
		share := bc.share
		b.Run(bc.name, func(b *testing.B) {
			const batch = 1000
			stream := bc.stream(100_000)
			one, _ := json.Marshal(stream[0])
			c, err := duckdb.NewConnector(filepath.Join(b.TempDir(), "chain.duckdb")+"?autoinstall_known_extensions=false&autoload_known_extensions=false&preserve_insertion_order=false", nil)
			if err != nil {
				b.Fatal(err)
			}
			db := sql.OpenDB(c)
			defer db.Close()
			ctx := context.Background()
			as, err := alerts.Open(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			is, err := incidents.Open(ctx, db)
			if err != nil {
				b.Fatal(err)
			}
			if share {
				is.ShareAlertDocs()
			}
			m := newManager(b, is, incident.Config{AlertsStored: share})
			b.ReportAllocs()
			b.SetBytes(int64(len(one)))
			b.ResetTimer()
			for i := 0; i < b.N; i += batch {
				lo := i % len(stream)
				hi := min(lo+batch, len(stream), lo+b.N-i)
				if err := as.WriteAlerts(ctx, stream[lo:hi]); err != nil {
					b.Fatal(err)
				}
				if err := m.WriteAlerts(ctx, stream[lo:hi]); err != nil {
					b.Fatal(err)
				}
			}
			if _, err := db.ExecContext(ctx, "CHECKPOINT"); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "alerts/s")
		})
	}
}
