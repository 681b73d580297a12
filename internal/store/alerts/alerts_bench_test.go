package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
)

// BenchmarkWriteAlerts writes batches of alerts to a DuckDB database file,
// as a scan or a spray raises them: every batch half new alerts and half
// folded updates of alerts already stored. One op is one alert. Batches of
// 200 are what detection gives per ingest batch; 10,000 what the alert
// log's applier gives in a storm (internal/alert/alertlog).
func BenchmarkWriteAlerts(b *testing.B) {
	for _, batch := range []int{200, 10_000} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) { benchWriteAlerts(b, batch) })
	}
}

func benchWriteAlerts(b *testing.B, batch int) {
	c, err := duckdb.NewConnector(filepath.Join(b.TempDir(), "bench.duckdb")+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		b.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		b.Fatal(err)
	}
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	mk := func(i int) alert.Alert {
		return alert.Alert{ID: fmt.Sprintf("alert-%08d", i), Tenant: "acme", RuleID: "c42a3073-30fb-48ae-8c99-c23ada84b103",
			Title: "Malware User Agent", Level: "high", Tags: []string{"attack.command-and-control", "attack.t1071.001"},
			First: base, Last: base.Add(time.Duration(i) * time.Millisecond), Count: 1 + i%7,
			EventIDs: []string{fmt.Sprintf("%032x", i)},
			Entities: alert.Entities{Hosts: []string{"web-01"}, SourceIPs: []string{fmt.Sprintf("203.0.%d.%d", i/256%256, i%256)}}}
	}
	buf := make([]alert.Alert, 0, batch)
	b.ReportAllocs()
	b.ResetTimer()
	for n := 0; n < b.N; n += batch {
		buf = buf[:0]
		for i := 0; i < batch; i++ {
			id := n + i
			if i%2 == 1 && n > 0 {
				id = n - batch + i // a folded update of the previous batch's alert
			}
			buf = append(buf, mk(id))
		}
		if err := s.WriteAlerts(ctx, buf); err != nil {
			b.Fatal(err)
		}
	}
}
