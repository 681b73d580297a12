package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestPageByPlaceMatchesDuckDB: terms planted in random events of several
// cold files (and some hot ones) are found by the read by place exactly as
// a full scan finds them, and every page it returns equals, cell for cell
// and type for type, the page DuckDB reads for the same search: events
// with ints, floats, booleans, times, lists (empty ones too), missing
// fields and overflow fields, a field whose type changed between files
// (that file goes through DuckDB), a column of several Parquet pages,
// pages of results that are full (DuckDB) and not.
func TestPageByPlaceMatchesDuckDB(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 11))
	blockRows, partRows := 250+rng.IntN(150), 10+rng.IntN(40)
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		blockRows: blockRows, partRows: partRows, Columns: ColumnLimits{TenantColumns: 20},
		noTermScan: true}) // the first step through DuckDB: TestTermScanMatchesDuckDB tests the other
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	const needles = 24
	base := time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC)
	planted := map[string]map[string]bool{} // needle → event ids
	i := 0
	// Needles lo..hi-1 go into a batch's events. Only the first file and
	// the hot events have overflow fields: a freeze set with any is
	// written by DuckDB's COPY (no offset index: its pages are read in
	// turn), the others by Vigil's writer.
	batch := func(n int, late string, lo, hi int, overflow bool) []*event.Event {
		var evs []*event.Event
		for range n {
			i++
			orig := fmt.Sprintf("<13>host%d app: event %d word%d", i%5, i, rng.IntN(50))
			msg := ""
			var nds []string
			for range rng.IntN(3) {
				if rng.IntN(8) == 0 {
					nds = append(nds, fmt.Sprintf("pz%02dq", lo+rng.IntN(hi-lo)))
				}
			}
			for _, nd := range nds {
				if rng.IntN(2) == 0 {
					orig += " " + nd
				} else {
					msg += " " + nd
				}
			}
			// Two days, so several files; some events share a time.
			e := &event.Event{Timestamp: base.Add(time.Duration(i/2) * 97 * time.Second), Ingested: base, Tenant: "acme", Source: "tcp", Original: orig}
			e.ID = event.NewID("acme", "tcp", "", i, []byte(orig))
			if msg != "" {
				e.SetString("message", "msg"+msg)
			}
			for _, nd := range nds {
				if planted[nd] == nil {
					planted[nd] = map[string]bool{}
				}
				planted[nd][e.ID] = true
			}
			e.SetString("host.name", fmt.Sprintf("host%d", i%5))
			if rng.IntN(3) > 0 {
				e.Set("bytes", event.Int(rng.Int64N(1<<40)-1<<39))
			}
			e.Set("ratio", event.Float(rng.Float64()*100))
			switch late {
			case "int":
				e.Set("late", event.Int(int64(rng.IntN(100))))
			case "float":
				e.Set("late", event.Float(rng.Float64()))
			}
			if rng.IntN(2) == 0 {
				e.Set("ok", event.Bool(rng.IntN(2) == 0))
			}
			if rng.IntN(2) == 0 {
				e.Set("seen", event.Time(base.Add(time.Duration(rng.Int64N(1e15))).Truncate(time.Microsecond)))
			}
			switch rng.IntN(4) {
			case 0:
				e.Set("tags", event.List([]string{"a", fmt.Sprint("t", rng.IntN(9))}))
			case 1:
				e.Set("tags", event.List([]string{}))
			case 2:
				e.Set("tags", event.List([]string{fmt.Sprint("x", i)}))
			}
			// Long text in half the events: a column of several pages
			// (of 1 MiB), whose offset index the read by place follows.
			if rng.IntN(2) == 0 {
				b := make([]byte, 8000+rng.IntN(8000))
				for j := range b {
					b[j] = 'a' + byte(rng.IntN(26))
				}
				e.SetString("blob", string(b))
			}
			// More fields than the tenant's columns: the rest overflow.
			for k := range rng.IntN(25) * b2i(overflow) {
				e.SetString(fmt.Sprintf("extra.f%02d", k), fmt.Sprint("v", rng.IntN(1000)))
			}
			evs = append(evs, e)
		}
		return evs
	}
	// The second file has late as BIGINT; the third makes it DOUBLE, so
	// pages with hits in the second (needles 0-11) are read by DuckDB.
	// Needles 12-17 are in the first (COPY's) and third files and hot
	// events, 18-23 in the first and third files: read by place.
	for k, c := range []struct {
		n, lo, hi int
		late      string
	}{
		{400 + rng.IntN(300), 0, needles, ""},
		{500 + rng.IntN(400), 0, 12, "int"},
		{500 + rng.IntN(400), 0, needles, "float"},
	} {
		if err := s.Write(ctx, batch(c.n, c.late, c.lo, c.hi, k == 0)); err != nil {
			t.Fatal(err)
		}
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, batch(100+rng.IntN(100), "float", 12, 18, true)); err != nil { // hot
		t.Fatal(err)
	}

	d := s.datasets[store.Events]
	search := func(req store.Request, byPlace bool) *store.Result {
		t.Helper()
		s.opts.noPlaceRead = !byPlace
		req.Tenant = "acme"
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", req.Query, err)
		}
		return res
	}
	var placed int64
	for k := range needles {
		nd := fmt.Sprintf("pz%02dq", k)
		for _, req := range []store.Request{
			{Query: nd, Limit: 100},
			{Query: nd, Limit: 1 + rng.IntN(3)},
			{Query: nd + " OR " + fmt.Sprintf("pz%02dq", (k+1)%needles), Limit: 100},
			{Query: nd, Limit: 100, From: base.Add(time.Duration(rng.IntN(20)) * time.Hour), To: base.Add(time.Duration(20+rng.IntN(30)) * time.Hour)},
		} {
			before := d.placeReads.Load()
			got := search(req, true)
			placed += d.placeReads.Load() - before
			// Needles 18-23 are in cold files of the search's types only:
			// a page holding them all is read by place, from COPY's file
			// too.
			if k >= 18 && req.Query == nd && req.From.IsZero() && got.Total > 0 && got.Total < int64(req.Limit) && d.placeReads.Load() == before {
				t.Errorf("%q limit %d: not read by place", req.Query, req.Limit)
			}
			want := search(req, false)
			if got.Total != want.Total || !reflect.DeepEqual(sortedCells(got.Rows), sortedCells(want.Rows)) {
				t.Fatalf("%q limit %d: by place total %d\n%v\nDuckDB total %d\n%v", req.Query, req.Limit, got.Total, got.Rows, want.Total, want.Rows)
			}
			if req.Limit == 100 && req.From.IsZero() && req.Query == nd {
				var ids []string
				for _, r := range got.Rows {
					for _, c := range r {
						if c.Name == event.FieldID {
							ids = append(ids, c.Value.(string))
						}
					}
				}
				var full []string
				for id := range planted[nd] {
					full = append(full, id)
				}
				slices.Sort(ids)
				slices.Sort(full)
				if !slices.Equal(ids, full) {
					t.Fatalf("%s: found %v, planted in %v", nd, ids, full)
				}
			}
		}
	}
	if placed == 0 {
		t.Fatal("no page was read by place")
	}
	t.Logf("%d pages read by place", placed)
}

// sortedCells returns rows with their cells sorted by name: overflow
// fields come out of a map, in any order.
func sortedCells(rows []store.Row) []store.Row {
	out := make([]store.Row, len(rows))
	for i, r := range rows {
		out[i] = slices.SortedFunc(slices.Values(r), func(a, b store.Cell) int { return strings.Compare(a.Name, b.Name) })
	}
	return out
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// BenchmarkReadColdRows reads 10 rows spread over a cold file of 100,000
// events of benchEvents (blocks of 32,768 rows) by place: the second step
// of a rare term's page.
func BenchmarkReadColdRows(b *testing.B) {
	ctx := context.Background()
	s, err := Open(Options{Dir: b.TempDir(), Interval: time.Hour, FreezeBytes: 1 << 30, FileRows: 1 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	evs := benchEvents(1000)
	for j := range 100 {
		for k, e := range evs {
			e.Timestamp = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(j*1000+k) * time.Millisecond)
			e.ID = fmt.Sprint("b", j, "-", k)
		}
		if err := s.Write(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Freeze(ctx); err != nil {
		b.Fatal(err)
	}
	d := s.datasets[store.Events]
	fs := d.cold.all()["default"]
	if len(fs) != 1 || fs[0].Rows != 100_000 {
		b.Fatalf("want one file of 100000 rows: %+v", fs)
	}
	snap := d.cat.load()
	var cols []outColumn
	for _, e := range envelopeColumns {
		cols = append(cols, outColumn{e.name, e.sqlType})
	}
	for _, c := range snap.tenantColumnsOf("default") {
		cols = append(cols, outColumn{c.Column, c.Kinds.sqlType()})
	}
	var rows []int64
	for k := range 10 {
		rows = append(rows, int64(k)*9_973+17)
	}
	b.SetBytes(fs[0].Size) // the file the rows are read from
	b.ReportAllocs()
	for b.Loop() {
		got, err := readColdRows(newColdOpener(), fs[0].Path, rows, cols)
		if err != nil || len(got) != len(rows) {
			b.Fatal(len(got), err)
		}
	}
}
