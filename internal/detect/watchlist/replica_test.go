package watchlist

import (
	"context"
	"fmt"
	"log/slog"
	"reflect"
	"sync"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// The replication tests run nodes (a Store on its own directory, with the
// bus's publisher and consumer) over a kfake broker.

func openTestBus(t *testing.T, c *kfake.Cluster) *bus.Bus {
	t.Helper()
	var cfg config.Config
	if err := yaml.Unmarshal([]byte(fmt.Sprintf("bus: {kafka: {brokers: [%q], topic_prefix: wl, partitions: 3}}", c.ListenAddrs()[0])), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := bus.Open(context.Background(), cfg.Bus, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

type node struct {
	t    *testing.T
	b    *bus.Bus
	dir  string
	s    *Store
	stop context.CancelFunc
	done chan struct{}
}

// startNode opens the node's store; consume starts its replica reader.
func startNode(t *testing.T, b *bus.Bus, dir string) *node {
	t.Helper()
	s, err := Open(Options{Dir: dir, Logger: slog.New(slog.DiscardHandler), Publisher: b.WatchlistPublisher()})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{t: t, b: b, dir: dir, s: s}
	t.Cleanup(n.close)
	return n
}

func (n *node) consume() {
	ctx, cancel := context.WithCancel(context.Background())
	n.stop, n.done = cancel, make(chan struct{})
	go func() {
		defer close(n.done)
		if err := n.b.ConsumeWatchlists(ctx, n.s); err != nil {
			n.t.Error(err)
		}
	}()
}

// close stops the reader and closes the store (a restart follows).
func (n *node) close() {
	if n.stop != nil {
		n.stop()
		<-n.done
		n.stop = nil
	}
	if n.s != nil {
		if err := n.s.Close(); err != nil {
			n.t.Error(err)
		}
		n.s = nil
	}
}

// state is every list's live entries, without the times.
func (n *node) state() map[string][]Entry {
	out := map[string][]Entry{}
	for _, in := range n.s.Lists("default") {
		es, _, _ := n.s.Entries("default", in.Name, "", 0)
		for i := range es {
			es[i].Created, es[i].Updated, es[i].Expires = t0, t0, nil
		}
		out[in.Name] = es
	}
	return out
}

// settled waits until every node read back its own ops and all have read
// the same offsets.
func settled(t *testing.T, nodes ...*node) {
	t.Helper()
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		for _, n := range nodes {
			if n.s.Pending() != 0 || !reflect.DeepEqual(n.s.WatchlistOffsets(), nodes[0].s.WatchlistOffsets()) {
				return false
			}
		}
		return true
	}) {
		for _, n := range nodes {
			t.Logf("pending %d, offsets %v", n.s.Pending(), n.s.WatchlistOffsets())
		}
		t.Fatal("nodes did not settle")
	}
}

func count(t *testing.T, s *Store, list, key string) int64 {
	t.Helper()
	e, err := s.GetEntry("default", list, key)
	if err != nil {
		t.Fatalf("entry %s of %s: %v", key, list, err)
	}
	return e.Count
}

// TestReplicaConverge: two nodes write the same keys at once (rule
// increments, API sets and removals, list settings); once both read the
// topic they hold the same lists, and every increment counted once.
func TestReplicaConverge(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	b := openTestBus(t, c)
	a, bb := startNode(t, b, t.TempDir()), startNode(t, b, t.TempDir())
	a.consume()
	bb.consume()
	inc := ruleWithActions(t, "  - increment: failed\n    key: TargetUserName\n    value_from: IpAddress\n")
	const per = 200
	var wg sync.WaitGroup
	for i, n := range []*node{a, bb} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range per {
				n.s.Apply(inc, failure("", "bob", fmt.Sprintf("10.0.%d.%d", i, j%7)))
				n.s.Apply(inc, failure("", fmt.Sprintf("user%d", j%5), "10.1.1.1"))
				if j%20 == 0 {
					if err := n.s.PutEntries("", "hosts", []EntryInput{{Key: fmt.Sprintf("h%d", j%3), Value: fmt.Sprint(i), Count: n64(int64(j))}}); err != nil {
						t.Error(err)
					}
				}
				if j%30 == 0 {
					_ = n.s.DeleteEntry("", "hosts", "h1")
				}
				if err := n.s.Flush(); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	if _, _, err := a.s.PutList("", "failed", Settings{Description: "from A"}); err != nil {
		t.Fatal(err)
	}
	settled(t, a, bb)
	if got := count(t, a.s, "failed", "bob"); got != 2*per {
		t.Errorf("bob counted %d on A, want %d", got, 2*per)
	}
	total := int64(0)
	for u := range 5 {
		total += count(t, bb.s, "failed", fmt.Sprintf("user%d", u))
	}
	if total != 2*per {
		t.Errorf("users counted %d on B, want %d", total, 2*per)
	}
	if sa, sb := a.state(), bb.state(); !reflect.DeepEqual(sa, sb) {
		t.Errorf("diverged:\nA %+v\nB %+v", sa, sb)
	}
	if in, err := bb.s.Get("", "failed"); err != nil || in.Description != "from A" {
		t.Errorf("list settings on B: %+v, %v", in, err)
	}
}

// TestReplicaOrderWins: a removal that precedes another node's increment
// in the topic removes what came before it only; the increment the
// writer had counted before it saw the removal is counted again after
// it, on both nodes.
func TestReplicaOrderWins(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	b := openTestBus(t, c)
	a, bb := startNode(t, b, t.TempDir()), startNode(t, b, t.TempDir())
	for _, n := range []*node{a, bb} {
		if err := n.s.PutEntries("", "l", []EntryInput{{Key: "k", Count: n64(5)}}); err != nil {
			t.Fatal(err)
		}
	}
	// A removes k (acknowledged first), B, not reading yet, increments its k
	if err := a.s.DeleteEntry("", "l", "k"); err != nil {
		t.Fatal(err)
	}
	inc := ruleWithActions(t, "  - increment: l\n    key: TargetUserName\n")
	bb.s.Apply(inc, failure("", "k", ""))
	if err := bb.s.Flush(); err != nil {
		t.Fatal(err)
	}
	if got := count(t, bb.s, "l", "k"); got != 6 {
		t.Fatalf("B's own count %d", got)
	}
	a.consume()
	bb.consume()
	settled(t, a, bb)
	// the topic: set 5 (A), set 5 (B), remove (A), +1 (B): k = 1
	for name, n := range map[string]*node{"A": a, "B": bb} {
		if got := count(t, n.s, "l", "k"); got != 1 {
			t.Errorf("%s: k = %d, want 1", name, got)
		}
	}
}

// TestReplicaReplayOnce: records read again (a restart, a reader that
// starts over, a node that dies with its own ops unread) change nothing;
// increments are counted once.
func TestReplicaReplayOnce(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	b := openTestBus(t, c)
	dirA, dirB := t.TempDir(), t.TempDir()
	a, bb := startNode(t, b, dirA), startNode(t, b, dirB)
	inc := ruleWithActions(t, "  - increment: failed\n    key: TargetUserName\n")
	// A writes 10 increments and stops before reading them back: they are
	// pending in its persisted state
	// (half in a snapshot, half in the log after it)
	for i := range 10 {
		a.s.Apply(inc, failure("", "bob", ""))
		if i == 4 {
			if err := a.s.Compact(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := a.s.Flush(); err != nil {
		t.Fatal(err)
	}
	a.close()
	a = startNode(t, b, dirA)
	if a.s.Pending() != 10 || count(t, a.s, "failed", "bob") != 10 {
		t.Fatalf("after restart: pending %d, count %d", a.s.Pending(), count(t, a.s, "failed", "bob"))
	}
	a.consume()
	bb.consume()
	settled(t, a, bb)
	for name, n := range map[string]*node{"A": a, "B": bb} {
		if got := count(t, n.s, "failed", "bob"); got != 10 {
			t.Errorf("%s: bob = %d, want 10", name, got)
		}
	}
	// B is handed every record again, through the store and by a reader
	// started over
	offs := bb.s.WatchlistOffsets()
	for p, next := range offs {
		for o := range next {
			if err := bb.s.ApplyWatchlistRecord(p, o, []byte("not read: applied already")); err != nil {
				t.Fatal(err)
			}
		}
	}
	bb.close()
	bb = startNode(t, b, dirB)
	if got := count(t, bb.s, "failed", "bob"); got != 10 || !reflect.DeepEqual(bb.s.WatchlistOffsets(), offs) {
		t.Errorf("B after restart: bob = %d, offsets %v want %v", got, bb.s.WatchlistOffsets(), offs)
	}
	bb.consume()
	a.s.Apply(inc, failure("", "bob", "")) // one more: B has read everything once it has this
	if err := a.s.Flush(); err != nil {
		t.Fatal(err)
	}
	settled(t, a, bb)
	for name, n := range map[string]*node{"A": a, "B": bb} {
		if got := count(t, n.s, "failed", "bob"); got != 11 {
			t.Errorf("%s: bob = %d, want 11", name, got)
		}
	}
	// the same after a compaction: the snapshot keeps offsets and pending ops
	if err := bb.s.Compact(); err != nil {
		t.Fatal(err)
	}
	bb.close()
	bb = startNode(t, b, dirB)
	bb.consume()
	settled(t, a, bb)
	if got := count(t, bb.s, "failed", "bob"); got != 11 {
		t.Errorf("B after compaction and restart: bob = %d, want 11", got)
	}
}

// TestReplicaCatchUp: a node that was down reads what the others wrote
// meanwhile, from where its state left off.
func TestReplicaCatchUp(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	b := openTestBus(t, c)
	dirB := t.TempDir()
	a, bb := startNode(t, b, t.TempDir()), startNode(t, b, dirB)
	a.consume()
	bb.consume()
	if err := a.s.PutEntries("", "scanners", []EntryInput{{Key: "203.0.113.5", Value: "first"}}); err != nil {
		t.Fatal(err)
	}
	settled(t, a, bb)
	bb.close()
	if err := a.s.PutEntries("", "scanners", []EntryInput{{Key: "198.51.100.7", Value: "while B was down"}}); err != nil {
		t.Fatal(err)
	}
	if err := a.s.DeleteEntry("", "scanners", "203.0.113.5"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.s.PutList("", "gone", Settings{}); err != nil {
		t.Fatal(err)
	}
	if err := a.s.DeleteList("", "gone"); err != nil {
		t.Fatal(err)
	}
	bb = startNode(t, b, dirB)
	bb.consume()
	settled(t, a, bb)
	if e, err := bb.s.GetEntry("", "scanners", "198.51.100.7"); err != nil || e.Value != "while B was down" {
		t.Errorf("B caught up: %+v, %v", e, err)
	}
	if _, err := bb.s.GetEntry("", "scanners", "203.0.113.5"); err == nil {
		t.Error("B kept the entry A removed while it was down")
	}
	if _, err := bb.s.Get("", "gone"); err == nil {
		t.Error("B kept the list A deleted while it was down")
	}
	if sa, sb := a.state(), bb.state(); !reflect.DeepEqual(sa, sb) {
		t.Errorf("diverged:\nA %+v\nB %+v", sa, sb)
	}
}

// BenchmarkApplyWatchlistRecord: what every detect node does for every
// watch-list write of the deployment: decode an op and apply it (an
// increment of one of 1000 keys).
func BenchmarkApplyWatchlistRecord(b *testing.B) {
	s := NewMemory()
	recs := make([][]byte, 1000)
	for i := range recs {
		recs[i] = []byte(fmt.Sprintf(`{"v":1,"id":"%032x","op":"put","tenant":"default","list":"failed","key":"user%d","value":"10.0.0.1","set_value":true,"delta":1,"ttl":"1h0m0s","time":"2026-05-01T08:00:00Z"}`, i, i))
	}
	b.SetBytes(int64(len(recs[0])))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if err := s.ApplyWatchlistRecord(0, int64(i), recs[i%len(recs)]); err != nil {
			b.Fatal(err)
		}
	}
}
