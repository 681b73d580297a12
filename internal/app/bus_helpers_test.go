package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect/correlate/shard"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// startDetectNode starts an app with the detect role only, from cfg.
func startDetectNode(t *testing.T, cfg string) *App {
	t.Helper()
	c, err := config.Parse([]byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(c, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Roles: Roles{RoleDetect}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	return a
}

// abortFirstBatch produces recs to topic and runs the detect role's batch
// processing over them in a consumer of its own (group topic), whose
// first try of a batch fails after the processing (its transaction
// aborts, as when the node is killed in the middle of it); the batch is
// then read again. It returns the count of tries.
func abortFirstBatch(t *testing.T, a *App, brokers []string, topic string, recs []*kgo.Record) *atomic.Int32 {
	t.Helper()
	pcl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer pcl.Close()
	if err := pcl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
	d := a.detectRole
	process := processBatch(a, func() []pipeline.Sink { return d.sinks })
	var tries atomic.Int32
	cons, err := shard.NewConsumer(shard.ConsumerConfig{Brokers: brokers, Topic: topic, Group: topic,
		TransactionalID: topic + ".tx", MaxPollRecords: len(recs), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Process: func(ctx context.Context, recs []*kgo.Record) error {
			err := process(ctx, recs)
			if tries.Add(1) == 1 {
				return errors.New("killed in the middle of the batch")
			}
			return err
		}})
	if err != nil {
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
	return &tries
}
