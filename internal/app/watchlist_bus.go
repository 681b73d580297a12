package app

import (
	"context"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/detect/correlate/shard"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

// On a node with a bus, the detect role's watch-lists (which its API
// serves) are replicated: every write is published to <prefix>.watchlists
// and every op of the topic is applied to the node's copy
// (docs/watchlists.md "Several detect nodes"). The ops rules write while
// the role processes a batch of events are produced in the batch's
// transaction instead (processBatch), and reach the node's copy through
// the topic once it commits.

// watchlistPublisher is the node's publisher of watch-list writes; nil
// without a bus (the writes stay local).
func watchlistPublisher(a *App) watchlist.Publisher {
	if a.bus == nil {
		return nil
	}
	return a.bus.WatchlistPublisher()
}

// replicateWatchlists reads the watch-list topic into s until the node
// stops; nothing without a bus.
func (a *App) replicateWatchlists(s *watchlist.Store) {
	if a.bus == nil {
		return
	}
	a.run(func(ctx context.Context) {
		if err := a.bus.ConsumeWatchlists(ctx, s); err != nil {
			a.errs <- fmt.Errorf("bus: %w", err)
		}
	})
}

// produceWatchlistBatch produces the ops of wl to <prefix>.watchlists in
// ctx's transaction (shard.Transaction), keyed by list as the publisher
// keys them, so that one list's ops share a partition.
func produceWatchlistBatch(ctx context.Context, b *bus.Bus, wl *watchlist.Batch) error {
	ops := wl.Records()
	cl := shard.Transaction(ctx)
	if len(ops) == 0 || cl == nil {
		return nil
	}
	topic := b.WatchlistsTopic()
	recs := make([]*kgo.Record, len(ops))
	for i, o := range ops {
		recs[i] = &kgo.Record{Topic: topic, Key: o.Key, Value: o.Value}
	}
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		return fmt.Errorf("publish watch-list ops: %w", err)
	}
	return nil
}
