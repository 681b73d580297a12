package queue

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a settable clock for Options.Now.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestByteLimitDropsOldestSegments(t *testing.T) {
	fsys := newMemFS()
	o := testOptions(fsys)
	o.MaxBytes = 16 << 10
	q := mustOpen(t, "/q", o)
	defer q.Close()
	if q.opts.SegmentBytes != 4<<10 {
		t.Fatalf("segment size %d, want a quarter of the limit", q.opts.SegmentBytes)
	}
	mustAppend(t, q, recs("x", 4, 220))
	inFlight := readN(t, q, 4)
	var total uint64
	for i := 0; i < 40; i++ {
		total = mustAppend(t, q, recs("x", 4, 220))
	}
	st := q.Status()
	if st.DiskBytes > o.MaxBytes+int64(q.opts.SegmentBytes) {
		t.Fatalf("queue takes %d bytes, limit %d", st.DiskBytes, o.MaxBytes)
	}
	if st.Dropped == 0 || st.Health.Level != HealthDropping {
		t.Fatalf("nothing dropped at the limit: %+v", st)
	}
	// Acknowledging records that were dropped meanwhile is fine.
	if err := q.Ack(inFlight[3].Seq); err != nil {
		t.Fatal(err)
	}
	got := drain(t, q)
	if got[0].Seq <= 4 || got[len(got)-1].Seq != total {
		t.Fatalf("delivered %d..%d, want the newest up to %d", got[0].Seq, got[len(got)-1].Seq, total)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq != got[i-1].Seq+1 {
			t.Fatalf("gap between %d and %d inside what was kept", got[i-1].Seq, got[i].Seq)
		}
	}
	// Every record is accounted for: delivered, dropped, or read before the drop.
	if st := q.Status(); uint64(len(got))+st.Dropped != total {
		t.Fatalf("delivered %d + dropped %d != appended %d", len(got), st.Dropped, total)
	}
}

func TestAgeLimitDropsOldSegments(t *testing.T) {
	clock := newFakeClock()
	fsys := newMemFS()
	o := testOptions(fsys)
	o.Now = clock.Now
	q := mustOpen(t, "/q", o)
	defer q.Close()
	mustAppend(t, q, recs("old", 5, 10))
	clock.Advance(2 * time.Hour) // past SegmentMaxAge: the next append starts a segment
	young := recs("young", 3, 10)
	mustAppend(t, q, young)
	clock.Advance(DefaultMaxAge - time.Hour) // the first batch is 7d+1h old, the second 7d-1h
	q.maintain()
	st := q.Status()
	if st.Dropped != 5 || st.Records != 3 {
		t.Fatalf("after the age limit: %+v", st)
	}
	if err := equalData(young, drain(t, q)); err != nil {
		t.Fatal(err)
	}
	if st.Health.Level != HealthDropping {
		t.Fatalf("health %v after a drop", st.Health)
	}
	clock.Advance(recentDrop)
	if h := q.Health(); h.Level != HealthWarning {
		t.Fatalf("health %+v, want a warning for a record at 7d-1h+10m of 7d", h)
	}
}

func TestAgeLimitOnTheActiveSegment(t *testing.T) {
	clock := newFakeClock()
	o := testOptions(newMemFS())
	o.Now = clock.Now
	o.MaxAge = time.Hour
	q := mustOpen(t, "/q", o)
	defer q.Close()
	mustAppend(t, q, recs("a", 4, 10))
	clock.Advance(30 * time.Minute)
	q.maintain()
	if st := q.Status(); st.Records != 4 || st.Segments != 1 {
		t.Fatalf("dropped too early: %+v", st)
	}
	clock.Advance(31 * time.Minute)
	q.maintain()
	if st := q.Status(); st.Records != 0 || st.Dropped != 4 {
		t.Fatalf("not dropped after the limit: %+v", st)
	}
	if got := drain(t, q); len(got) != 0 {
		t.Fatalf("dropped records delivered: %d", len(got))
	}
	if last := mustAppend(t, q, recs("b", 1, 10)); last != 5 {
		t.Fatalf("append after the drop got seq %d, want 5", last)
	}
}

func TestSegmentMaxAgeRotates(t *testing.T) {
	clock := newFakeClock()
	o := testOptions(newMemFS())
	o.Now = clock.Now
	q := mustOpen(t, "/q", o)
	defer q.Close()
	mustAppend(t, q, recs("a", 2, 10))
	readN(t, q, 2)
	clock.Advance(DefaultSegmentMaxAge)
	q.maintain()
	if st := q.Status(); st.Segments != 2 {
		t.Fatalf("%d segments after the segment age passed, want 2", st.Segments)
	}
	if err := q.Ack(2); err != nil {
		t.Fatal(err)
	}
	if st := q.Status(); st.Segments != 1 {
		t.Fatalf("delivered segment kept: %+v", st)
	}
}

func TestHealthWarnings(t *testing.T) {
	t.Run("bytes", func(t *testing.T) {
		o := testOptions(newMemFS())
		o.MaxBytes = 100 << 10
		q := mustOpen(t, "/q", o)
		defer q.Close()
		for q.Status().DiskBytes < 70<<10 {
			mustAppend(t, q, recs("b", 10, 100))
		}
		if h := q.Health(); h.Level != HealthOK {
			t.Fatalf("at 70%%: %+v", h)
		}
		for q.Status().DiskBytes < 82<<10 {
			mustAppend(t, q, recs("b", 10, 100))
		}
		h := q.Health()
		if h.Level != HealthWarning || h.BytesRatio < 0.8 || h.Reason == "" {
			t.Fatalf("at 82%%: %+v", h)
		}
		if st := q.Status(); st.Dropped != 0 {
			t.Fatalf("dropped below the limit: %+v", st)
		}
	})
	t.Run("age, with the callback", func(t *testing.T) {
		clock := newFakeClock()
		var mu sync.Mutex
		var seen []HealthLevel
		o := testOptions(newMemFS())
		o.Now = clock.Now
		o.MaxAge = 10 * time.Hour
		o.OnHealth = func(st Status) {
			mu.Lock()
			seen = append(seen, st.Health.Level)
			mu.Unlock()
		}
		q := mustOpen(t, "/q", o)
		defer q.Close()
		mustAppend(t, q, recs("a", 3, 10))
		clock.Advance(8*time.Hour + 30*time.Minute)
		q.maintain()
		h := q.Health()
		if h.Level != HealthWarning || h.AgeRatio < 0.84 || h.AgeRatio > 0.86 {
			t.Fatalf("at 85%% of the age limit: %+v", h)
		}
		readN(t, q, 3)
		if err := q.Ack(3); err != nil {
			t.Fatal(err)
		}
		q.maintain()
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != 2 || seen[0] != HealthWarning || seen[1] != HealthOK {
			t.Fatalf("callback saw %v, want [warning ok]", seen)
		}
	})
}

func TestOldestUndelivered(t *testing.T) {
	clock := newFakeClock()
	o := testOptions(newMemFS())
	o.Now = clock.Now
	o.SegmentBytes = 1000
	q := mustOpen(t, "/q", o)
	t0 := clock.Now()
	mustAppend(t, q, recs("a", 2, 300))
	clock.Advance(time.Minute)
	mustAppend(t, q, recs("b", 2, 300))
	clock.Advance(time.Minute)
	mustAppend(t, q, recs("c", 2, 300))
	if got := q.Status().Oldest; !got.Equal(t0) {
		t.Fatalf("oldest %v, want %v", got, t0)
	}
	readN(t, q, 6)
	if err := q.Ack(2); err != nil {
		t.Fatal(err)
	}
	if got := q.Status().Oldest; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("oldest after ack %v, want %v", got, t0.Add(time.Minute))
	}
	q.Close()
	// After a reopen it is read back from the record's header.
	q = mustOpen(t, "/q", o)
	defer q.Close()
	if got := q.Status().Oldest; !got.Equal(t0.Add(time.Minute)) {
		t.Fatalf("oldest after reopen %v, want %v", got, t0.Add(time.Minute))
	}
	readN(t, q, 4)
	if err := q.Ack(4); err != nil {
		t.Fatal(err)
	}
	q.Rewind()
	q.mu.Lock()
	q.oldest = 0 // forget it, as after a drop
	q.mu.Unlock()
	if got := q.Status().Oldest; !got.Equal(t0.Add(2 * time.Minute)) {
		t.Fatalf("oldest read from disk %v, want %v", got, t0.Add(2*time.Minute))
	}
}

// TestConcurrentAppendReadWithDrops runs appenders, the reader and the byte
// limit at once (under -race in CI): each writer's records arrive in its
// order, none twice, and every record is delivered or counted as dropped
// (or was in flight when its segment was dropped).
func TestConcurrentAppendReadWithDrops(t *testing.T) {
	o := testOptions(newMemFS())
	o.MaxBytes = 64 << 10
	q := mustOpen(t, "/q", o)
	defer q.Close()
	const writers, batches = 4, 150
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				batch := make([][]byte, 5)
				for i := range batch {
					batch[i] = []byte(fmt.Sprintf("%d %06d %s", w, b*5+i, strings.Repeat("x", 200)))
				}
				if _, err := q.Append(batch); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	// Reads wait for records until every append is done.
	appending, appendsDone := context.WithCancel(context.Background())
	go func() { wg.Wait(); appendsDone() }()
	last := map[int]int{0: -1, 1: -1, 2: -1, 3: -1}
	delivered := 0
	seen := map[uint64]bool{}
	for {
		rs, err := q.Read(appending, 7, 0)
		if errors.Is(err, context.Canceled) {
			if rs, err = q.TryRead(7, 0); err == nil && len(rs) == 0 {
				goto done
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if seen[r.Seq] {
				t.Fatalf("seq %d delivered twice", r.Seq)
			}
			seen[r.Seq] = true
			var w, i int
			fmt.Sscanf(string(r.Data), "%d %d", &w, &i)
			if i <= last[w] {
				t.Fatalf("writer %d: record %d after %d", w, i, last[w])
			}
			last[w] = i
		}
		delivered += len(rs)
		if err := q.Ack(rs[len(rs)-1].Seq); err != nil {
			t.Fatal(err)
		}
	}
done:
	st := q.Status()
	total := uint64(writers * batches * 5)
	if uint64(delivered)+st.Dropped < total || uint64(delivered) > total {
		t.Fatalf("delivered %d + dropped %d, appended %d", delivered, st.Dropped, total)
	}
	t.Logf("delivered %d, dropped %d of %d", delivered, st.Dropped, total)
}
