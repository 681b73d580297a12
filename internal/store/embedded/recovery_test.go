package embedded

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func total(t *testing.T, s store.Store, q string) int64 {
	t.Helper()
	res, err := s.Search(context.Background(), store.Request{Tenant: "acme", Query: q})
	if err != nil {
		t.Fatal(err)
	}
	return res.Total
}

func TestTornTailIsCut(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	if err := s.Write(context.Background(), storetest.Events("acme", 10)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	seg := filepath.Join(dir, "store", "events", "hot", segName(1))
	f, err := os.OpenFile(seg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`{"@timestamp":"2026-11-23T10:00:00.000000Z","event.id":"torn`)
	f.Close()
	s = openTest(t, dir)
	defer s.Close()
	if n := total(t, s, ""); n != 10 {
		t.Fatalf("after a torn tail: %d events, want 10", n)
	}
	more := storetest.Events("acme", 3)
	for _, e := range more {
		e.ID += "-more" // other events, not a replay (a freeze stores a replay once)
	}
	if err := s.Write(context.Background(), more); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 13 {
		t.Fatalf("writes after recovery: %d events, want 13", n)
	}
	// The recovered segment has no token index: its cold file must never
	// be skipped by a full-text search.
	if err := s.(*Store).Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, "password"); n != 11 {
		t.Fatalf("full-text search after freezing recovered data: %d events, want 11 (8 of the first 10, 3 of the next)", n)
	}
}

// TestKill9KeepsAcknowledged runs a child process that writes batches and
// prints each acknowledged batch number, kills it with SIGKILL mid-stream,
// reopens the store and checks every acknowledged event is there.
func TestKill9KeepsAcknowledged(t *testing.T) {
	if os.Getenv("VIGIL_STORE_CHILD") != "" {
		childWriter(os.Getenv("VIGIL_STORE_CHILD"))
		return
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKill9KeepsAcknowledged$")
	cmd.Env = append(os.Environ(), "VIGIL_STORE_CHILD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	acked := -1
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if n, err := strconv.Atoi(strings.TrimPrefix(sc.Text(), "acked ")); err == nil {
			acked = n
			if acked == 40 {
				cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	cmd.Wait()
	if acked < 40 {
		t.Fatalf("child acknowledged only %d batches", acked)
	}
	s := openTest(t, dir)
	defer s.Close()
	got := total(t, s, "")
	if got < int64((acked+1)*50) {
		t.Fatalf("after kill -9: %d events stored, but %d batches of 50 were acknowledged", got, acked+1)
	}
	for b := 0; b <= acked; b++ {
		if n := total(t, s, fmt.Sprintf("batch:%d", b)); n != 50 {
			t.Errorf("batch %d: %d events, want 50", b, n)
		}
	}
}

func childWriter(dir string) {
	s, err := Open(Options{Dir: dir, Interval: time.Hour, SegmentBytes: 64 << 10})
	if err != nil {
		panic(err)
	}
	for b := 0; ; b++ {
		evs := storetest.Events("acme", 50)
		for _, e := range evs {
			e.Set("batch", event.Int(int64(b)))
			e.ID = fmt.Sprintf("%d-%s", b, e.ID)
		}
		if err := s.Write(context.Background(), evs); err != nil {
			panic(err)
		}
		fmt.Printf("acked %d\n", b)
	}
}

// TestBloomSkipsColdFiles: a rare term reads only the cold files whose
// token filter may hold it, whichever writer froze them: Vigil's (a filter
// per block) or DuckDB's COPY (the freeze's fallback: a filter per file,
// built from the file at freeze, since the write path builds none).
func TestBloomSkipsColdFiles(t *testing.T) {
	for _, noDirect := range []bool{false, true} {
		t.Run(fmt.Sprintf("noDirectFreeze=%v", noDirect), func(t *testing.T) { testBloomSkipsColdFiles(t, noDirect) })
	}
}

func testBloomSkipsColdFiles(t *testing.T, noDirect bool) {
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2, noDirectFreeze: noDirect})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	one := storetest.Events("acme", 5)
	one[2].Original += " needle42"
	one[2].SetString("message", one[2].Message()+" needle42")
	if err := s.Write(ctx, one); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, storetest.Events("acme", 5)); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.datasets[store.Events]
	for _, f := range d.cold.all()["acme"] {
		if hasBlocks := len(f.Blocks) > 0; hasBlocks == noDirect || hasBlocks == (f.Tokens != nil) {
			t.Fatalf("a file of %d blocks, a file filter %v: not the writer asked for", len(f.Blocks), f.Tokens != nil)
		}
	}
	files, skipped := d.cold.files("acme", time.Time{}, time.Time{}, []string{"needle42"})
	if len(files) != 1 || skipped != 1 {
		t.Fatalf("token index kept %d files and skipped %d, want 1 and 1", len(files), skipped)
	}
	if n := total(t, s, "needle42"); n != 1 {
		t.Errorf("needle42 found %d times, want 1", n)
	}
	if n := total(t, s, "NEEDLE42"); n != 1 {
		t.Errorf("NEEDLE42 found %d times, want 1 (case-insensitive)", n)
	}
}

func TestRetention(t *testing.T) {
	dir := t.TempDir()
	clock := storetest.Base // the store receives the events when they happen
	s, err := Open(Options{Dir: dir, Interval: time.Hour, Now: func() time.Time { return clock }, Retention: func(tenant string) (time.Duration, int64) {
		if tenant == "acme" {
			return 24 * time.Hour, 0
		}
		return 0, 1 // keep nothing beyond one byte
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.Write(ctx, append(storetest.Events("acme", 5), storetest.Events("small", 5)...)); err != nil {
		t.Fatal(err)
	}
	if err := s.Freeze(ctx); err != nil {
		t.Fatal(err)
	}
	d := s.datasets[store.Events]
	if err := d.retain(storetest.Base.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 5 {
		t.Errorf("acme within its max age: %d events, want 5", n)
	}
	res, err := s.Search(ctx, store.Request{Tenant: "small"})
	if err != nil || res.Total != 0 {
		t.Errorf("tenant over its max bytes: %v events (err %v), want 0", res.Total, err)
	}
	if err := d.retain(storetest.Base.Add(48 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 0 {
		t.Errorf("acme past its max age: %d events, want 0", n)
	}
}

// TestRecoveredTenantsScanned: the tenants of segments recovered at start
// (no committer record) are read from the lines in Go (scanTenants) and
// are the ones DuckDB's query lists; a line not of the encoder's form
// leaves the decision to that query; and a freeze after the restart keeps
// every tenant's rows.
func TestRecoveredTenantsScanned(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	for _, tenant := range []string{"acme", "globex", "initech"} {
		if err := s.Write(context.Background(), storetest.Events(tenant, 20)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	s2, err := Open(Options{Dir: dir, Interval: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	d := s2.datasets[store.Events]
	if err := d.hot.sealCurrent(0); err != nil {
		t.Fatal(err)
	}
	segs := d.hot.sealedSegments()
	if hotTenants(segs) != nil {
		t.Fatal("recovered segments have a committer record of their tenants")
	}
	data, err := readSegments(segs)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, sg := range segs {
		paths = append(paths, sg.path)
	}
	got, ok := scanTenants(data)
	want, err := segmentTenants(context.Background(), s2.db, paths)
	if err != nil {
		t.Fatal(err)
	}
	if !ok || !slices.Equal(got, want) || len(got) != 3 {
		t.Fatalf("scanTenants = %q, %v; DuckDB lists %q", got, ok, want)
	}
	for _, bad := range []string{`{"@timestamp":null,"vigil.tenant":"acme"}`, `{"vigil.tenant":"acme"}`,
		`{"@timestamp":"2026-12-07T00:00:00.000000Z","vigil.tenant":"a\u0063me"}`, `{"@timestamp":"2026-12-07T00:00:00.000000Z"}`} {
		if _, ok := scanTenants([][]byte{append(slices.Clone(data[0]), bad+"\n"...)}); ok {
			t.Errorf("scanTenants read a line it should leave to DuckDB: %s", bad)
		}
	}
	if err := s2.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, tenant := range []string{"acme", "globex", "initech"} {
		res, err := s2.Search(context.Background(), store.Request{Tenant: tenant})
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 20 {
			t.Errorf("%s: %d events after the freeze, want 20", tenant, res.Total)
		}
	}
	if n := len(d.hot.sealedSegments()); n != 0 {
		t.Errorf("%d segments still hot after the freeze", n)
	}
}
