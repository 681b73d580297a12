package clickhouse

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// benchAlerts is a batch of n alerts as the alert log's applier writes them.
func benchAlerts(n, round int) []alert.Alert {
	as := make([]alert.Alert, n)
	for i := range as {
		as[i] = alert.Alert{ID: fmt.Sprintf("a%d-%d", round, i), Tenant: "acme", RuleID: "r", Title: "brute force", Level: "high",
			First: storetest.Base, Last: storetest.Base, Count: 1,
			Entities: alert.Entities{Hosts: []string{fmt.Sprint("ws", i%50)}, SourceIPs: []string{fmt.Sprintf("10.0.%d.%d", i/250, i%250)}}}
	}
	return as
}

// BenchmarkRecordWrites writes batches of 500 alerts, and the incident
// changes of 500 alerts (an alert row, its incident, a timeline entry
// each), through the HTTP interface of a private server: the ClickHouse
// side of the alert log's applier.
func BenchmarkRecordWrites(b *testing.B) {
	ctx := context.Background()
	srv := chtest.Start(b)
	s, err := Open(ctx, Options{URL: srv.URL, Database: "bench_records"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	al, err := s.OpenAlerts(ctx)
	if err != nil {
		b.Fatal(err)
	}
	in, err := s.OpenIncidents(ctx)
	if err != nil {
		b.Fatal(err)
	}
	const n = 500
	b.Run("alerts", func(b *testing.B) {
		b.ReportAllocs()
		round := 0
		for b.Loop() {
			round++
			if err := al.WriteAlerts(ctx, benchAlerts(n, round)); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "alerts/s")
	})
	b.Run("incidents", func(b *testing.B) {
		b.ReportAllocs()
		round := 0
		for b.Loop() {
			round++
			var ch store.IncidentChanges
			for i, a := range benchAlerts(n, round) {
				id := fmt.Sprintf("i%d-%d", round, i)
				ch.Alerts = append(ch.Alerts, store.IncidentMember{IncidentID: id, Alert: a})
				ch.Incidents = append(ch.Incidents, store.Incident{ID: id, Tenant: "acme", Status: store.IncidentNew, Severity: "high",
					First: a.First, Last: a.Last, AlertCount: 1, AlertIDs: []string{a.ID}, Entities: a.Entities})
				ch.Entries = append(ch.Entries, store.IncidentStamped{Tenant: "acme", IncidentID: id,
					Entry: store.IncidentEntry{Time: a.First, Kind: "status", To: "new"}})
			}
			if err := in.Apply(ctx, &ch); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "alerts/s")
	})
}
