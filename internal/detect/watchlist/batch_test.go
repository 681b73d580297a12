package watchlist

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// TestBatchOpsInTransaction: a detect node writes a batch's watch-list
// increments inside the batch's Kafka transaction; the first try of the
// batch aborts after its ops were produced, the second is killed (its
// client closed in the middle, its restart fencing it), the third
// commits. Every node, the writer included, counts each increment once.
func TestBatchOpsInTransaction(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	t.Cleanup(c.Close)
	b := openTestBus(t, c)
	a, bb := startNode(t, b, t.TempDir()), startNode(t, b, t.TempDir())
	a.consume()
	bb.consume()
	inc := ruleWithActions(t, "  - increment: failed\n    key: TargetUserName\n")
	const events = 25
	ctx := context.Background()
	txClient := func() *kgo.Client {
		cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.TransactionalID("wl-detect-a"),
			kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
		if err != nil {
			t.Fatal(err)
		}
		return cl
	}
	// try processes the batch in a transaction on cl and produces its ops
	try := func(cl *kgo.Client) {
		if err := cl.BeginTransaction(); err != nil {
			t.Fatal(err)
		}
		batch := &Batch{}
		bctx := WithBatch(ctx, batch)
		for i := range events {
			a.s.ApplyIn(bctx, inc, failure("", fmt.Sprintf("user%d", i%5), "10.0.0.1"))
		}
		if err := a.s.Flush(); err != nil {
			t.Fatal(err)
		}
		var recs []*kgo.Record
		for _, r := range batch.Records() {
			recs = append(recs, &kgo.Record{Topic: b.WatchlistsTopic(), Key: r.Key, Value: r.Value})
		}
		if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	cl := txClient()
	try(cl)
	if err := cl.EndTransaction(ctx, kgo.TryAbort); err != nil {
		t.Fatal(err)
	}
	try(cl)
	cl.Close() // killed in the middle of the batch
	cl = txClient()
	defer cl.Close()
	try(cl)
	if err := cl.EndTransaction(ctx, kgo.TryCommit); err != nil {
		t.Fatal(err)
	}
	// an API write after the batch: both nodes read past the batch's ops
	if err := a.s.PutEntries("", "done", []EntryInput{{Key: "k"}}); err != nil {
		t.Fatal(err)
	}
	settled(t, a, bb)
	for _, n := range []*node{a, bb} {
		if _, err := n.s.GetEntry("default", "done", "k"); err != nil {
			t.Fatalf("API write after the batch: %v", err)
		}
		total := int64(0)
		for u := range 5 {
			total += count(t, n.s, "failed", fmt.Sprintf("user%d", u))
		}
		if total != events {
			t.Errorf("increments counted %d, want %d", total, events)
		}
	}
}

// TestBatchCollects: inside a batch, a rule's writes are neither applied
// nor published but collected, a removal of a key the batch added
// included; without a batch in the context, ApplyIn is Apply.
func TestBatchCollects(t *testing.T) {
	pub := &countingPublisher{}
	s, err := Open(Options{Publisher: pub, Now: func() time.Time { return t0 }})
	if err != nil {
		t.Fatal(err)
	}
	add := ruleWithActions(t, "  - add: seen\n    key: TargetUserName\n")
	rm := ruleWithActions(t, "  - remove: seen\n    key: TargetUserName\n")
	b := &Batch{}
	ctx := WithBatch(context.Background(), b)
	s.ApplyIn(ctx, rm, failure("", "carol", "10.0.0.1")) // nothing to remove
	s.ApplyIn(ctx, add, failure("", "bob", "10.0.0.1"))
	s.ApplyIn(ctx, rm, failure("", "BOB", "10.0.0.1"))
	if _, err := s.GetEntry("", "seen", "bob"); err == nil || pub.n != 0 {
		t.Fatalf("a batch's write was applied or published (%d published)", pub.n)
	}
	var ops []string
	for _, r := range b.Records() {
		o, err := DecodeOp(r.Value)
		if err != nil {
			t.Fatal(err)
		}
		if string(r.Key) != string(OpKey("default", "seen")) {
			t.Errorf("record key %q", r.Key)
		}
		ops = append(ops, o.Op+" "+o.Key)
	}
	if fmt.Sprint(ops) != "[put bob del BOB]" {
		t.Errorf("ops %v, want [put bob del BOB]", ops)
	}
	s.ApplyIn(context.Background(), add, failure("", "dave", "10.0.0.1"))
	if _, err := s.GetEntry("", "seen", "dave"); err != nil || pub.n != 1 {
		t.Errorf("a write outside a batch: %v, %d published", err, pub.n)
	}
}

type countingPublisher struct{ n int }

func (p *countingPublisher) Publish(_, _ []byte)          { p.n++ }
func (p *countingPublisher) Wait(_ context.Context) error { return nil }
