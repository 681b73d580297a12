package embedded

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// randomCountEvents are n events of random tenants (acme, beta), times over
// two days and values: host.name of few values, port of few ints or (with
// textPorts) texts, a bool, a field of many values (over maxBlockValues
// per block), a float and a field most events lack.
func randomCountEvents(rng *rand.Rand, n int, textPorts bool) []*event.Event {
	out := make([]*event.Event, n)
	for i := range out {
		tenant := "acme"
		if rng.IntN(4) == 0 {
			tenant = "beta"
		}
		ts := storetest.Base.Add(time.Duration(rng.Int64N(int64(40 * time.Hour)))).Truncate(time.Microsecond)
		e := &event.Event{Timestamp: ts, Ingested: ts, Tenant: tenant, Source: []string{"tcp", "udp"}[rng.IntN(2)],
			Original: fmt.Sprintf("<13>line %d of %s", i, tenant)}
		e.ID = event.NewID(tenant, e.Source, "", i, []byte(e.Original))
		if rng.IntN(10) > 0 {
			e.SetString("host.name", fmt.Sprintf("host-%d", rng.IntN(12)))
		}
		if textPorts {
			e.SetString("port", fmt.Sprint(rng.IntN(5)))
		} else {
			e.Set("port", event.Int(int64(rng.IntN(5))))
		}
		e.Set("ok", event.Bool(rng.IntN(3) == 0))
		e.SetString("user.name", fmt.Sprintf("user%d", rng.IntN(100000)))
		e.Set("score", event.Float(float64(rng.IntN(4))/2))
		if rng.IntN(20) == 0 {
			e.SetString("rare", "r"+fmt.Sprint(rng.IntN(3)))
		}
		out[i] = e
	}
	return out
}

// TestBlockCountsMatchRows: a count by a column answered from block counts
// gives what reading the rows gives, over random data in cold files of
// several freezes (a column's type differing between them), hot data, two
// tenants and random time ranges, for many query shapes.
func TestBlockCountsMatchRows(t *testing.T) {
	ctx := context.Background()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VIGIL_TEST_SEED"); s != "" {
		fmt.Sscan(s, &seed)
	}
	t.Logf("seed %d (VIGIL_TEST_SEED)", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, blockRows: 500 + rng.IntN(300)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := range 3 {
		if err := s.Write(ctx, randomCountEvents(rng, 1000+rng.IntN(1500), i == 1)); err != nil {
			t.Fatal(err)
		}
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Write(ctx, randomCountEvents(rng, 300, false)); err != nil { // stays hot
		t.Fatal(err)
	}

	d := s.datasets[store.Events]
	counted := &blockCounts{column: "host.name"}
	d.cold.filesCounting("acme", time.Time{}, time.Time{}, nil, counted)
	if counted.blocks == 0 {
		t.Fatal("no block has counts")
	}
	for _, fs := range d.cold.all() {
		for _, f := range fs {
			if f.V != coldMetaVersion {
				t.Fatalf("%s: meta version %d", f.Path, f.V)
			}
			for _, b := range f.Blocks {
				if _, ok := b.Values["user.name"]; ok && b.Rows > 280 { // ~all distinct of 100,000, over rows/blockValueRows
					t.Errorf("counts of user.name (over a value per %d rows) kept", blockValueRows)
				}
				if _, ok := b.Values["score"]; ok {
					t.Error("counts of a DOUBLE column kept")
				}
			}
		}
	}

	shapes := []string{
		"* | stats count() by FIELD",
		"| stats count() by FIELD",
		"* | stats count() by FIELD | sort -count, FIELD | head 3",
		"| stats count() as n, count() by FIELD | where n > 20 | sort FIELD",
		"| stats count() by FIELD | stats count() as groups",
		"| stats count() as n by FIELD | fields n | sort -n",
		"* | stats count()",
		"FIELD:* | stats count() by FIELD | sort -count, FIELD | head 5",
		"FIELD:host-1 OR FIELD:3 OR FIELD:true | stats count() by FIELD",
		"NOT FIELD:host-2 AND NOT FIELD:false | stats count() as n by FIELD",
		"FIELD:host-1* | stats count() by FIELD",
		"FIELD>=2 | stats count() by FIELD",
		"NOT FIELD:* | stats count() by FIELD",
	}
	fields := []string{"host.name", "port", "ok", "user.name", "score", "rare", "nosuch", event.FieldSource, event.FieldTenant, event.FieldTimestamp}
	base := storetest.Base
	for i := range 150 {
		q := strings.ReplaceAll(shapes[rng.IntN(len(shapes))], "FIELD", fields[rng.IntN(len(fields))])
		req := store.Request{Tenant: []string{"acme", "beta", "gamma"}[rng.IntN(3)], Query: q}
		switch rng.IntN(4) {
		case 1:
			req.From = base.Add(time.Duration(rng.Int64N(int64(42 * time.Hour))))
		case 2:
			req.To = base.Add(time.Duration(rng.Int64N(int64(42 * time.Hour))))
		case 3:
			req.From = base.Add(time.Duration(rng.Int64N(int64(20 * time.Hour))))
			req.To = req.From.Add(time.Duration(rng.Int64N(int64(24 * time.Hour))))
		}
		if i%10 == 0 {
			req.Limit, req.Offset = 2, rng.IntN(3)
		}
		s.opts.noBlockCounts = false
		got, gotErr := s.Search(ctx, req)
		s.opts.noBlockCounts = true
		want, err := s.Search(ctx, req)
		if gotErr != nil || err != nil {
			if gotErr == nil || err == nil || gotErr.Error() != err.Error() || !errors.Is(err, store.ErrBadRequest) {
				t.Fatalf("%q: block counts: %v; rows: %v", q, gotErr, err)
			}
			continue // a filter of the wrong type for the field
		}
		g, w := rowTexts(got.Rows), rowTexts(want.Rows)
		if !strings.Contains(q, "sort") {
			slices.Sort(g)
			slices.Sort(w)
		}
		if got.Total != want.Total || !slices.Equal(g, w) || !slices.Equal(got.Columns, want.Columns) || got.Shape != want.Shape {
			t.Errorf("%q %v–%v tenant %s:\nblock counts %d %v %v\nrows         %d %v %v", q, req.From, req.To, req.Tenant,
				got.Total, got.Columns, g, want.Total, want.Columns, w)
		}
	}
}

func rowTexts(rows []store.Row) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		var b strings.Builder
		for _, c := range r {
			fmt.Fprintf(&b, "%s=%T:%v ", c.Name, c.Value, c.Value)
		}
		out[i] = b.String()
	}
	return out
}

// TestCountsQuery: only a count() by at most one column over no filter
// takes block counts.
func TestCountsQuery(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Write(context.Background(), storetest.Events("acme", 3)); err != nil {
		t.Fatal(err)
	}
	qc := s.datasets[store.Events].cat.load().queryCatalog("acme")
	for q, want := range map[string]bool{
		"* | stats count() by host.name":                                  true,
		"| stats count() as n by host.name | sort -n | head 10":           true,
		"| stats count()":                                                 true,
		"| stats count() by " + event.FieldSource:                         true,
		"host.name:web | stats count() by host.name":                      true,
		"user.name:* | stats count() by user.name":                        true,
		"NOT host.name:web* OR host.name>=b | stats count() by host.name": true,
		"host.name:web user.name:x | stats count() by host.name":          false,
		"web | stats count() by host.name":                                false,
		"host.name:* | stats count()":                                     false,
		"message:x | stats count() by message":                            false,
		"| where host.name:web | stats count() by host.name":              false,
		"| stats count() by host.name, user.name":                         false,
		"| stats dc(user.name) by host.name":                              false,
		"| stats count(user.name) by host.name":                           false,
		"| stats count() by nosuchfield":                                  false,
		"| timechart count() by host.name":                                false,
		"*":                                                               false,
		"| head 5 | stats count() by host.name":                           false,
		"| stats count() by host.name | stats count() as n by count":      true,
	} {
		plan, err := query.Parse(q)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, ok := countsQuery(plan, qc); ok != want {
			t.Errorf("%q: %v, want %v", q, ok, want)
		}
	}
}

// BenchmarkCountBy measures `stats count() by host.name | sort -count |
// head 10` over 200k cold events, answered from block counts and from the
// rows.
func BenchmarkCountBy(b *testing.B) {
	ctx := context.Background()
	s, err := Open(Options{Dir: b.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	for range 4 {
		if err := s.Write(ctx, randomCountEvents(rng, 50_000, false)); err != nil {
			b.Fatal(err)
		}
	}
	if err := s.Freeze(ctx); err != nil {
		b.Fatal(err)
	}
	req := store.Request{Tenant: "acme", Query: "* | stats count() by host.name | sort -count | head 10"}
	for _, mode := range []struct {
		name string
		rows bool
	}{{"counts", false}, {"rows", true}} {
		b.Run(mode.name, func(b *testing.B) {
			s.opts.noBlockCounts = mode.rows
			b.ReportAllocs()
			for b.Loop() {
				if _, err := s.Search(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestBlockValuesBound: a block keeps a column's counts up to one value
// per blockValueRows rows, maxBlockValues values and maxBlockValueBytes of
// text, and counts each value.
func TestBlockValuesBound(t *testing.T) {
	cols := []directCol{{name: "a", sqlType: "VARCHAR"}, {name: "b", sqlType: "BIGINT"}, {name: "c", sqlType: "BOOLEAN"},
		{name: "d", sqlType: "DOUBLE"}, {name: overflowColumn, sqlType: "VARCHAR"}, {name: "e", sqlType: "VARCHAR"},
		{name: "f", sqlType: "VARCHAR"}, {name: "g", sqlType: "VARCHAR"}}
	bv := newBlockValues(cols)
	rows := 64 * blockValueRows
	for i := range rows {
		bv.add(0, &cell{kind: 's', s: []byte(fmt.Sprint("v", i%64))}) // 64 values: kept
		bv.add(1, &cell{kind: 'i', n: int64(i % 65)})                 // 65: one too many
		bv.add(2, &cell{kind: 'b', n: int64(i % 2)})                  // kept
		bv.add(3, &cell{kind: 'f', f: 1})                             // not counted
		bv.add(4, &cell{kind: 's', s: []byte("{}")})                  // not counted
	}
	for i := range maxBlockValues + 1 {
		bv.add(5, &cell{kind: 's', s: []byte(fmt.Sprint(i))}) // over maxBlockValues
	}
	long := strings.Repeat("x", maxBlockValueBytes/4)
	for i := range 4 * blockValueRows {
		bv.add(6, &cell{kind: 's', s: []byte(fmt.Sprint(i%4, long))}) // over maxBlockValueBytes
		bv.add(7, &cell{kind: 's', s: []byte(fmt.Sprint(i%3, long))}) // within
	}
	got := bv.take(rows)
	if len(got) != 3 || len(got["g"]) != 3 || len(got["a"]) != 64 || got["a"]["v3"] != blockValueRows || got["c"]["true"] != int64(rows/2) || got["c"]["false"] != int64(rows/2) {
		t.Errorf("counts: %v", got)
	}
	bv.add(1, &cell{kind: 'i', n: -5})
	if got := bv.take(1); len(got["b"]) != 1 || got["b"]["-5"] != 1 || len(got["a"]) != 0 || got["a"] == nil {
		t.Errorf("the next block: %v", got)
	}
}
