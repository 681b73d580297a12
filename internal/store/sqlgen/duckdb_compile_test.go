package sqlgen

import (
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

func TestCompileRejectsBadRequests(t *testing.T) {
	p := query.MustParse(`error`)
	cat := storeCatalog()
	ok := Request{From: "ev", Tenant: "default"}
	f := func(p *query.Plan, cat query.Catalog, req Request, want string) {
		t.Helper()
		_, err := Compile(DuckDB, p, cat, req)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Compile: error %v, want one containing %q", err, want)
		}
	}
	f(nil, cat, ok, "no plan")
	f(p, nil, ok, "no catalog")
	f(p, cat, Request{Tenant: "default"}, "no FROM item")
	f(p, cat, Request{From: " ", Tenant: "default"}, "no FROM item")
	f(p, cat, Request{From: "ev"}, "no tenant")
	f(p, cat, Request{From: "ev", Tenant: "t", Limit: -1}, "negative limit")
	f(p, cat, Request{From: "ev", Tenant: "t", Offset: -1}, "negative limit")
	f(p, cat, Request{From: "ev", Tenant: "t", Start: base, End: base.Add(-time.Second)}, "ends")
	if _, err := Compile(DuckDB, p, cat, Request{From: "ev", Tenant: "t", Start: base, End: base}); err != nil {
		t.Errorf("an empty time range: %v", err)
	}
}

// TestValuesAreArguments checks that no value of a query reaches the SQL
// text: hostile values are arguments, and names are quoted identifiers.
func TestValuesAreArguments(t *testing.T) {
	hostile := `x'); DROP TABLE ev; --`
	cat := query.MapCatalog{"user.name": query.TypeString, `we"ird`: query.TypeString, "tags": query.TypeList, "n": query.TypeInt}
	plans := []*query.Plan{
		{Filter: &query.Match{Value: hostile}},
		{Filter: &query.Match{Field: "user.name", Value: hostile}},
		{Filter: &query.Match{Field: "user.name", Value: hostile + "*", Wild: true}},
		{Filter: &query.Match{Field: "tags", Value: hostile}},
		{Filter: &query.Match{Field: `we"ird`, Value: hostile}},
		{Filter: &query.Range{Field: "user.name", Lo: hostile, HasLo: true, IncLo: true}},
		{Filter: &query.Match{Field: "n", Value: hostile + "*", Wild: true}},
	}
	for _, p := range plans {
		q, err := Compile(DuckDB, p, cat, Request{From: "ev", Tenant: hostile})
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{q.SQL, q.CountSQL} {
			if strings.Contains(sql, "DROP") || strings.Contains(sql, hostile) {
				t.Errorf("%s: a value reached the SQL text: %s", query.ExprString(p.Filter), sql)
			}
		}
	}
	if got := DuckDB.quoteIdent(`we"ird`); got != `"we""ird"` {
		t.Errorf("quoteIdent = %s", got)
	}
}

// TestTenantAlwaysChecked: every statement, however it nests, checks the
// tenant in its innermost SELECT.
func TestDuckDBTenantAlwaysChecked(t *testing.T) {
	for _, text := range goldenQueries {
		q, err := Compile(DuckDB, query.MustParse(text), storeCatalog(), Request{From: "ev", Tenant: "t1"})
		if err != nil {
			t.Fatal(err)
		}
		for _, sql := range []string{q.SQL, q.CountSQL} {
			if strings.Count(sql, `FROM ev WHERE "vigil.tenant" = ?`) != 1 {
				t.Errorf("%q: %s", text, sql)
			}
		}
		if q.Args[0] != "t1" || q.CountArgs[0] != "t1" {
			t.Errorf("%q: the first argument is not the tenant: %v", text, q.Args)
		}
	}
}

func TestTotalFromRows(t *testing.T) {
	f := func(limit, offset int64, n int, want int64, ok bool) {
		t.Helper()
		got, gotOK := Request{Limit: limit, Offset: offset}.TotalFromRows(n)
		if got != want || gotOK != ok {
			t.Errorf("limit %d offset %d rows %d: %d %v, want %d %v", limit, offset, n, got, gotOK, want, ok)
		}
	}
	f(0, 0, 0, 0, true)
	f(0, 0, 7, 7, true)
	f(100, 0, 7, 7, true)
	f(100, 20, 7, 27, true)
	f(100, 0, 100, 0, false) // a full page: there may be more
	f(100, 20, 0, 0, false)  // past the end: the total is unknown
	f(10, 0, 0, 0, true)
}

// TestHandMadePlans compiles plans the parser would not make, as other
// code may build them: none may panic, and all must run.
func TestHandMadePlans(t *testing.T) {
	db := fixtureDB(t)
	cat := storeCatalog()
	plans := []*query.Plan{
		{Filter: &query.CIDR{Field: "source.ip"}},
		{Filter: &query.Match{Field: "message", Wild: true}},
		{Filter: &query.Match{Field: "user.name", Wild: true}},
		{Filter: &query.Match{Value: "", Wild: true}},
		{Filter: &query.Range{Field: ""}},
		{Filter: &query.Exists{Field: ""}},
		{Filter: &query.Not{Arg: &query.All{}}},
		{Filter: &query.And{}},
		{Filter: &query.Or{}},
		{Pipes: []query.Pipe{&query.Head{N: -1}}},
		{Pipes: []query.Pipe{&query.Timechart{Span: time.Nanosecond}}},
		{Pipes: []query.Pipe{&query.Stats{Aggs: []query.Agg{{Func: 0, Field: "bytes"}}}}},
		{Pipes: []query.Pipe{&query.Sort{}}},
		{Pipes: []query.Pipe{&query.Fields{Names: []string{"x"}}, &query.Where{Filter: &query.Match{Field: "x", Value: "1"}}}},
	}
	for _, p := range plans {
		q, err := Compile(DuckDB, p, cat, Request{From: "ev", Tenant: "default"})
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		rows, err := db.Query(q.SQL, q.Args...)
		if err != nil {
			t.Fatalf("%s: %v\n%s", p, err, q.SQL)
		}
		rows.Close()
	}
}

func TestPageTimesOnlyForDefaultOrder(t *testing.T) {
	cases := []struct {
		q     string
		limit int64
		want  bool
	}{
		{"source.ip:10.0.0.0/8", 100, true},
		{"password | where user.name:root | fields message", 100, true},
		{"password", 0, false}, // everything: no page
		{"password | sort user.name", 100, false},
		{"password | head 5", 100, false},
		{"* | stats count() by host.name", 100, false},
		{"* | timechart span=1h count()", 100, false},
	}
	for _, c := range cases {
		q, err := Compile(DuckDB, query.MustParse(c.q), storeCatalog(), Request{From: "ev", Tenant: "t1", Limit: c.limit, Offset: 7})
		if err != nil {
			t.Fatal(err)
		}
		if got := q.PageTimesSQL != ""; got != c.want {
			t.Errorf("%q limit %d: page times %q, want one: %v", c.q, c.limit, q.PageTimesSQL, c.want)
			continue
		}
		if !c.want {
			continue
		}
		sql := q.PageTimesSQL
		if !strings.HasPrefix(sql, `SELECT "@timestamp" FROM ev WHERE "vigil.tenant" = ?`) ||
			!strings.HasSuffix(sql, `ORDER BY "@timestamp" DESC LIMIT 100 OFFSET 7`) {
			t.Errorf("%q: page times SQL %s", c.q, sql)
		}
	}
}

// TestPageColumns: Request.PageColumns are returned after @timestamp by
// PageTimesSQL alone.
func TestPageColumns(t *testing.T) {
	q, err := Compile(DuckDB, query.MustParse("password"), storeCatalog(), Request{From: "ev", Tenant: "t1", Limit: 100, PageColumns: []string{"__f", "__r"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(q.PageTimesSQL, `SELECT "@timestamp", "__f", "__r" FROM ev WHERE`) {
		t.Errorf("page times SQL %s", q.PageTimesSQL)
	}
	if strings.Contains(q.SQL, "__f") || strings.Contains(q.CountSQL, "__f") {
		t.Errorf("the rows or the count read a page column: %s\n%s", q.SQL, q.CountSQL)
	}
}
