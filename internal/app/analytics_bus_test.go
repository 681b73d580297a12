package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestBusAnalyticsBatchAbortCountsOnce: a detect node routes the logins
// of a batch to their users' entity partitions; the batch's transaction
// aborts after they were routed (as when the node is killed in the middle
// of it), and the batch is processed again and commits. The owner learns
// from each login once.
func TestBusAnalyticsBatchAbortCountsOnce(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "ea.test-events"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close) // after the node stops (its Cleanup runs first)
	a := startDetectNode(t, "data_dir: "+t.TempDir()+"\nhttp: {listen: '127.0.0.1:0'}\nsources: []\n"+
		"rules: {builtin: false}\n"+
		"bus: {kafka: {brokers: ['"+broker.ListenAddrs()[0]+"'], topic_prefix: ea, partitions: 1}}\n")
	d := a.detectRole
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return len(d.bus.analyticsOwned()) == 1 }) {
		t.Fatal("the node never owned the entity partition")
	}

	const events = 20
	login := func(i int) *event.Event {
		e := &event.Event{Tenant: "default", ID: fmt.Sprintf("ev-%d", i), Timestamp: time.Unix(1_700_000_000+int64(i), 0)}
		e.SetString("event.category", "authentication")
		e.SetString("event.outcome", "success")
		e.SetString("user.name", fmt.Sprintf("u%d", i%4))
		return e
	}
	var recs []*kgo.Record
	for i := range events {
		v, err := login(i).AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: "ea.test-events", Value: v})
	}
	tries := abortFirstBatch(t, a, broker.ListenAddrs(), "ea.test-events", recs)
	evaluated := func() int64 { return d.bus.analyticsStats().Evaluated }
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return tries.Load() >= 2 && evaluated() >= events }) {
		t.Fatalf("after %d tries the owner learned from %d logins, want %d", tries.Load(), evaluated(), events)
	}
	// a login routed after the batch, in the one partition: once the
	// owner learned from it, it read every record of the batch before it
	if err := d.bus.analyticsSink().Write(context.Background(), []*event.Event{login(events)}); err != nil {
		t.Fatal(err)
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return evaluated() >= events+1 }) {
		t.Fatal("the owner never learned from the login routed after the batch")
	}
	if n := evaluated(); n != events+1 {
		t.Errorf("the owner learned from %d logins over %d tries, want %d: a record of the aborted try counted", n, tries.Load(), events+1)
	}
}
