package watchlist

import (
	"context"
	"fmt"
	"testing"

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
