package embedded

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/rle"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// TestFlatChunkMatchesParquetGo: every flat column of the store's cold
// files (texts, integers, floats, booleans, timestamps, with nulls, in
// dictionaries and not) and of the previous writer's (testdata/oldwriter)
// reads the same, row by row and as text pages over row ranges, through
// flatChunk as through parquet-go's page readers; and flatChunk reads
// every flat column the store's writer writes.
func TestFlatChunkMatchesParquetGo(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, pageBytes: 2048, partRows: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var evs []*event.Event
	for k := range 12 { // storetest.Events makes at most 255
		for _, e := range storetest.Events("acme", 250) {
			e.Timestamp = e.Timestamp.Add(time.Duration(k) * time.Hour)
			e.Original += fmt.Sprint(" batch", k)
			e.ID = event.NewID("acme", "test", "", 0, []byte(e.Original))
			evs = append(evs, e)
		}
	}
	for i, e := range evs {
		if i%3 != 0 {
			e.Set("x.n", event.Int(int64(i*7919%1000-500)))
		}
		if i%4 != 1 {
			e.Set("x.f", event.Float(float64(i)/7))
		}
		if i%5 != 2 {
			e.Set("x.b", event.Bool(i%2 == 0))
		}
		if i%6 == 0 {
			e.Set("x.ip", event.IP(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})))
		}
		e.SetString("x.uniq", fmt.Sprintf("value-%d-%x", i, i*i))
	}
	ctx := context.Background()
	if err := s.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range s.datasets[store.Events].cold.all()["acme"] {
		paths = append(paths, f.Path)
	}
	flat := compareFlatChunks(t, paths)
	t.Logf("columns read by flatChunk, by type: %v", flat)
	// Every flat column but lists is read by flatChunk.
	for kind, n := range map[string]int{"VARCHAR": 4, "BIGINT": 1, "DOUBLE": 1, "BOOLEAN": 1, "TIMESTAMP": 2} {
		if flat[kind] < n {
			t.Errorf("%d %s columns read by flatChunk, want at least %d: %v", flat[kind], kind, n, flat)
		}
	}
	if flat["other"] != 0 {
		t.Errorf("%d flat columns not read by flatChunk", flat["other"])
	}

	old, err := filepath.Glob("testdata/oldwriter/store/events/cold/*/*/*.parquet")
	if err != nil || len(old) == 0 {
		t.Fatalf("old writer's files: %v, %v", old, err)
	}
	compareFlatChunks(t, old)
}

// compareFlatChunks compares flatChunk's reads of each file's flat
// columns with parquet-go's, and counts per SQL type the columns
// flatChunk read ("other": flat columns it declined).
func compareFlatChunks(t *testing.T, paths []string) map[string]int {
	t.Helper()
	flat := map[string]int{}
	for _, path := range paths {
		o, err := openColdFile(path)
		if err != nil {
			t.Fatal(err)
		}
		pf := o.pf
		schema := pf.Metadata().Schema
		var cols []outColumn
		for f, pos := 0, 1; f < int(schema[0].NumChildren.V); f++ {
			if typ, _, _ := parquetSQLType(schema, pos); typ != "" {
				cols = append(cols, outColumn{schema[pos].Name, typ})
			}
			pos = skipSchemaNode(schema, pos)
		}
		leaves, err := placeLeaves(pf, cols)
		if err != nil {
			t.Fatal(err)
		}
		for g, rg := range pf.RowGroups() {
			n := rg.NumRows()
			rows := make([]int64, n)
			for i := range rows {
				rows[i] = int64(i)
			}
			for c, cc := range rg.ColumnChunks() {
				lf := &leaves[c]
				if lf.out < 0 || lf.list {
					continue
				}
				fc := newFlatChunk(o, g, cc)
				if fc == nil {
					flat["other"]++
					continue
				}
				got, want := make([][]any, n), make([][]any, n)
				for i := range got {
					got[i], want[i] = make([]any, len(cols)), make([]any, len(cols))
				}
				if err := fc.readRows(lf, rows, got); err != nil {
					t.Fatalf("%s block %d column %s: %v", path, g, cols[lf.out].name, err)
				}
				fc.close()
				if err := readChunkRows(cc, lf, rows, want); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s block %d column %s: flatChunk and parquet-go differ", path, g, cols[lf.out].name)
				}
				flat[lf.sqlType]++
				if lf.sqlType != "VARCHAR" {
					continue
				}
				// Text pages over ranges: whole, and pieces across pages.
				maxDef := 0
				if lc, ok := pf.Schema().Lookup(cols[lf.out].name); ok {
					maxDef = lc.MaxDefinitionLevel
				}
				for _, ranges := range [][][2]int64{{{0, n - 1}}, {{0, 0}, {3, n / 2}, {n - 2, n - 1}}} {
					if n < 6 {
						continue
					}
					a, b := textRows(t, o, g, cc, maxDef, ranges), textRows(t, nil, g, cc, maxDef, ranges)
					if len(a) == 0 || !reflect.DeepEqual(a, b) {
						t.Fatalf("%s block %d column %s: text pages differ (%d rows, %d)", path, g, cols[lf.out].name, len(a), len(b))
					}
				}
			}
		}
		o.fh.Close()
	}
	return flat
}

// textRows is every row scanChunkText gives for ranges, with its value
// (nil for null): through flatChunk (o set) or parquet-go (o nil).
func textRows(t *testing.T, o *openCold, g int, cc parquet.ColumnChunk, maxDef int, ranges [][2]int64) map[int64]any {
	t.Helper()
	out := map[int64]any{}
	err := scanChunkText(o, g, cc, maxDef, ranges, func(tp *textPage) bool {
		for r := range int64(tp.rows) {
			if k, ok := tp.valueOf(r); ok {
				out[tp.first+r] = string(tp.value(k))
			} else {
				out[tp.first+r] = nil
			}
		}
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHybridAtMatchesParquetGo: hybridAt finds each value of dictionary
// indexes parquet-go encoded (runs of one value and bit-packed runs, bit
// widths 0 to 20) as parquet-go's decoder gives it.
func TestHybridAtMatchesParquetGo(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 13))
	for range 300 {
		bw := rnd.IntN(21)
		n := 1 + rnd.IntN(3000)
		vals := make([]int32, n)
		for i := 0; i < n; {
			v := int32(0)
			if bw > 0 {
				v = int32(rnd.Uint32() & (1<<bw - 1))
			}
			run := 1 + rnd.IntN(40)
			if rnd.IntN(2) == 0 {
				run = 1
			}
			for ; run > 0 && i < n; run-- {
				vals[i] = v
				i++
			}
		}
		var e rle.DictionaryEncoding
		enc, err := e.EncodeInt32(nil, vals)
		if err != nil {
			t.Fatal(err)
		}
		for k, want := range vals {
			got, err := hybridAt(enc[1:], int(enc[0]), k)
			if err != nil || got != uint64(want) {
				t.Fatalf("bit width %d (%d), %d values: value %d is %d, %v; want %d", bw, enc[0], n, k, got, err, want)
			}
		}
		if _, err := hybridAt(enc[1:], int(enc[0]), n+64); err == nil {
			t.Fatalf("value %d of %d found", n+64, n)
		}
	}
}
