package bus

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// recordingSink records each write the consumer hands it; when gate is
// set, a write waits for it to close; fail makes the first fail writes
// fail.
type recordingSink struct {
	mu     sync.Mutex
	writes [][]string // the ids of each write, failed ones included
	stored map[string]bool
	fail   int
	gate   chan struct{}
	// onWrite is called with each write, before it returns.
	onWrite func(n int)
}

func (s *recordingSink) write(ctx context.Context, es []*event.Event) error {
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	s.writes = append(s.writes, ids)
	if s.onWrite != nil {
		s.onWrite(len(s.writes))
	}
	if len(s.writes) <= s.fail {
		return errors.New("backend down")
	}
	for _, id := range ids {
		s.stored[id] = true
	}
	return nil
}

func (s *recordingSink) snapshot() ([][]string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]string(nil), s.writes...), len(s.stored)
}

// committed is the sum of the offsets group committed on the events
// topic (0 for a partition without a commit, or a group not known yet).
func committed(t *testing.T, b *Bus, group string) int64 {
	t.Helper()
	n, err := committedOffsets(b, group)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// committedOffsets is committed, for use off the test's goroutine.
func committedOffsets(b *Bus, group string) (int64, error) {
	req := kmsg.NewPtrOffsetFetchRequest()
	req.Group = group
	rt := kmsg.NewOffsetFetchRequestTopic()
	rt.Topic = b.EventsTopic()
	for p := range int32(b.cfg.Partitions) {
		rt.Partitions = append(rt.Partitions, p)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), b.prod)
	if err != nil {
		return 0, err
	}
	if err := kerr.ErrorForCode(resp.ErrorCode); errors.Is(err, kerr.GroupIDNotFound) {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	var n int64
	for _, tp := range resp.Topics {
		for _, p := range tp.Partitions {
			if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
				return 0, err
			}
			if p.Offset > 0 {
				n += p.Offset
			}
		}
	}
	return n, nil
}

// committedOrFail is committedOffsets, -1 when it fails.
func committedOrFail(b *Bus, group string) int64 {
	n, err := committedOffsets(b, group)
	if err != nil {
		return -1
	}
	return n
}

func publishN(t *testing.T, b *Bus, from, n int) []*event.Event {
	t.Helper()
	var sent []*event.Event
	for i := range n {
		sent = append(sent, testEvent("acme", from+i))
	}
	if err := b.PublishEvents(context.Background(), sent); err != nil {
		t.Fatal(err)
	}
	return sent
}

// consumeInBackground runs ConsumeEvents until the test ends.
func consumeInBackground(t *testing.T, b *Bus, c Consumer, h EventHandler) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.ConsumeEvents(ctx, c, h) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
}

// TestGatherPollsIntoOneWrite: 60 events read 10 a poll reach the backend
// as one write of 60, once the batch is full (the linger is too long to
// end it), and their offsets are committed only once that write returned.
func TestGatherPollsIntoOneWrite(t *testing.T) {
	b, _ := openBus(t)
	b.cfg.MaxPollRecords = 10
	sent := publishN(t, b, 0, 60)
	group := b.Group("store")
	sink := &recordingSink{stored: map[string]bool{}, gate: make(chan struct{})}
	consumeInBackground(t, b, Consumer{Group: group, BatchRows: 60, Linger: testutil.WaitTimeout * 10}, sink.write)
	// The consumer is in the write (held at the gate): nothing committed.
	if n := committed(t, b, group); n != 0 {
		t.Fatalf("committed %d offsets before any write", n)
	}
	var commitsInWrite int64 = -1
	sink.onWrite = func(int) { commitsInWrite = committedOrFail(b, group) }
	close(sink.gate)
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return committed(t, b, group) == int64(len(sent)) }) {
		t.Fatalf("committed %d of %d offsets", committed(t, b, group), len(sent))
	}
	writes, stored := sink.snapshot()
	if len(writes) != 1 || len(writes[0]) != len(sent) || stored != len(sent) {
		t.Fatalf("writes of %v events (%d stored), want one of %d", lens(writes), stored, len(sent))
	}
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if commitsInWrite != 0 {
		t.Fatalf("%d offsets committed while the write was in progress", commitsInWrite)
	}
}

// TestGatherLingerEndsBatch: a batch that never fills is written once the
// linger passed.
func TestGatherLingerEndsBatch(t *testing.T) {
	b, _ := openBus(t)
	b.cfg.MaxPollRecords = 10
	sent := publishN(t, b, 0, 25)
	group := b.Group("store")
	sink := &recordingSink{stored: map[string]bool{}}
	consumeInBackground(t, b, Consumer{Group: group, BatchRows: 1000, Linger: 1}, sink.write)
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return committed(t, b, group) == int64(len(sent)) }) {
		t.Fatalf("committed %d of %d offsets", committed(t, b, group), len(sent))
	}
	if _, stored := sink.snapshot(); stored != len(sent) {
		t.Fatalf("stored %d of %d", stored, len(sent))
	}
}

// TestGatherFailedWriteRetriesWholeBatch: a write that fails is handed
// again with the same gathered events; nothing is committed until it
// succeeds, and nothing is lost.
func TestGatherFailedWriteRetriesWholeBatch(t *testing.T) {
	b, _ := openBus(t)
	b.cfg.MaxPollRecords = 10
	sent := publishN(t, b, 0, 40)
	group := b.Group("store")
	sink := &recordingSink{stored: map[string]bool{}, fail: 2}
	commitsAt := map[int]int64{}
	sink.onWrite = func(n int) { commitsAt[n] = committedOrFail(b, group) }
	consumeInBackground(t, b, Consumer{Group: group, BatchRows: 40, Linger: testutil.WaitTimeout * 10}, sink.write)
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return committed(t, b, group) == int64(len(sent)) }) {
		t.Fatalf("committed %d of %d offsets", committed(t, b, group), len(sent))
	}
	writes, stored := sink.snapshot()
	if len(writes) != 3 || stored != len(sent) {
		t.Fatalf("writes of %v events (%d stored), want 2 failed and 1 of %d", lens(writes), stored, len(sent))
	}
	for i, w := range writes {
		if len(w) != len(sent) || !sameIDs(w, writes[0]) {
			t.Fatalf("write %d had %d events, not the whole gathered batch", i, len(w))
		}
		sink.mu.Lock()
		c := commitsAt[i+1]
		sink.mu.Unlock()
		if c != 0 {
			t.Fatalf("%d offsets committed at write %d, before the batch was stored", c, i+1)
		}
	}
}

// TestGatherRebalanceFlushes: a member gathering a batch that would wait
// for its linger for ever writes and commits what it gathered as soon as
// a second member joins (the rebalance waits for it), and the two members
// store every event with all offsets committed.
func TestGatherRebalanceFlushes(t *testing.T) {
	b, _ := openBus(t)
	b.cfg.MaxPollRecords = 10
	sent := publishN(t, b, 0, 30)
	group := b.Group("store")
	first := &recordingSink{stored: map[string]bool{}}
	var mu sync.Mutex
	gathered := 0
	c := Consumer{Group: group, BatchRows: 1000, Linger: testutil.WaitTimeout * 10}
	c.gathered = func(n int) { mu.Lock(); gathered += n; mu.Unlock() }
	consumeInBackground(t, b, c, first.write)
	// The first member gathers all 30 and waits for more.
	if !testutil.Poll(testutil.WaitTimeout, func() bool { mu.Lock(); defer mu.Unlock(); return gathered == len(sent) }) {
		t.Fatalf("gathered %d of %d", gathered, len(sent))
	}
	if ws, _ := first.snapshot(); len(ws) != 0 {
		t.Fatalf("wrote %v before the batch was full or a rebalance waited", lens(ws))
	}
	second := &recordingSink{stored: map[string]bool{}}
	consumeInBackground(t, b, Consumer{Group: group, BatchRows: 1000, Linger: testutil.WaitTimeout * 10}, second.write)
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return committed(t, b, group) == int64(len(sent)) }) {
		t.Fatalf("committed %d of %d offsets", committed(t, b, group), len(sent))
	}
	ws, n1 := first.snapshot()
	if len(ws) != 1 || n1 != len(sent) {
		t.Fatalf("first member wrote %v (%d stored), want one write of %d", lens(ws), n1, len(sent))
	}
}

func lens(ws [][]string) []int {
	out := make([]int, len(ws))
	for i, w := range ws {
		out[i] = len(w)
	}
	return out
}

func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]bool{}
	for _, id := range a {
		seen[id] = true
	}
	for _, id := range b {
		if !seen[id] {
			return false
		}
	}
	return true
}
