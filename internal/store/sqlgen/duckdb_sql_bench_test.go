package sqlgen

import (
	"database/sql"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// benchRows is the size of the synthetic table the SQL benchmarks run on.
const benchRows = 1_000_000

// synthetic fills ev with benchRows authentication-log events over one day:
// 1000 users in mixed case, 50 hosts, IPv4 sources (a few IPv6), event
// codes, ports, byte counts, tags, and messages of sshd's kinds with one
// rare token in every 100 000 events.
const synthetic = `INSERT INTO ev ("@timestamp", "event.ingested", "event.id", "vigil.tenant", "vigil.source",
  "event.original", "message", "user.name", "source.ip", "destination.port", "event.code", "bytes", "score", "success", "tags", "host.name")
SELECT ts, ts, 'id' || i, 'default', 'bench',
  '<38>' || strftime(ts, '%b %d %H:%M:%S') || ' ' || host || ' sshd[' || (i % 30000) || ']: ' || msg, msg,
  usr, ip, port, code, (hash(i * 31) % 100000)::BIGINT, (hash(i * 37) % 1000) / 1000.0, code = 4624,
  CASE WHEN i % 7 = 0 THEN ['prod', 'ssh'] ELSE ['dev'] END, host
FROM (
  SELECT i, TIMESTAMP '2024-05-01 00:00:00' + to_microseconds(i * 86400) AS ts,
    CASE WHEN i % 3 = 0 THEN 'Admin' ELSE 'user' END || (hash(i) % 1000) AS usr,
    'web-' || (hash(i * 5) % 50) AS host,
    CASE WHEN i % 50 = 0 THEN '2001:db8::' || printf('%x', hash(i) % 65536)
      ELSE ((hash(i * 7) % 200) + 1)::VARCHAR || '.' || (hash(i * 11) % 256)::VARCHAR || '.' || (hash(i * 13) % 256)::VARCHAR || '.' || (hash(i * 17) % 256)::VARCHAR END AS ip,
    [22, 80, 443, 3389, 8080][((hash(i * 19) % 5) + 1)::BIGINT]::BIGINT AS port,
    [4624, 4625, 4634, 4688, 4672][((hash(i * 3) % 5) + 1)::BIGINT]::BIGINT AS code,
    CASE hash(i * 5) % 4 WHEN 0 THEN 'Failed password for invalid user ' WHEN 1 THEN 'Accepted publickey for '
      WHEN 2 THEN 'pam_unix(sshd:session): session opened for user ' ELSE 'Connection closed by authenticating user ' END
      || 'user' || (hash(i) % 1000) || ' from 10.' || (hash(i * 19) % 256) || '.1.' || (hash(i * 23) % 256) || ' port ' || (hash(i * 29) % 60000) || ' ssh2'
      || CASE WHEN i % 100000 = 7 THEN ' zqxjkrare' ELSE '' END AS msg
  FROM range(?) r(i))`

var (
	benchOnce sync.Once
	benchDB   *sql.DB
	benchErr  error
)

// benchTable opens the in-memory database with the synthetic table, once
// for all SQL benchmarks.
func benchTable(b *testing.B) *sql.DB {
	benchOnce.Do(func() {
		db := openDB(b)
		createTable(b, db)
		t0 := time.Now()
		if _, benchErr = db.Exec(synthetic, benchRows); benchErr == nil {
			b.Logf("generated %d rows in %v", benchRows, time.Since(t0))
		}
		benchDB = db
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDB
}

// BenchmarkSQL runs the SQL the compiler emits for typical searches on 1M
// synthetic events in an in-memory DuckDB: ns/op of "rows" is the query
// (a page of 100 rows) over the million events, of "count" its CountSQL.
func BenchmarkSQL(b *testing.B) {
	cases := []struct{ name, text string }{
		{"count_by_field", `| stats count() by user.name | sort -count | head 10`},
		{"count_by_host", `| stats count() by host.name`},
		{"events_page", `event.code:4625`},
		{"field_eq_ci", `user.name:ADMIN17`},
		{"field_prefix", `user.name:admin1*`},
		{"rare_term", `zqxjkrare`},
		{"common_term", `password`},
		{"phrase", `"failed password"`},
		{"digits_term", `4625`},
		{"wildcard_term", `*publick*`},
		{"cidr4_8", `source.ip:10.0.0.0/8`},
		{"cidr4_12", `source.ip:172.16.0.0/12`},
		{"cidr6_32", `source.ip:2001:db8::/32`},
		{"range", `destination.port:[1 TO 1024] bytes>=50000`},
		{"not_missing", `NOT user.name:admin* NOT nope:x`},
		{"timechart", `| timechart span=5m count() by event.code`},
		{"stats_dc", `| stats dc(user.name), avg(bytes), values(destination.port) by host.name`},
		{"tags_list", `tags:prod`},
	}
	db := benchTable(b)
	cat := storeCatalog()
	req := Request{From: "ev", Tenant: "default", Start: base.Add(-10 * 24 * time.Hour), End: base.Add(10 * 24 * time.Hour), Limit: 100}
	for _, c := range cases {
		q, err := Compile(DuckDB, query.MustParse(c.text), cat, req)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/rows", func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				rows, err := db.Query(q.SQL, q.Args...)
				if err != nil {
					b.Fatal(err)
				}
				for n = 0; rows.Next(); n++ {
				}
				if err := rows.Close(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(benchRows)*float64(b.N)/b.Elapsed().Seconds()/1e6, "Mrows/s")
			b.ReportMetric(float64(n), "rows")
		})
		b.Run(c.name+"/count", func(b *testing.B) {
			var total int64
			for b.Loop() {
				if err := db.QueryRow(q.CountSQL, q.CountArgs...).Scan(&total); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(total), "total")
		})
	}
}
