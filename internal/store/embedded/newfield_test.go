package embedded

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// TestSearchSeesNewFieldsOfNewRows: a search running while a writer adds
// rows that each bring new fields never returns such a row without them.
// A write adds the columns to the catalog before it appends the row; a
// search that took the catalog before and read the hot log after returned
// the row without the field (6–11 of 120 rows with one new field each);
// with a rerun of a search whose catalog changed (at most 3 runs), 0–4 of
// 40 rows with 5 new fields each still lacked their last fields.
func TestSearchSeesNewFieldsOfNewRows(t *testing.T) {
	s := openTest(t, t.TempDir())
	defer s.Close()
	ctx := context.Background()
	now := time.Now().UTC()
	var written atomic.Int64
	written.Store(-1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; i < 60; i++ {
			e := &event.Event{ID: fmt.Sprintf("id%d", i), Tenant: "acme", Source: "t", Timestamp: now, Ingested: now}
			e.SetString("event.action", "x")
			for k := range newFieldsPerRow {
				e.SetString(fmt.Sprintf("f%d.k%d", i, k), "val")
			}
			if err := s.Write(ctx, []*event.Event{e}); err != nil {
				t.Error(err)
				return
			}
			written.Store(int64(i))
		}
	}()
	bad := 0
search:
	for {
		select {
		case <-done:
			break search
		default:
		}
		i := written.Load() + 1
		res, err := s.Search(ctx, store.Request{Tenant: "acme", Query: fmt.Sprintf("event.id:id%d", i), From: now.Add(-time.Hour), To: now.Add(time.Hour), Limit: 10})
		if err != nil {
			t.Error(err)
			break
		}
		if len(res.Rows) == 1 {
			for k := range newFieldsPerRow {
				if res.Rows[0].Text(fmt.Sprintf("f%d.k%d", i, k)) != "val" {
					bad++
					t.Logf("row id%d without f%d.k%d: %v", i, i, k, res.Rows[0])
					break
				}
			}
		}
	}
	<-done
	if bad > 0 {
		t.Fatalf("%d rows without their new fields", bad)
	}
}

// newFieldsPerRow is how many fields each row of
// TestSearchSeesNewFieldsOfNewRows brings to the catalog.
const newFieldsPerRow = 3

// TestSearchNeverReturnsARowWithoutItsNewFields: a write that brings
// several new fields changes the catalog once per field before it appends
// its row. Each time a search takes its catalog snapshot, here, another
// such row is written at once (the hook stands for a writer racing every
// search). The search returned the last of them without its last fields
// (TestConfigReloadOnSIGHUP saw the refused reload's audit row without
// event.reason, TestAuditRecordsJoinedAcrossBatches a row without
// file.path) when it ran again at most 3 times on a changed catalog. Now
// a search reads only the hot lines its snapshot knows every key of: a
// row is returned whole or, written after the search began, not at all.
func TestSearchNeverReturnsARowWithoutItsNewFields(t *testing.T) {
	st := openTest(t, t.TempDir())
	defer st.Close()
	s := st.(*Store)
	ctx := context.Background()
	now := time.Now().UTC()
	const fields = 4
	write := func(i int) {
		e := &event.Event{ID: fmt.Sprintf("id%d", i), Tenant: "acme", Source: "t", Timestamp: now, Ingested: now}
		e.SetString("event.action", "x")
		for k := range fields {
			e.SetString(fmt.Sprintf("f%d.k%d", i, k), "val")
		}
		if err := s.Write(ctx, []*event.Event{e}); err != nil {
			t.Fatal(err)
		}
	}
	whole := func(rows []store.Row) int {
		n := 0
		for _, r := range rows {
			var i int
			if _, err := fmt.Sscanf(r.Text("event.id"), "id%d", &i); err != nil {
				t.Fatalf("row %v: %v", r, err)
			}
			for k := range fields {
				if r.Text(fmt.Sprintf("f%d.k%d", i, k)) != "val" {
					t.Errorf("row id%d without f%d.k%d: %v", i, i, k, r)
				}
			}
			n++
		}
		return n
	}
	write(0)
	req := store.Request{Tenant: "acme", Query: "event.action:x", From: now.Add(-time.Hour), To: now.Add(time.Hour), Limit: 100}
	next := 1
	s.datasets[store.Events].afterSnapshot = func() { write(next); next++ }
	res, err := s.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := whole(res.Rows); n < 1 {
		t.Errorf("%d rows while writing, want at least the one written before", n)
	}
	var scanned []store.Row
	if _, err := s.Scan(ctx, req, store.ScanOptions{}, func(r store.Row) error { scanned = append(scanned, r); return nil }); err != nil {
		t.Fatal(err)
	}
	whole(scanned)
	s.datasets[store.Events].afterSnapshot = nil
	res, err = s.Search(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if n := whole(res.Rows); n != next {
		t.Errorf("%d rows once the writes are done, want %d", n, next)
	}
}

// TestSearchSkipsALineBeingAppended: DuckDB reads a hot segment while the
// committer may be appending to it, so a search can meet the segment's
// last line cut anywhere. read_ndjson with ignore_errors must drop such a
// line, not return the members it got (a row without its last fields):
// every cut of a line is tried here.
func TestSearchSkipsALineBeingAppended(t *testing.T) {
	st := openTest(t, t.TempDir())
	defer st.Close()
	s := st.(*Store)
	ctx := context.Background()
	now := time.Now().UTC()
	e := &event.Event{ID: "whole", Tenant: "acme", Source: "t", Timestamp: now, Ingested: now, Original: "a b c"}
	e.SetString("event.action", "x")
	e.SetString("file.path", "/usr/bin/cat")
	e.Set("process.pid", event.Int(4242))
	if err := s.Write(ctx, []*event.Event{e}); err != nil {
		t.Fatal(err)
	}
	h := s.datasets[store.Events].hot
	h.mu.Lock()
	path, size := h.cur.path, h.cur.size
	h.mu.Unlock()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The event's line, with another id: the first line that starts with
	// {"@timestamp".
	start := bytes.Index(data, []byte(`{"@timestamp"`))
	line := bytes.Replace(data[start:start+bytes.IndexByte(data[start:], '\n')], []byte(`"whole"`), []byte(`"torn"`), 1)
	req := store.Request{Tenant: "acme", Query: "event.action:x", From: now.Add(-time.Hour), To: now.Add(time.Hour), Limit: 10}
	for cut := 1; cut < len(line); cut++ {
		if err := os.WriteFile(path, append(data[:size:size], line[:cut]...), 0o600); err != nil {
			t.Fatal(err)
		}
		res, err := s.Search(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rows {
			if r.Text("event.id") != "whole" {
				t.Errorf("cut after %q: the line being written was returned: %v", line[:cut], r)
			}
		}
		if len(res.Rows) != 1 {
			t.Errorf("cut after %q: %d rows, want the whole one", line[:cut], len(res.Rows))
		}
	}
	if err := os.WriteFile(path, data[:size], 0o600); err != nil {
		t.Fatal(err)
	}
}
