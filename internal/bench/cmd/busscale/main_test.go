package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// The wait on a store node reads its group's counters, not another
// group's or topic's.
func TestStoreConsumed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, `# HELP vigil_bus_consumed_records_total x
vigil_bus_consumed_records_total{group="p.detect",topic="p.events"} 99
vigil_bus_consumed_records_total{group="p.store",topic="p.alerts"} 98
vigil_bus_consumed_records_total{group="p.store",topic="p.events"} 1234
vigil_bus_dead_letters_total{group="p.store",topic="p.events"} 5
`)
	}))
	defer srv.Close()
	handled, dead, err := storeConsumed(srv.URL, "p")
	if err != nil || handled != 1234 || dead != 5 {
		t.Fatalf("storeConsumed = %d, %d, %v; want 1234, 5", handled, dead, err)
	}
}

// The detect wait ends only when the group has committed the end of every
// partition.
func TestOffsets(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "t"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	for p := range int32(3) {
		if err := cl.ProduceSync(ctx, &kgo.Record{Topic: "t", Partition: p, Value: []byte("x")}, &kgo.Record{Topic: "t", Partition: p, Value: []byte("y")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	if committed, end := offsets(cl, "g", "t", 3); committed != 0 || end != 6 {
		t.Fatalf("before commits: committed %d, end %d; want 0, 6", committed, end)
	}
	g, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()), kgo.DisableAutoCommit())
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	var read int
	for read < 6 {
		fs := g.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatal(err)
		}
		read += fs.NumRecords()
	}
	if err := g.CommitUncommittedOffsets(ctx); err != nil {
		t.Fatal(err)
	}
	if committed, end := offsets(cl, "g", "t", 3); committed != 6 || end != 6 {
		t.Fatalf("after commits: committed %d, end %d; want 6, 6", committed, end)
	}
	if n := stableMembers(cl, "g"); n != 1 {
		t.Errorf("stable members %d, want 1", n)
	}
}
