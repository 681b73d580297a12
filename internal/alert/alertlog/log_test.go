package alertlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/queue"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// recorder is an apply sink that keeps what it was given and fails while
// fail is set.
type recorder struct {
	mu    sync.Mutex
	got   []alert.Alert
	calls int
	fail  bool
}

func (r *recorder) WriteAlerts(_ context.Context, as []alert.Alert) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return errors.New("database refuses writes")
	}
	r.calls++
	r.got = append(r.got, as...)
	return nil
}

func (r *recorder) ids() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, a := range r.got {
		out = append(out, a.ID)
	}
	return out
}

func testAlert(i int) alert.Alert {
	t := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	return alert.Alert{ID: fmt.Sprintf("a%04d", i), Tenant: "acme", RuleID: "r1", Title: "SQL injection", Level: "high",
		First: t, Last: t.Add(time.Duration(i) * time.Second), Count: 1 + i%3, EventIDs: []string{fmt.Sprint(i)},
		Entities: alert.Entities{Hosts: []string{"web-01"}}, Status: alert.StatusOpen}
}

func open(t *testing.T, dir string, apply alert.Sink, maxBatch int) *Log {
	t.Helper()
	// A long interval: the tests drain with Flush.
	l, err := Open(Options{Dir: dir, Apply: apply, Interval: time.Hour, MaxBatch: maxBatch})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestFlushAppliesInOrderInBatches: what was appended reaches the sink
// in order, whole, in batches of at most MaxBatch, once.
func TestFlushAppliesInOrderInBatches(t *testing.T) {
	rec := &recorder{}
	l := open(t, t.TempDir(), rec, 4)
	defer l.Close(context.Background())
	var want []string
	for b := 0; b < 3; b++ {
		var as []alert.Alert
		for i := 0; i < 3; i++ {
			a := testAlert(b*3 + i)
			as = append(as, a)
			want = append(want, a.ID)
		}
		if err := l.WriteAlerts(context.Background(), as); err != nil {
			t.Fatal(err)
		}
	}
	if l.Pending() != 9 {
		t.Fatalf("pending %d, want 9", l.Pending())
	}
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.ids()) != fmt.Sprint(want) || rec.calls != 3 {
		t.Fatalf("applied %v in %d calls, want %v in 3", rec.ids(), rec.calls, want)
	}
	if l.Pending() != 0 {
		t.Fatalf("pending %d after flush", l.Pending())
	}
	if err := l.Flush(context.Background()); err != nil || len(rec.ids()) != 9 {
		t.Fatalf("a second flush applied again: %v %v", rec.ids(), err)
	}
	got := rec.got[4]
	if w := testAlert(4); got.ID != w.ID || !got.Last.Equal(w.Last) || got.Count != w.Count || got.Entities.Hosts[0] != "web-01" {
		t.Fatalf("alert round trip: %+v, want %+v", got, w)
	}
}

// TestFailedApplyIsRetried: a batch the sink refuses stays in the log and
// is applied by the next drain, nothing skipped.
func TestFailedApplyIsRetried(t *testing.T) {
	rec := &recorder{fail: true}
	l := open(t, t.TempDir(), rec, 100)
	defer l.Close(context.Background())
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(1), testAlert(2)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(context.Background()); err == nil {
		t.Fatal("flush with a failing sink succeeded")
	}
	rec.mu.Lock()
	rec.fail = false
	rec.mu.Unlock()
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.ids()) != "[a0001 a0002]" {
		t.Fatalf("applied %v", rec.ids())
	}
}

// TestReopenAppliesTheUnappliedTail: alerts appended and not applied
// before the log was dropped without Close (as by kill -9) are applied
// after reopening; those applied and acknowledged are not.
func TestReopenAppliesTheUnappliedTail(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	l := open(t, dir, rec, 100)
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(1)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(2), testAlert(3)}); err != nil {
		t.Fatal(err)
	}
	// Simulate the crash: close the queue's files without draining.
	if err := l.q.Close(); err != nil {
		t.Fatal(err)
	}
	rec2 := &recorder{}
	l2 := open(t, dir, rec2, 100)
	defer l2.Close(context.Background())
	if l2.Pending() != 2 {
		t.Fatalf("pending after reopen %d, want 2", l2.Pending())
	}
	if err := l2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec2.ids()) != "[a0002 a0003]" {
		t.Fatalf("applied after reopen %v, want [a0002 a0003]", rec2.ids())
	}
}

// TestApplierRuns: the background applier drains the log on its own.
func TestApplierRuns(t *testing.T) {
	rec := &recorder{}
	l, err := Open(Options{Dir: t.TempDir(), Apply: rec, Interval: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	l.Start()
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(7)}); err != nil {
		t.Fatal(err)
	}
	testutil.Poll(testutil.WaitTimeout, func() bool { return len(rec.ids()) > 0 })
	if fmt.Sprint(rec.ids()) != "[a0007]" {
		t.Fatalf("applier applied %v", rec.ids())
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkWriteAlerts measures the sink detection writes to: batches of
// 200 alerts appended and fsynced (group commit across the parallel
// writers). One op is one alert; the apply side is not included.
func BenchmarkWriteAlerts(b *testing.B) {
	l, err := Open(Options{Dir: b.TempDir(), Apply: alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }),
		Interval: time.Hour, Sync: queue.SyncBatch})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close(context.Background())
	const batch = 200
	as := make([]alert.Alert, batch)
	for i := range as {
		as[i] = testAlert(i)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(mustJSON(b, as[0]))))
	b.ResetTimer()
	for n := 0; n < b.N; n += batch {
		if err := l.WriteAlerts(context.Background(), as); err != nil {
			b.Fatal(err)
		}
		if l.Pending() > 100_000 {
			b.StopTimer()
			if err := l.Flush(context.Background()); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
		}
	}
}

// TestCloseAppliesOnlyWhenStarted: Close of a running log applies what is
// pending; Close of one never started keeps it for the next start.
func TestCloseAppliesOnlyWhenStarted(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	l := open(t, dir, rec, 100)
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(1)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.ids()) != 0 {
		t.Fatalf("a log never started applied %v at Close", rec.ids())
	}
	l = open(t, dir, rec, 100)
	l.Start()
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(2)}); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rec.ids()) != "[a0001 a0002]" {
		t.Fatalf("applied %v at Close, want [a0001 a0002]", rec.ids())
	}
}

// TestAppliesTheAlertsAppended: the applier gets the alerts as they were
// appended, whether it takes the copies kept in memory or decodes the
// records (after a restart), and a caller that changes its alerts after
// WriteAlerts returned changes nothing applied.
func TestAppliesTheAlertsAppended(t *testing.T) {
	dir := t.TempDir()
	rec := &recorder{}
	l := open(t, dir, rec, 100)
	as := []alert.Alert{testAlert(1), testAlert(2), testAlert(3)}
	as[0].Reason = &alert.Reason{Selections: []alert.ReasonSelection{{Name: "sel", Fields: []alert.ReasonField{{Field: "f", Value: "v"}}}}}
	as[1].Title = "bad \xff byte" // JSON writes U+FFFD for it
	want := make([]string, len(as))
	for i := range as {
		b := mustJSON(t, as[i])
		var back alert.Alert
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		want[i] = string(mustJSON(t, back))
	}
	if err := l.WriteAlerts(context.Background(), as); err != nil {
		t.Fatal(err)
	}
	if _, ok := l.recent[2]; len(l.recent) != 2 || ok {
		t.Fatalf("copies held: %d (the alert with a byte that is not UTF-8 held: %v), want the 2 others", len(l.recent), ok)
	}
	as[0].Reason.Selections[0].Fields[0].Value, as[0].Entities.Hosts[0], as[2].EventIDs[0] = "changed", "changed", "changed"
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 3 {
		t.Fatalf("applied %d alerts, want 3", len(rec.got))
	}
	for i := range rec.got {
		if got := string(mustJSON(t, rec.got[i])); got != want[i] {
			t.Errorf("alert %d applied as\n%s\nwant\n%s", i, got, want[i])
		}
	}
	if rec.got[1].Title != "bad \ufffd byte" {
		t.Errorf("title applied as %q, want the byte replaced as JSON does", rec.got[1].Title)
	}
	if len(l.recent) != 0 || l.recentBytes != 0 {
		t.Errorf("after the drain %d copies (%d bytes) are still held", len(l.recent), l.recentBytes)
	}

	// Appended, not applied, then a restart: the records are decoded.
	if err := l.WriteAlerts(context.Background(), as[2:]); err != nil {
		t.Fatal(err)
	}
	l.Close(context.Background())
	rec2 := &recorder{}
	l2 := open(t, dir, rec2, 100)
	defer l2.Close(context.Background())
	if err := l2.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec2.got) != 1 || rec2.got[0].EventIDs[0] != "changed" {
		t.Fatalf("after a restart applied %+v", rec2.got)
	}
}

// TestCopiesOfDroppedRecordsAreForgotten: copies of records the applier
// will never read (before the first record it reads) are dropped, so the
// memory they hold does not stay taken.
func TestCopiesOfDroppedRecordsAreForgotten(t *testing.T) {
	rec := &recorder{}
	l := open(t, t.TempDir(), rec, 100)
	defer l.Close(context.Background())
	if err := l.WriteAlerts(context.Background(), []alert.Alert{testAlert(1), testAlert(2)}); err != nil {
		t.Fatal(err)
	}
	l.forget(2)
	if len(l.recent) != 1 {
		t.Fatalf("%d copies held after forgetting those before 2, want 1", len(l.recent))
	}
	if err := l.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(rec.got) != 2 || len(l.recent) != 0 || l.recentBytes != 0 {
		t.Fatalf("applied %d alerts, %d copies (%d bytes) left", len(rec.got), len(l.recent), l.recentBytes)
	}
}
