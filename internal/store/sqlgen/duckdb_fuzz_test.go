package sqlgen

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
)

// FuzzDuckDBCompile compiles every query the parser accepts and runs it on a
// DuckDB with the store's columns: whatever the text, the SQL must bind and
// run (no binder errors, no invalid regular expressions), and the count
// must agree with the rows.
func FuzzDuckDBCompile(f *testing.F) {
	for _, s := range goldenQueries {
		f.Add(s)
	}
	for _, s := range []string{`message:""`, `event.original:"" x:""`, `a:"\\" b:\*`, `x:[* TO *]`, `"(?i)"`, `user.name:'`, `message:*?*`, `??`, `source.ip:[::1 TO ::2]`,
		`| stats values(tags) by tags | where tags:x`, `| timechart span=1s dc(login.time) by success`} {
		f.Add(s)
	}
	db := openDB(f)
	createTable(f, db)
	insert(f, db, fixture())
	cat := storeCatalog()
	f.Fuzz(func(t *testing.T, text string) {
		p, err := query.Parse(text)
		if err != nil {
			return
		}
		q, err := Compile(DuckDB, p, cat, Request{From: "ev", Tenant: "default", Start: base.Add(-24 * 3600e9), End: base.Add(24 * 3600e9)})
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		rows, err := db.Query(q.SQL, q.Args...)
		if err != nil {
			if strings.Contains(err.Error(), "Out of Range") || strings.Contains(err.Error(), "Overflow") {
				return // a sum beyond BIGINT is an error by design
			}
			t.Fatalf("%q: %v\n%s\n%#v", text, err, q.SQL, q.Args)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		rows.Close()
		var total int
		if err := db.QueryRow(q.CountSQL, q.CountArgs...).Scan(&total); err != nil {
			t.Fatalf("%q: count: %v\n%s", text, err, q.CountSQL)
		}
		if total != n {
			t.Fatalf("%q: %d rows, count %d", text, n, total)
		}
	})
}
