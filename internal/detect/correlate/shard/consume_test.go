package shard

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const (
	eventTopic      = "vigil.events"
	eventPartitions = 4
	eventGroup      = "detect-events"
)

// consumerConfig is a Consumer over the events topic of the tests, whose
// records are hits in the hit record format (the events, reduced to what
// the correlations read), routed by r.
func consumerConfig(brokers []string, txID string, r func() *Router) ConsumerConfig {
	return ConsumerConfig{Brokers: brokers, Topic: eventTopic, Group: eventGroup, TransactionalID: txID,
		TransactionTimeout: 2 * time.Second, MaxPollRecords: 40, Logger: quiet(),
		Opts: []kgo.Opt{kgo.SessionTimeout(time.Second), kgo.HeartbeatInterval(100 * time.Millisecond),
			kgo.RebalanceTimeout(5 * time.Second)},
		Process: func(ctx context.Context, recs []*kgo.Record) error {
			hits := make([]correlate.Hit, len(recs))
			for i, rec := range recs {
				if _, err := decodeHit(rec.Value, &hits[i]); err != nil {
					return err
				}
			}
			_, err := r().Route(ctx, hits)
			return err
		}}
}

// produceEvents writes hits to the events topic as events, keyed by their
// first field (the source), so each partition holds some sources.
func produceEvents(t *testing.T, brokers []string, hits []correlate.Hit) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var recs []*kgo.Record
	for i := range hits {
		recs = append(recs, &kgo.Record{Topic: eventTopic, Key: []byte(hits[i].Fields[0].Value), Value: appendHit(nil, "", &hits[i])})
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

// TestConsumerKilledMidTransaction: a detect node that routed the hits of
// a batch of events and was killed (SIGKILL) before committing the
// batch's offsets; the next member reads the batch again and routes its
// hits again. The Owners count each hit once: the alerts are exactly one
// engine's (with an event_count correlation, whose count a hit counted
// twice would raise).
func TestConsumerKilledMidTransaction(t *testing.T) {
	set := compileSet(t)
	hits := scan()
	half := len(hits) / 2
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hitTopic, stateTopic),
		kfake.SeedTopics(eventPartitions, eventTopic), kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	brokers := c.ListenAddrs()
	var got alerts
	waitOwns(t, startOwner(t, ownerConfig(brokers, set, got.emit)))

	// The victim routes the hits of its first batch, says so, and hangs
	// before ending the transaction.
	cmd, out := testutil.StartChild(t, "TestHelperConsumer", "VIGIL_SHARD_HELPER_BROKERS="+strings.Join(brokers, ","))
	routed := make(chan int, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			var n int
			if _, err := fmt.Sscanf(sc.Text(), "routed %d", &n); err == nil {
				routed <- n
			}
		}
	}()
	produceEvents(t, brokers, hits[:half])
	var n int
	select {
	case n = <-routed:
	case <-time.After(time.Minute):
		t.Fatal("the victim routed no hits")
	}
	if n == 0 {
		t.Fatal("the victim routed 0 records")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	// The survivor reads every event from the last committed offsets,
	// the victim's batch included.
	var router *Router
	cons, err := NewConsumer(consumerConfig(brokers, "detect-survivor", func() *Router { return router }))
	if err != nil {
		t.Fatal(err)
	}
	if router, err = NewRouter(cons.Client(), hitTopic, set); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cons.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	waitEqual(t, "after the kill, first half", got.snapshot, single(t, set, hits[:half]))
	produceEvents(t, brokers, hits[half:])
	want := single(t, set, hits)
	waitEqual(t, "all events", got.snapshot, want)
	if c := countByCorr(got.snapshot()); c["port_scan"] != scanners {
		t.Fatalf("port scan alerts %d, want %d", c["port_scan"], scanners)
	}
}

// TestHelperConsumer is the victim of TestConsumerKilledMidTransaction,
// run as a child process so that it can be killed with SIGKILL.
func TestHelperConsumer(t *testing.T) {
	brokers := os.Getenv("VIGIL_SHARD_HELPER_BROKERS")
	if brokers == "" {
		t.Skip("run by TestConsumerKilledMidTransaction")
	}
	set := compileSet(t)
	var router *Router
	cfg := consumerConfig(strings.Split(brokers, ","), "detect-victim", func() *Router { return router })
	route := cfg.Process
	cfg.Process = func(ctx context.Context, recs []*kgo.Record) error {
		if err := route(ctx, recs); err != nil {
			return err
		}
		fmt.Printf("routed %d\n", len(recs))
		select {} // killed here: hits produced, offsets not committed
	}
	cons, err := NewConsumer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if router, err = NewRouter(cons.Client(), hitTopic, set); err != nil {
		t.Fatal(err)
	}
	_ = cons.Run(context.Background())
}
