package queue

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"
)

// quietLogger keeps expected warnings (torn tails, drops) out of test output.
var quietLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

func testOptions(fsys FS) Options {
	return Options{Output: "test", Tenant: "acme", FS: fsys, Logger: quietLogger}
}

func mustOpen(tb testing.TB, dir string, o Options) *Queue {
	tb.Helper()
	q, err := Open(dir, o, nil)
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	return q
}

// recs makes n records "<prefix>-<i>" padded to size bytes.
func recs(prefix string, n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := []byte(fmt.Sprintf("%s-%d-", prefix, i))
		for len(b) < size {
			b = append(b, byte('a'+len(b)%26))
		}
		out[i] = b
	}
	return out
}

func mustAppend(tb testing.TB, q *Queue, rs [][]byte) uint64 {
	tb.Helper()
	last, err := q.Append(rs)
	if err != nil {
		tb.Fatalf("append: %v", err)
	}
	return last
}

// drain reads every committed record without acknowledging.
func drain(tb testing.TB, q *Queue) []Record {
	tb.Helper()
	var out []Record
	for {
		rs, err := q.TryRead(0, 0)
		if err != nil {
			tb.Fatalf("read: %v", err)
		}
		if len(rs) == 0 {
			return out
		}
		out = append(out, rs...)
	}
}

func readN(tb testing.TB, q *Queue, n int) []Record {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []Record
	for len(out) < n {
		rs, err := q.Read(ctx, n-len(out), 0)
		if err != nil {
			tb.Fatalf("read %d of %d: %v", len(out), n, err)
		}
		out = append(out, rs...)
	}
	return out
}

func equalData(a [][]byte, b []Record) error {
	if len(a) != len(b) {
		return fmt.Errorf("got %d records, want %d", len(b), len(a))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i].Data) {
			return fmt.Errorf("record %d (seq %d): got %q, want %q", i, b[i].Seq, b[i].Data, a[i])
		}
	}
	return nil
}

// abandon stops q as a crash would: no fsync, no ledger sync, no close.
// The files are left to the memFS crash (or to the OS).
func (q *Queue) abandon() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.notify)
		q.notify = make(chan struct{})
	}
	for q.appending > 0 {
		q.cond.Wait()
	}
	q.mu.Unlock()
	close(q.stop)
	<-q.done
	if q.reg != nil {
		q.reg.Unregister(q.coll)
	}
}
