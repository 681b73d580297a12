package queue

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

var errInjected = errors.New("injected fault")

// failNth fails the n-th (1-based) call of op on files whose name contains
// substr, and every later one if sticky.
func failNth(op, substr string, n int, sticky bool) func(string, string) error {
	var calls atomic.Int64
	return func(gotOp, name string) error {
		if gotOp != op || !strings.Contains(name, substr) {
			return nil
		}
		c := calls.Add(1)
		if c == int64(n) || sticky && c > int64(n) {
			return errInjected
		}
		return nil
	}
}

func TestWriteFailureIsReportedAndRolledBack(t *testing.T) {
	fsys := newMemFS()
	q := mustOpen(t, "/q", testOptions(fsys))
	mustAppend(t, q, recs("ok", 2, 50))
	fsys.setInject(failNth("write", ".seg", 1, false))
	if _, err := q.Append(recs("bad", 3, 50)); !errors.Is(err, errInjected) {
		t.Fatalf("append with a failing write: %v", err)
	}
	fsys.setInject(nil)
	if st := q.Status(); st.Records != 2 || st.LastSeq != 2 || st.Err != "" {
		t.Fatalf("after a failed write: %+v", st)
	}
	if last := mustAppend(t, q, recs("ok2", 1, 50)); last != 3 {
		t.Fatalf("append after a failed write got seq %d, want 3", last)
	}
	got := drain(t, q)
	if err := equalData(append(recs("ok", 2, 50), recs("ok2", 1, 50)...), got); err != nil {
		t.Fatal(err)
	}
	q.Close()
	q = mustOpen(t, "/q", testOptions(fsys))
	defer q.Close()
	if st := q.Status(); st.Torn != 0 || st.Records != 3 {
		t.Fatalf("reopened: %+v", st)
	}
}

func TestWriteAndTruncateFailureBreaksTheQueue(t *testing.T) {
	fsys := newMemFS()
	q := mustOpen(t, "/q", testOptions(fsys))
	mustAppend(t, q, recs("ok", 2, 50))
	fsys.setInject(func(op, name string) error {
		if op == "write" && strings.HasSuffix(name, ".seg") || op == "truncate" {
			return errInjected
		}
		return nil
	})
	if _, err := q.Append(recs("bad", 3, 50)); !errors.Is(err, errInjected) {
		t.Fatalf("append: %v", err)
	}
	fsys.setInject(nil)
	if _, err := q.Append(recs("later", 1, 50)); !errors.Is(err, ErrFailed) {
		t.Fatalf("append on a failed queue: %v, want ErrFailed", err)
	}
	if st := q.Status(); st.Err == "" {
		t.Fatal("status does not show the failure")
	}
	// What was committed before can still be delivered.
	if got := drain(t, q); len(got) != 2 {
		t.Fatalf("%d records readable, want 2", len(got))
	}
	q.Close()
	q = mustOpen(t, "/q", testOptions(fsys))
	defer q.Close()
	st := q.Status()
	if st.Torn == 0 {
		t.Fatalf("half-written batch not discarded as torn: %+v", st)
	}
	if err := equalData(recs("ok", 2, 50), drain(t, q)); err != nil {
		t.Fatal(err)
	}
}

func TestFsyncFailureNeverAcks(t *testing.T) {
	f := func(name string, crash bool) {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			q := mustOpen(t, "/q", testOptions(fsys))
			mustAppend(t, q, recs("ok", 2, 50))
			fsys.setInject(failNth("sync", ".seg", 1, false))
			if _, err := q.Append(recs("bad", 3, 50)); !errors.Is(err, ErrFailed) || !errors.Is(err, errInjected) {
				t.Fatalf("append with a failing fsync: %v", err)
			}
			fsys.setInject(nil)
			if got := drain(t, q); len(got) != 2 {
				t.Fatalf("reader sees %d records, want the 2 synced ones", len(got))
			}
			if _, err := q.Append(recs("later", 1, 50)); !errors.Is(err, ErrFailed) {
				t.Fatalf("append after a failed fsync: %v, want ErrFailed", err)
			}
			q.abandon()
			if crash {
				fsys.crash(nil, false)
			} else {
				fsys.killProcess()
			}
			q = mustOpen(t, "/q", testOptions(fsys))
			defer q.Close()
			got := drain(t, q)
			// The synced records are there; the failed batch is either
			// gone (lost with the page cache) or there whole (the OS kept
			// it): the caller retries, receivers drop the duplicate.
			if err := equalData(recs("ok", 2, 50), got[:min(2, len(got))]); err != nil {
				t.Fatal(err)
			}
			if want := map[bool]int{true: 2, false: 5}[crash]; len(got) != want {
				t.Fatalf("%d records after reopen, want %d", len(got), want)
			}
			if last := mustAppend(t, q, recs("new", 1, 5)); last != uint64(len(got)+1) {
				t.Fatalf("append after reopen got seq %d", last)
			}
		})
	}
	f("then power loss", true)
	f("then kill", false)
}

func TestSegmentCreateFailure(t *testing.T) {
	fsys := newMemFS()
	o := testOptions(fsys)
	o.SegmentBytes = 1000
	q := mustOpen(t, "/q", o)
	mustAppend(t, q, recs("a", 3, 300))
	fsys.setInject(failNth("open", segmentName(4), 1, true))
	if _, err := q.Append(recs("b", 3, 300)); !errors.Is(err, errInjected) {
		t.Fatalf("append needing a new segment: %v", err)
	}
	if got := len(drain(t, q)); got != 3 {
		t.Fatalf("%d records readable, want 3", got)
	}
	q.Close()
	fsys.setInject(nil)
	q = mustOpen(t, "/q", o)
	defer q.Close()
	mustAppend(t, q, recs("c", 1, 10))
	if got := len(drain(t, q)); got != 4 {
		t.Fatalf("%d records after reopen, want 4", got)
	}
}

func TestLedgerWriteFailure(t *testing.T) {
	fsys := newMemFS()
	q := mustOpen(t, "/q", testOptions(fsys))
	defer q.Close()
	mustAppend(t, q, recs("a", 5, 10))
	readN(t, q, 5)
	fsys.setInject(failNth("write", ledgerName, 1, false))
	if err := q.Ack(3); !errors.Is(err, errInjected) {
		t.Fatalf("ack with a failing ledger write: %v", err)
	}
	if st := q.Status(); st.Acked != 0 || st.Delivered != 0 {
		t.Fatalf("failed ack was recorded: %+v", st)
	}
	if err := q.Ack(5); err != nil {
		t.Fatal(err)
	}
	if st := q.Status(); st.Acked != 5 || st.Delivered != 5 {
		t.Fatalf("after ack: %+v", st)
	}
}

func TestOpenFailures(t *testing.T) {
	f := func(name string, inject func(op, name string) error) {
		t.Run(name, func(t *testing.T) {
			fsys := newMemFS()
			q := mustOpen(t, "/q", testOptions(fsys))
			mustAppend(t, q, recs("a", 1, 10))
			q.Close()
			fsys.setInject(inject)
			if _, err := Open("/q", testOptions(fsys), nil); !errors.Is(err, errInjected) {
				t.Fatalf("open: %v", err)
			}
		})
	}
	f("list", failNth("readdir", "", 1, true))
	f("ledger", failNth("open", ledgerName, 1, true))
	f("segment", failNth("open", ".seg", 1, true))
	f("read", failNth("read", ".seg", 2, true))
}
