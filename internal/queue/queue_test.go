package queue

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

func TestAppendReadAck(t *testing.T) {
	dir := t.TempDir()
	q := mustOpen(t, dir, testOptions(nil))
	defer q.Close()
	a, b := recs("a", 3, 10), recs("b", 2, 500)
	if last := mustAppend(t, q, a); last != 3 {
		t.Fatalf("first batch ends at seq %d, want 3", last)
	}
	if last := mustAppend(t, q, b); last != 5 {
		t.Fatalf("second batch ends at seq %d, want 5", last)
	}
	got := readN(t, q, 5)
	if err := equalData(append(a, b...), got); err != nil {
		t.Fatal(err)
	}
	for i, r := range got {
		if r.Seq != uint64(i+1) || r.Tenant != "acme" || time.Since(r.Time) > time.Minute {
			t.Fatalf("record %d: seq %d tenant %q time %v", i, r.Seq, r.Tenant, r.Time)
		}
	}
	st := q.Status()
	if st.Records != 5 || st.Appended != 5 || st.Delivered != 0 || st.Oldest.IsZero() {
		t.Fatalf("before ack: %+v", st)
	}
	if err := q.Ack(3); err != nil {
		t.Fatal(err)
	}
	st = q.Status()
	if st.Records != 2 || st.Delivered != 3 || st.Acked != 3 {
		t.Fatalf("after ack 3: %+v", st)
	}
	if err := q.Ack(5); err != nil {
		t.Fatal(err)
	}
	if st = q.Status(); st.Records != 0 || st.Bytes != 0 || !st.Oldest.IsZero() {
		t.Fatalf("after ack 5: %+v", st)
	}
	if rs, err := q.TryRead(0, 0); err != nil || len(rs) != 0 {
		t.Fatalf("read after everything was read: %d records, %v", len(rs), err)
	}
}

func TestReopenRedeliversFromAck(t *testing.T) {
	dir := t.TempDir()
	q := mustOpen(t, dir, testOptions(nil))
	data := recs("r", 10, 100)
	mustAppend(t, q, data)
	readN(t, q, 10)
	if err := q.Ack(4); err != nil {
		t.Fatal(err)
	}
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	q = mustOpen(t, dir, testOptions(nil))
	defer q.Close()
	got := drain(t, q)
	if err := equalData(data[4:], got); err != nil {
		t.Fatal(err)
	}
	if got[0].Seq != 5 {
		t.Fatalf("redelivery starts at %d, want 5", got[0].Seq)
	}
	if last := mustAppend(t, q, recs("n", 1, 5)); last != 11 {
		t.Fatalf("append after reopen got seq %d, want 11", last)
	}
}

func TestRewind(t *testing.T) {
	q := mustOpen(t, t.TempDir(), testOptions(nil))
	defer q.Close()
	data := recs("w", 6, 20)
	mustAppend(t, q, data)
	readN(t, q, 6)
	if err := q.Ack(2); err != nil {
		t.Fatal(err)
	}
	if err := q.Rewind(); err != nil {
		t.Fatal(err)
	}
	if err := equalData(data[2:], drain(t, q)); err != nil {
		t.Fatal(err)
	}
}

func TestAckErrors(t *testing.T) {
	q := mustOpen(t, t.TempDir(), testOptions(nil))
	mustAppend(t, q, recs("x", 3, 5))
	if err := q.Ack(1); !errors.Is(err, ErrAckAhead) {
		t.Fatalf("ack before read: %v, want ErrAckAhead", err)
	}
	readN(t, q, 2)
	if err := q.Ack(3); !errors.Is(err, ErrAckAhead) {
		t.Fatalf("ack past read: %v, want ErrAckAhead", err)
	}
	if err := q.Ack(2); err != nil {
		t.Fatal(err)
	}
	if err := q.Ack(1); err != nil {
		t.Fatalf("ack of an acknowledged record: %v", err)
	}
	q.Close()
	if err := q.Ack(2); !errors.Is(err, ErrClosed) {
		t.Fatalf("ack after close: %v", err)
	}
	if _, err := q.Append(recs("x", 1, 1)); !errors.Is(err, ErrClosed) {
		t.Fatalf("append after close: %v", err)
	}
	if _, err := q.TryRead(0, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if err := q.Close(); !errors.Is(err, ErrClosed) {
		t.Fatalf("second close: %v", err)
	}
}

func TestRecordTooLarge(t *testing.T) {
	o := testOptions(nil)
	o.MaxRecordBytes = 100
	q := mustOpen(t, t.TempDir(), o)
	defer q.Close()
	_, err := q.Append([][]byte{make([]byte, 10), make([]byte, 101)})
	if !errors.Is(err, ErrRecordTooLarge) {
		t.Fatalf("got %v, want ErrRecordTooLarge", err)
	}
	if st := q.Status(); st.Records != 0 || st.LastSeq != 0 {
		t.Fatalf("a rejected batch left records: %+v", st)
	}
}

func TestReadLimits(t *testing.T) {
	q := mustOpen(t, t.TempDir(), testOptions(nil))
	defer q.Close()
	mustAppend(t, q, recs("l", 10, 100))
	f := func(name string, maxRecords, maxBytes, want int) {
		t.Run(name, func(t *testing.T) {
			if err := q.Rewind(); err != nil {
				t.Fatal(err)
			}
			rs, err := q.TryRead(maxRecords, maxBytes)
			if err != nil || len(rs) != want {
				t.Fatalf("got %d records (%v), want %d", len(rs), err, want)
			}
		})
	}
	f("records", 3, 0, 3)
	f("bytes", 0, 250, 3)
	f("one record past the byte limit", 0, 1, 1)
	f("everything", 0, 0, 10)
}

func TestReadWaits(t *testing.T) {
	q := mustOpen(t, t.TempDir(), testOptions(nil))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := q.Read(ctx, 0, 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("read of an empty queue: %v", err)
	}
	got := make(chan []Record)
	go func() {
		rs, _ := q.Read(context.Background(), 0, 0)
		got <- rs
	}()
	testutil.Eventually(t, "Read waiting", func() bool { return q.waiting.Load() == 1 })
	mustAppend(t, q, recs("late", 1, 4))
	select {
	case rs := <-got:
		if len(rs) != 1 {
			t.Fatalf("got %d records", len(rs))
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Read did not wake up on Append")
	}
	go func() {
		_, err := q.Read(context.Background(), 0, 0)
		got <- nil
		if !errors.Is(err, ErrClosed) {
			t.Errorf("read during close: %v", err)
		}
	}()
	testutil.Eventually(t, "Read waiting", func() bool { return q.waiting.Load() == 1 })
	q.Close()
	select {
	case <-got:
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Read did not return on Close")
	}
}

func TestRotationAndReclaim(t *testing.T) {
	dir := t.TempDir()
	o := testOptions(nil)
	o.SegmentBytes = 4096
	q := mustOpen(t, dir, o)
	defer q.Close()
	var want [][]byte
	for i := 0; i < 20; i++ {
		b := recs("s", 5, 200)
		want = append(want, b...)
		mustAppend(t, q, b)
	}
	if st := q.Status(); st.Segments < 5 {
		t.Fatalf("%d segments after 20 KB with 4 KB segments", st.Segments)
	}
	got := readN(t, q, 100)
	if err := equalData(want, got); err != nil {
		t.Fatal(err)
	}
	if err := q.Ack(50); err != nil {
		t.Fatal(err)
	}
	mid := q.Status()
	if err := q.Ack(100); err != nil {
		t.Fatal(err)
	}
	st := q.Status()
	if st.Segments != 1 || mid.Segments <= st.Segments || mid.DiskBytes <= st.DiskBytes {
		t.Fatalf("acknowledged segments not reclaimed: mid %+v, end %+v", mid, st)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.seg"))
	if len(files) != 1 {
		t.Fatalf("%d segment files left, want 1", len(files))
	}
}

func TestConcurrentAppendersShareFsyncs(t *testing.T) {
	const writers, batches, per = 8, 50, 10
	fsys := &gatedFS{memFS: newMemFS()}
	o := testOptions(fsys)
	o.SegmentBytes = 64 << 10
	q := mustOpen(t, "/q", o)
	defer q.Close()
	// The first fsync, as a slow disk would, lasts until every writer is in
	// Append: those behind it share the next one.
	fsys.arm(func() {
		testutil.Poll(testutil.WaitTimeout, func() bool {
			q.mu.Lock()
			defer q.mu.Unlock()
			return q.appending == writers
		})
	})
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				rs := recs(string(rune('A'+w)), per, 30)
				if _, err := q.Append(rs); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	readDone := make(chan map[byte]int)
	go func() {
		next := map[byte]int{}
		n := 0
		for n < writers*batches*per {
			rs, err := q.Read(context.Background(), 0, 0)
			if err != nil {
				t.Error(err)
				break
			}
			for _, r := range rs {
				// Each writer's records arrive in its order: batch after
				// batch, record i after i-1.
				w := r.Data[0]
				var i int
				for _, c := range r.Data[2:] {
					if c == '-' {
						break
					}
					i = i*10 + int(c-'0')
				}
				if i != next[w]%per {
					t.Errorf("writer %c: record %d where %d was due", w, i, next[w]%per)
				}
				next[w]++
			}
			n += len(rs)
			if err := q.Ack(rs[len(rs)-1].Seq); err != nil {
				t.Error(err)
			}
		}
		readDone <- next
	}()
	wg.Wait()
	next := <-readDone
	for w := 0; w < writers; w++ {
		if next[byte('A'+w)] != batches*per {
			t.Fatalf("writer %c: %d records delivered, want %d", 'A'+w, next[byte('A'+w)], batches*per)
		}
	}
	st := q.Status()
	if st.Fsyncs >= writers*batches {
		t.Fatalf("%d fsyncs for %d appends: group commit did not share any", st.Fsyncs, writers*batches)
	}
	t.Logf("%d appends, %d fsyncs", writers*batches, st.Fsyncs)
}

// gatedFS is a memFS whose first segment fsync after arm waits for gate.
type gatedFS struct {
	*memFS
	armed atomic.Bool
	gate  func()
	once  sync.Once
}

type gatedFile struct {
	File
	fs *gatedFS
}

func (g *gatedFS) arm(gate func()) {
	g.gate = gate
	g.armed.Store(true)
}

func (g *gatedFS) OpenFile(name string, flag int, perm fs.FileMode) (File, error) {
	f, err := g.memFS.OpenFile(name, flag, perm)
	if err != nil || !strings.HasSuffix(name, segmentSuffix) {
		return f, err
	}
	return gatedFile{f, g}, nil
}

func (f gatedFile) Sync() error {
	if f.fs.armed.Load() {
		f.fs.once.Do(f.fs.gate)
	}
	return f.File.Sync()
}

func TestSyncPolicies(t *testing.T) {
	f := func(p SyncPolicy, wantSyncsPerAppend bool) {
		t.Run(p.String(), func(t *testing.T) {
			fsys := newMemFS()
			o := testOptions(fsys)
			o.Sync = p
			q := mustOpen(t, "/q", o)
			before := fsys.count("sync")
			for i := 0; i < 10; i++ {
				mustAppend(t, q, recs("p", 2, 10))
			}
			syncs := fsys.count("sync") - before
			if wantSyncsPerAppend && syncs < 10 || !wantSyncsPerAppend && syncs != 0 {
				t.Fatalf("%d fsyncs for 10 appends", syncs)
			}
			if got := len(drain(t, q)); got != 20 {
				t.Fatalf("reader sees %d records, want 20", got)
			}
			if err := q.Close(); err != nil {
				t.Fatal(err)
			}
			// Close makes everything durable under every policy.
			fsys.crash(nil, false)
			q = mustOpen(t, "/q", o)
			defer q.Close()
			if got := len(drain(t, q)); got != 20 {
				t.Fatalf("after close and a crash: %d records, want 20", got)
			}
		})
	}
	f(SyncBatch, true)
	f(SyncInterval, false)
	f(SyncNever, false)
}

func TestParseSyncPolicy(t *testing.T) {
	for _, p := range []SyncPolicy{SyncBatch, SyncInterval, SyncNever} {
		got, err := ParseSyncPolicy(p.String())
		if err != nil || got != p {
			t.Fatalf("%v: got %v, %v", p, got, err)
		}
	}
	if _, err := ParseSyncPolicy("sometimes"); err == nil {
		t.Fatal("accepted an unknown policy")
	}
}

func TestOpenRejectsUnknownVersion(t *testing.T) {
	dir := t.TempDir()
	q := mustOpen(t, dir, testOptions(nil))
	mustAppend(t, q, recs("v", 1, 1))
	q.Close()
	name := filepath.Join(dir, segmentName(1))
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	b[4] = 9
	putU32(b[24:], crc(b[:24]))
	if err := os.WriteFile(name, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir, testOptions(nil), nil); !errors.Is(err, errSegmentVersion) {
		t.Fatalf("open of a version-9 segment: %v", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	f := func(name string, edit func(o *Options)) {
		t.Run(name, func(t *testing.T) {
			o := testOptions(nil)
			edit(&o)
			if _, err := Open(t.TempDir(), o, nil); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	f("sync policy", func(o *Options) { o.Sync = 7 })
	f("warn ratio", func(o *Options) { o.WarnRatio = 1.5 })
	f("record size", func(o *Options) { o.MaxRecordBytes = 2 << 30 })
}

func TestSegmentBytesCappedByLimit(t *testing.T) {
	o := testOptions(nil)
	o.MaxBytes = 1 << 20
	if err := o.setDefaults(); err != nil {
		t.Fatal(err)
	}
	if o.SegmentBytes != 256<<10 {
		t.Fatalf("segment size %d under a 1 MiB limit, want 256 KiB", o.SegmentBytes)
	}
}

func TestAckWhileReadWaits(t *testing.T) {
	q := mustOpen(t, t.TempDir(), testOptions(nil))
	defer q.Close()
	mustAppend(t, q, recs("a", 2, 10))
	readN(t, q, 2)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go q.Read(ctx, 0, 0) // waits: nothing more is committed
	testutil.Eventually(t, "Read waiting", func() bool { return q.waiting.Load() == 1 })
	done := make(chan error)
	go func() { done <- q.Ack(2) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(testutil.WaitTimeout):
		t.Fatal("Ack blocked behind a waiting Read")
	}
}
