package embedded

import (
	"bytes"
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func openChainTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// writeBatches writes n batches of 3 events of tenant, one group commit each.
func writeBatches(t *testing.T, s *Store, tenant string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		evs := storetest.Events(tenant, 3)
		for j, e := range evs {
			e.Set("source.ip", event.IP(netip.MustParseAddr("10.1.2.3")))
			e.SetString("batch", strings.Repeat("x", i+j))
			// other events, not a replay (the store drops a replay)
			e.ID = fmt.Sprintf("%s-b%d", e.ID, freshSeq.Add(1))
		}
		if err := s.Write(context.Background(), evs); err != nil {
			t.Fatal(err)
		}
	}
}

func verifyDir(t *testing.T, dir, tenant string) *VerifyReport {
	t.Helper()
	rep, err := Verify(dir, tenant)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// wantProblem fails unless the report names a problem of kind at a path
// ending in suffix.
func wantProblem(t *testing.T, rep *VerifyReport, kind, suffix string) {
	t.Helper()
	for _, p := range rep.Problems {
		if p.Kind == kind && strings.HasSuffix(p.Path, suffix) {
			return
		}
	}
	t.Fatalf("verify did not report %s %s; problems: %v", kind, suffix, rep.Problems)
}

func hotSeg(dir string, seq uint64) string {
	return filepath.Join(dir, "store", "events", "hot", segName(seq))
}

func coldFiles(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "store", "events", "cold", "*", "*", "*.parquet"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cold files (err %v)", err)
	}
	return files
}

func TestVerifyIntact(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 3)
	writeBatches(t, s, "beta", 2)
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeBatches(t, s, "acme", 2)
	if err := s.WriteDeadLetters(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	// With the server running, the chain is intact too.
	if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 || len(rep.Notes) > 0 {
		t.Fatalf("running store: problems %v notes %v", rep.Problems, rep.Notes)
	}
	s.Close()
	// A restart continues the chain from the head of the last segment.
	s = openChainTest(t, dir)
	writeBatches(t, s, "acme", 2)
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeBatches(t, s, "beta", 1)
	s.Close()
	rep := verifyDir(t, dir, "")
	if len(rep.Problems) > 0 || len(rep.Notes) > 0 {
		t.Fatalf("problems %v notes %v", rep.Problems, rep.Notes)
	}
	var ev VerifySummary
	for _, d := range rep.Datasets {
		if d.Dataset == "events" {
			ev = d
		}
	}
	if ev.ColdFiles < 3 || ev.HotBatches != 1 || ev.ManifestEntries != 2 {
		t.Errorf("checked %+v, want at least 3 cold files, 1 hot batch, 2 manifest entries", ev)
	}
}

func TestVerifyCatchesHotEdit(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 3)
	s.Close()
	seg := hotSeg(dir, 1)
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("10.1.2.3"))
	if i < 0 {
		t.Fatal("no 10.1.2.3 in the segment")
	}
	copy(data[i:], "10.7.7.7") // in place: same length
	if err := os.WriteFile(seg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, verifyDir(t, dir, ""), "edited", segName(1))
}

// cutLastBatch returns the length of a segment without its last batch: up
// to the end of the second-to-last trailer.
func cutLastBatch(data []byte) int {
	last := bytes.LastIndex(data[:len(data)-1], []byte("\n"+batchTrailKey))
	prev := bytes.LastIndex(data[:last], []byte("\n"+batchTrailKey))
	return prev + 1 + bytes.IndexByte(data[prev+1:], '\n') + 1
}

func TestVerifyCatchesTruncatedHotSegment(t *testing.T) {
	for _, tc := range []struct {
		name string
		cut  func(data []byte) int // new length
	}{
		{"last batch", cutLastBatch},
		{"mid line", func(data []byte) int { return len(data) - 40 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s := openChainTest(t, dir)
			writeBatches(t, s, "acme", 3)
			s.Close()
			seg := hotSeg(dir, 1)
			data, err := os.ReadFile(seg)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(seg, int64(tc.cut(data))); err != nil {
				t.Fatal(err)
			}
			wantProblem(t, verifyDir(t, dir, ""), "truncated", segName(1))
		})
	}
}

// TestVerifyCatchesTruncatedSealedSegment cuts the last batch off a segment
// that another follows: the next segment's header no longer links to it.
func TestVerifyCatchesTruncatedSealedSegment(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 2)
	s.Close()
	s = openChainTest(t, dir) // segment 2 continues from segment 1
	writeBatches(t, s, "acme", 1)
	s.Close()
	seg := hotSeg(dir, 1)
	data, _ := os.ReadFile(seg)
	if err := os.Truncate(seg, int64(cutLastBatch(data))); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, verifyDir(t, dir, ""), "truncated", segName(2))
}

func TestVerifyCatchesReorderedBatches(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 3)
	s.Close()
	seg := hotSeg(dir, 1)
	data, _ := os.ReadFile(seg)
	// Split after the header into batches (each ending with its trailer)
	// and swap the first two.
	hdr := bytes.IndexByte(data, '\n') + 1
	var batches [][]byte
	start := hdr
	for off := hdr; off < len(data); {
		end := off + bytes.IndexByte(data[off:], '\n') + 1
		if isTrailer(data[off:end]) {
			batches = append(batches, data[start:end])
			start = end
		}
		off = end
	}
	out := append([]byte(nil), data[:hdr]...)
	out = append(out, batches[1]...)
	out = append(out, batches[0]...)
	out = append(out, batches[2]...)
	if err := os.WriteFile(seg, out, 0o600); err != nil {
		t.Fatal(err)
	}
	wantProblem(t, verifyDir(t, dir, ""), "reordered", segName(1))
}

func TestVerifyCatchesColdChanges(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 2)
	writeBatches(t, s, "beta", 2)
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	files := coldFiles(t, dir)
	if len(files) != 2 {
		t.Fatalf("%d cold files, want 2", len(files))
	}
	acme, beta := files[0], files[1]
	if !strings.Contains(acme, "/acme/") {
		acme, beta = beta, acme
	}
	if err := os.Remove(acme); err != nil {
		t.Fatal(err)
	}
	rep := verifyDir(t, dir, "")
	wantProblem(t, rep, "missing", filepath.Base(acme))
	// --tenant beta does not look at acme's files.
	if rep := verifyDir(t, dir, "beta"); len(rep.Problems) > 0 {
		t.Errorf("verify --tenant beta: %v", rep.Problems)
	}
	b, _ := os.ReadFile(beta)
	b[len(b)/2] ^= 1
	os.WriteFile(beta, b, 0o600)
	wantProblem(t, verifyDir(t, dir, "beta"), "edited", filepath.Base(beta))
	os.WriteFile(beta+".meta", []byte("{}"), 0o600)
	wantProblem(t, verifyDir(t, dir, "beta"), "truncated", filepath.Base(beta)+".meta")
	copyTo := filepath.Join(filepath.Dir(beta), "s0000000000000001-0000000000000001-7.parquet")
	os.WriteFile(copyTo, b, 0o600)
	wantProblem(t, verifyDir(t, dir, ""), "unknown", filepath.Base(copyTo))
}

// TestFreezeRecordsTamperedSegments edits a hot segment while the store
// runs; the freeze keeps the data but records the break, and verify keeps
// reporting it after the segment is gone.
func TestFreezeRecordsTamperedSegments(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	defer s.Close()
	writeBatches(t, s, "acme", 2)
	if err := s.datasets[store.Events].hot.sealCurrent(0); err != nil {
		t.Fatal(err)
	}
	seg := hotSeg(dir, 1)
	data, _ := os.ReadFile(seg)
	i := bytes.Index(data, []byte("10.1.2.3"))
	copy(data[i:], "10.7.7.7")
	os.WriteFile(seg, data, 0o600)
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s, ""); n != 6 {
		t.Errorf("%d events after the freeze, want 6", n)
	}
	if _, err := os.Stat(seg); !os.IsNotExist(err) {
		t.Fatalf("segment still there after the freeze: %v", err)
	}
	wantProblem(t, verifyDir(t, dir, ""), "damaged", segName(1))
	var m dto.Metric
	if err := s.m.chainBreaks.WithLabelValues("events").Write(&m); err != nil || m.GetCounter().GetValue() != 1 {
		t.Errorf("vigil_store_chain_breaks_total %v (err %v), want 1", m.GetCounter().GetValue(), err)
	}
}

// TestAbandonedFreezeIsSettled: a freeze entry whose segments were never
// marked frozen (a crash) is abandoned at the next start.
func TestAbandonedFreezeIsSettled(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 2)
	d := s.datasets[store.Events]
	s.Close()
	h := chainHash{1}
	if err := d.chain.append(&manifestEntry{Kind: entryFreeze, First: 1, Last: 1, HotChain: &h,
		Files: []manifestFile{{Path: "cold/acme/2026-11-23/" + coldName(1, 1, 0), Tenant: "acme"}}}); err != nil {
		t.Fatal(err)
	}
	rep := verifyDir(t, dir, "")
	if len(rep.Problems) > 0 || len(rep.Notes) == 0 || rep.Notes[0].Kind != "pending" {
		t.Fatalf("before the restart: problems %v notes %v, want a pending note", rep.Problems, rep.Notes)
	}
	s = openChainTest(t, dir)
	writeBatches(t, s, "acme", 1)
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 {
		t.Fatalf("after the restart: %v", rep.Problems)
	}
}

// TestLegacyDataIsAdopted: a store written before the chain (segments
// without headers or trailers, no manifest) is adopted at the first start.
func TestLegacyDataIsAdopted(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 2)
	s.Close()
	seg := hotSeg(dir, 1)
	data, _ := os.ReadFile(seg)
	var legacy []byte
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if len(line) > 0 && !isTrailer(line) && !isSegHeader(line) {
			legacy = append(legacy, line...)
		}
	}
	os.WriteFile(seg, legacy, 0o600)
	os.Remove(filepath.Join(dir, "store", "events", "hot", headName))
	if rep := verifyDir(t, dir, ""); len(rep.Problems) == 0 {
		t.Fatal("a segment without a chain and not adopted passes verify")
	}
	s = openChainTest(t, dir)
	if n := total(t, s, ""); n != 6 {
		t.Errorf("%d legacy events, want 6", n)
	}
	writeBatches(t, s, "acme", 1)
	if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 {
		t.Fatalf("after adoption: %v", rep.Problems)
	}
	if err := s.Freeze(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 {
		t.Fatalf("after freezing adopted data: %v", rep.Problems)
	}
}

// TestVerifyBesideRunningStore runs verify while the store writes, freezes
// and deletes by retention: what moves during a pass is never reported as
// tampering.
func TestVerifyBesideRunningStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		Retention: func(string) (time.Duration, int64) { return 0, 20 << 10 }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan error, 1)
	go func() {
		defer close(done)
		ctx := context.Background()
		for i := 0; i < 60; i++ {
			if err := s.Write(ctx, storetest.Events("acme", 20)); err != nil {
				done <- err
				return
			}
			if i%3 == 2 {
				if err := s.Freeze(ctx); err != nil {
					done <- err
					return
				}
				if err := s.datasets[store.Events].retain(time.Now()); err != nil {
					done <- err
					return
				}
			}
		}
	}()
	passes := 0
	for running := true; running; passes++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			running = false
		default:
		}
		if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 {
			t.Fatalf("pass %d beside a running store: %v", passes, rep.Problems)
		}
	}
	st := s.datasets[store.Events].chain.snapshot()
	if st.n < 30 {
		t.Fatalf("%d manifest entries, want 20 freezes and some deletions", st.n)
	}
	t.Logf("%d verify passes beside 20 freezes and %d manifest entries", passes, st.n)
}

// A freeze beside a running server moves the frozen mark and removes the
// segments it froze at any point of a verify pass: before the hot
// directory is listed, after, or between the reads of two segments. One
// pass, with the freeze at each of those points, reports no problem.
func TestVerifyPassBesideFreeze(t *testing.T) {
	for _, stage := range []string{"hot", "hot listed", "hot read"} {
		t.Run(stage, func(t *testing.T) {
			dir := t.TempDir()
			s := openChainTest(t, dir)
			defer s.Close()
			writeBatches(t, s, "acme", 2)
			if err := s.Freeze(context.Background()); err != nil {
				t.Fatal(err)
			}
			// Two segments beside the frozen mark: one sealed, one open.
			writeBatches(t, s, "acme", 2)
			if err := s.datasets[store.Events].hot.sealCurrent(0); err != nil {
				t.Fatal(err)
			}
			writeBatches(t, s, "acme", 2)
			froze := false
			v := &verifier{name: string(store.Events), dir: filepath.Join(dir, "store", string(store.Events)), rep: &VerifyReport{},
				hook: func(at string) {
					if at != stage || froze {
						return
					}
					froze = true
					if err := s.Freeze(context.Background()); err != nil {
						t.Fatal(err)
					}
					writeBatches(t, s, "acme", 1)
				}}
			if err := v.run(); err != nil {
				t.Fatal(err)
			}
			if !froze {
				t.Fatalf("the pass never reached stage %q", stage)
			}
			if len(v.rep.Problems) > 0 {
				t.Fatalf("a freeze at %q: %v", stage, v.rep.Problems)
			}
			if rep := verifyDir(t, dir, ""); len(rep.Problems) > 0 {
				t.Fatalf("after the freeze: %v", rep.Problems)
			}
		})
	}
}

// Retention deletes cold files after a pass listed them: one pass reports
// no problem.
func TestVerifyPassBesideRetention(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(Options{Dir: dir, Interval: time.Hour, MemoryLimit: "512MB", Threads: 2,
		Retention: func(string) (time.Duration, int64) { return 0, 1 }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 2; i++ {
		writeBatches(t, s, "acme", 2)
		if err := s.Freeze(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	before := len(coldFiles(t, dir))
	retained := false
	v := &verifier{name: string(store.Events), dir: filepath.Join(dir, "store", string(store.Events)), rep: &VerifyReport{},
		hook: func(at string) {
			if at != "cold listed" || retained {
				return
			}
			retained = true
			if err := s.datasets[store.Events].retain(time.Now()); err != nil {
				t.Fatal(err)
			}
		}}
	if err := v.run(); err != nil {
		t.Fatal(err)
	}
	if !retained {
		t.Fatal("the pass never listed the cold files")
	}
	files, _ := filepath.Glob(filepath.Join(dir, "store", "events", "cold", "*", "*", "*.parquet"))
	if len(files) >= before {
		t.Fatalf("retention deleted nothing: %d cold files, %d before", len(files), before)
	}
	if len(v.rep.Problems) > 0 {
		t.Fatalf("retention during the pass: %v", v.rep.Problems)
	}
}

// A flipped byte in a hot event is found when the log is opened (the
// dataset logs it), not only by verify, and the data is kept as it is.
func TestHotLogFindsFlippedByteAtStart(t *testing.T) {
	dir := t.TempDir()
	s := openChainTest(t, dir)
	writeBatches(t, s, "acme", 3)
	s.Close()
	seg := hotSeg(dir, 1)
	data, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(data, []byte("10.1.2.3"))
	if i < 0 {
		t.Fatal("no 10.1.2.3 in the segment")
	}
	data[i+3] ^= 0x01 // one bit of one byte
	if err := os.WriteFile(seg, data, 0o600); err != nil {
		t.Fatal(err)
	}
	h, err := openHotLog(filepath.Dir(seg), 64<<20, 0, time.Hour, time.Now, func(uint64) chainHash { return chainHash{} })
	if err != nil {
		t.Fatal(err)
	}
	defer h.close()
	if len(h.damaged) == 0 || !strings.Contains(h.damaged[0], "segment 1: edited") {
		t.Errorf("damaged = %q, want segment 1 edited", h.damaged)
	}
	after, err := os.ReadFile(seg)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(after, data[:i+4]) {
		t.Error("the damaged segment was cut or rewritten at start")
	}
}
