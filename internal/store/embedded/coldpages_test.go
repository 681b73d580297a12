package embedded

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestOldWriterFilesRead: cold files written by the writer before pages
// ended at parts and at coldPageBytes (one page per column of a block;
// testdata/oldwriter, written by main a8e433f with blocks of 700 rows and
// parts of 96 and the generator of TestTermScanMatchesDuckDB's events)
// are searched in Go, by place and through DuckDB with the same answers.
func TestOldWriterFilesRead(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if err := copyTree("testdata/oldwriter", dir); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d := s.datasets[store.Events]
	// The files are the old layout: one page per column chunk.
	files := 0
	for _, fs := range d.cold.all() {
		for _, f := range fs {
			files++
			if f.V != 4 {
				t.Fatalf("%s: meta version %d, want 4", f.Path, f.V)
			}
			for _, pages := range chunkPages(t, f.Path, event.FieldOriginal) {
				if len(pages) != 1 {
					t.Fatalf("%s: event.original chunk of %d pages, want the old writer's one", f.Path, len(pages))
				}
			}
		}
	}
	if files != 6 {
		t.Fatalf("%d cold files, want 6", files)
	}
	search := func(req store.Request, termScan, byPlace bool) *store.Result {
		t.Helper()
		s.opts.noTermScan, s.opts.noPlaceRead = !termScan, !byPlace
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatalf("%q: %v", req.Query, err)
		}
		return res
	}
	scanned, found := 0, int64(0)
	for _, nd := range []string{"kz7sq", "x9kq2vbz", "4242917", "zürich7"} {
		for _, tenant := range []string{"acme", "other"} {
			for _, q := range []string{nd, strings.ToUpper(nd), "message:" + nd, "event.original:" + nd, nd + " password", nd + " OR kz7sq"} {
				req := store.Request{Tenant: tenant, Query: q}
				before := d.termScans.Load()
				got := search(req, true, true)
				if d.termScans.Load() > before {
					scanned++
				}
				found += got.Total
				for _, byPlace := range []bool{true, false} {
					want := search(req, false, byPlace)
					if got.Total != want.Total || !reflect.DeepEqual(sortedCells(got.Rows), sortedCells(want.Rows)) {
						t.Fatalf("%q (%s): in Go total %d\n%v\nDuckDB (by place %v): total %d\n%v", q, tenant, got.Total, got.Rows, byPlace, want.Total, want.Rows)
					}
				}
			}
		}
	}
	if scanned == 0 || found == 0 {
		t.Fatalf("%d searches in Go, %d matches: the test reads nothing", scanned, found)
	}
}

// TestColdPagesEndAtParts: the writer ends event.original's page at each
// part of a block, so that a part's texts are one page, and every other
// column's page once it holds pageBytes of values, so that a hit read by
// place decompresses little of each column.
func TestColdPagesEndAtParts(t *testing.T) {
	ctx := context.Background()
	const blockRows, partRows, pageBytes = 500, 64, 2048
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		blockRows: blockRows, partRows: partRows, pageBytes: pageBytes})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	base := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	var evs []*event.Event
	const n = 1200
	for i := range n {
		orig := fmt.Sprintf("<13>host%d app: session %d opened for user u%d %s", i%3, i, i%17, strings.Repeat("x", i%50))
		e := &event.Event{Timestamp: base.Add(time.Duration(i) * time.Second), Ingested: base, Tenant: "acme", Source: "tcp", Original: orig}
		e.ID = event.NewID("acme", "tcp", "", i, []byte(orig))
		e.SetString("host.name", fmt.Sprintf("host%d", i%3))
		evs = append(evs, e)
	}
	if err := s.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	fs := s.datasets[store.Events].cold.all()["acme"]
	if len(fs) != 1 {
		t.Fatalf("%d files", len(fs))
	}
	path := fs[0].Path
	for b, pages := range chunkPages(t, path, event.FieldOriginal) {
		rows := min(blockRows, n-b*blockRows)
		if want := (rows + partRows - 1) / partRows; len(pages) != want {
			t.Fatalf("block %d: event.original in %d pages, want one per part (%d)", b, len(pages), want)
		}
		for k, first := range pages {
			if first != int64(k*partRows) {
				t.Fatalf("block %d: event.original page %d starts at row %d, want %d", b, k, first, k*partRows)
			}
		}
	}
	// event.id: ~75 bytes a value, so a page ends every ~27 rows (after
	// the chunk of values that fills it: at most coldChunkRows rows).
	for b, pages := range chunkPages(t, path, event.FieldID) {
		if len(pages) < 2 {
			t.Fatalf("block %d: event.id in %d page", b, len(pages))
		}
	}
	// host.name has a dictionary: an index a row, one page a block.
	for b, pages := range chunkPages(t, path, "host.name") {
		if len(pages) != 1 {
			t.Fatalf("block %d: host.name in %d pages", b, len(pages))
		}
	}
}

// chunkPages returns, for each row group of the Parquet file at path, the
// first row of each page of column col (from the offset index).
func chunkPages(t *testing.T, path, col string) [][]int64 {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	lc, ok := pf.Schema().Lookup(col)
	if !ok {
		t.Fatalf("%s: no column %s", filepath.Base(path), col)
	}
	var out [][]int64
	for _, rg := range pf.RowGroups() {
		oi, err := rg.ColumnChunks()[lc.ColumnIndex].OffsetIndex()
		if err != nil {
			t.Fatal(err)
		}
		var firsts []int64
		for k := range oi.NumPages() {
			firsts = append(firsts, oi.FirstRowIndex(k))
		}
		out = append(out, firsts)
	}
	return out
}
