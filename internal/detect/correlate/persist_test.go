package correlate

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func openAt(t *testing.T, dir, docs string) (*Engine, []string) {
	t.Helper()
	set, errs := compile(t, docs)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	e, fs, err := New(Options{Dir: dir, Lateness: time.Minute}, set)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, describe(f))
	}
	return e, out
}

func TestRestoreAfterClose(t *testing.T) {
	dir := t.TempDir()
	docs := fmt.Sprintf(countRule, "gte: 3")
	e, _ := openAt(t, dir, docs)
	run(e, []string{"a@0 u=x", "a@1 u=x"}, false)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, replayed := openAt(t, dir, docs)
	check(t, replayed, nil)
	check(t, run(e2, []string{"a@2 u=x"}, false), []string{"cnt x v=3 n=3 0-2"})
}

// A process that dies without Close (kill -9) leaves its hits in the log:
// the next start replays them on top of the last snapshot.
func TestRestoreAfterCrash(t *testing.T) {
	dir := t.TempDir()
	docs := fmt.Sprintf(countRule, "gte: 4")
	e, _ := openAt(t, dir, docs)
	run(e, []string{"a@0 u=x"}, false)
	if err := e.Snapshot(); err != nil {
		t.Fatal(err)
	}
	run(e, []string{"a@1 u=x", "a@2 u=x"}, false)
	// e is abandoned, not closed
	e2, replayed := openAt(t, dir, docs)
	check(t, replayed, nil)
	check(t, run(e2, []string{"a@3 u=x"}, false), []string{"cnt x v=4 n=4 0-3"})
	if st := e2.Stats(); st.Hits != 3 {
		t.Errorf("hits = %d: the snapshot's hit must not be replayed twice", st.Hits)
	}
}

// Hits that fired before the crash fire again on replay with the same
// alert id, so the alert is updated rather than duplicated; an alert open
// when the process died keeps folding hits after the restart.
func TestReplayedFiringsKeepTheirIDs(t *testing.T) {
	dir := t.TempDir()
	docs := fmt.Sprintf(countRule, "gte: 2")
	e, _ := openAt(t, dir, docs)
	first := e.Process([]Hit{hit("a@0 u=x"), hit("a@1 u=x")})
	e2, replayed := openAt(t, dir, docs)
	check(t, replayed, []string{"cnt x v=2 n=2 0-1"})
	upd := e2.Process([]Hit{hit("a@3 u=x")})
	if len(first) != 1 || len(upd) != 1 || !upd[0].Update || upd[0].ID != first[0].ID || upd[0].Count != 3 {
		t.Fatalf("before %v, after restart %v", first, upd)
	}
	if err := e2.Close(); err != nil {
		t.Fatal(err)
	}
	e3, _ := openAt(t, dir, docs)
	upd = e3.Process([]Hit{hit("a@4 u=x")})
	if len(upd) != 1 || upd[0].ID != first[0].ID || upd[0].Count != 4 {
		t.Fatalf("after a clean restart %v", upd)
	}
}

func TestTornHitLog(t *testing.T) {
	dir := t.TempDir()
	docs := fmt.Sprintf(countRule, "gte: 3")
	e, _ := openAt(t, dir, docs)
	run(e, []string{"a@0 u=x", "a@1 u=x"}, false)
	segs, err := segments(dir)
	if err != nil || len(segs) != 1 {
		t.Fatalf("segments %v, %v", segs, err)
	}
	// a record cut short by a crash
	f, err := os.OpenFile(segs[0], os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write([]byte{40, 1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e2, _ := openAt(t, dir, docs)
	check(t, run(e2, []string{"a@2 u=x"}, false), []string{"cnt x v=3 n=3 0-2"})
}

func TestDamagedSnapshotStartsEmpty(t *testing.T) {
	dir := t.TempDir()
	docs := fmt.Sprintf(countRule, "gte: 2")
	if err := os.WriteFile(filepath.Join(dir, snapName), []byte("VGCS\x01garbage-garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	e, _ := openAt(t, dir, docs)
	check(t, run(e, []string{"a@0 u=x", "a@1 u=x"}, false), []string{"cnt x v=2 n=2 0-1"})
}

// Every kind of group state survives a snapshot: anchored windows, open
// alerts, ordered chains, distinct values.
func TestSnapshotRoundTrip(t *testing.T) {
	docs := `title: Ordered
name: ord
correlation: {type: temporal_ordered, rules: [a, b, c], group-by: u, timespan: 1m}
---
title: Values
name: vals
correlation: {type: value_count, rules: [a], group-by: u, timespan: 1m, condition: {field: p, gte: 5}}
---
title: Few
name: few
correlation: {type: event_count, rules: [b], group-by: u, timespan: 1m, condition: {lt: 5}}
---
title: Burst
name: burst
correlation: {type: event_count, rules: [b], group-by: u, timespan: 1m, condition: {gte: 2}}
`
	dir := t.TempDir()
	e, _ := openAt(t, dir, docs)
	run(e, []string{"a@0 u=x p=1", "a@1 u=x p=2", "b@2 u=x", "b@3 u=x", "a@4 u=y p=9 tenant=t2"}, false)
	before := e.encodeSnapshot()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, _ := openAt(t, dir, docs)
	after := e2.encodeSnapshot()
	st1, err1 := decodeState(before)
	st2, err2 := decodeState(after)
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if !reflect.DeepEqual(groupsOf(st1), groupsOf(st2)) {
		t.Errorf("state changed over a restart:\n%v\n%v", groupsOf(st1), groupsOf(st2))
	}
	// and it still works: the chain completes, the values reach five, the
	// burst alert folds, the anchored window closes
	got := run(e2, []string{"33333333-3333-4333-8333-333333333333@5 u=x", "a@6 u=x p=3", "a@7 u=x p=4", "a@8 u=x p=5", "b@9 u=x"}, true)
	// (after the chain fired, further hits of its rules fold into its alert)
	check(t, got, []string{"ord x v=3 n=3 1-5", "ord x v=3 n=4 1-6 upd", "ord x v=3 n=5 1-7 upd", "ord x v=3 n=6 1-8 upd",
		"vals x v=5 n=5 0-8", "ord x v=3 n=7 1-9 upd", "burst x v=2 n=3 2-9 upd", "few x v=3 n=3 2-9"})
}

// groupsOf renders a decoded state for comparison, independent of heap
// order.
func groupsOf(st *decodedState) map[string]string {
	out := map[string]string{}
	for _, ts := range st.tenants {
		for _, cs := range ts.corrs {
			for k, g := range cs.groups {
				c := *g
				c.prev, c.next, c.alert = nil, nil, nil // links are pointers; the alert is printed by value
				out[ts.name+"/"+cs.key+"/"+k] = fmt.Sprintf("%+v %+v", c, g.alert)
			}
		}
	}
	return out
}

// TestSnapshotLargerThanAChunk restores a state that writeState writes in
// several chunks: the file holds what encodeSnapshot gives, and a restart
// restores every group.
func TestSnapshotLargerThanAChunk(t *testing.T) {
	docs := `title: Values
name: vals
correlation: {type: value_count, rules: [a], group-by: u, timespan: 1m, condition: {field: p, gte: 50}}
`
	dir := t.TempDir()
	e, _ := openAt(t, dir, docs)
	var hits []string
	for i := range 20000 {
		hits = append(hits, fmt.Sprintf("a@%d u=user-%d p=%d", i%50, i%4000, i))
	}
	run(e, hits, false)
	before := e.encodeSnapshot()
	if len(before) < 2*snapChunk {
		t.Fatalf("the state is %d bytes, want several chunks of %d", len(before), snapChunk)
	}
	if err := e.Snapshot(); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, snapName)); err != nil || !bytes.Equal(b, before) {
		t.Fatalf("the snapshot file (%d bytes, %v) differs from the encoded state (%d bytes)", len(b), err, len(before))
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, _ := openAt(t, dir, docs)
	st1, err1 := decodeState(before)
	st2, err2 := decodeState(e2.encodeSnapshot())
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if g := groupsOf(st1); len(g) < 4000 || !reflect.DeepEqual(g, groupsOf(st2)) {
		t.Errorf("%d groups before the restart, %d after; want the same 4000", len(g), len(groupsOf(st2)))
	}
}
