package bus

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// Gathering: a consumer may hand its handler the records of several polls
// at once (Consumer.BatchRows, Consumer.Linger), so that a backend that
// pays per insert (ClickHouse: 4–7× more CPU per event for 1,000-row
// inserts than for 10,000-row ones, docs/scale-out.md figure 5a) gets
// large writes from small polls.
//
// The polls of a batch are gathered with rebalances blocked
// (BlockRebalanceOnPoll holds from the first poll to AllowRebalance after
// the commit), so a partition never moves while records of it are
// gathered but not committed. A rebalance that waits for this member
// (kgo.OnPartitionsCallbackBlocked) ends the gathering at once: the batch
// so far is written and committed, then the partitions move. Nothing is
// committed before the handler acknowledged the whole batch; a batch that
// is never acknowledged (the node dies, or stops while the handler fails)
// commits nothing and is read again by the partitions' next owner.

// gatherer polls a client into batches of at most rows records, waiting at
// most linger after the first record for more.
type gatherer struct {
	cl      *kgo.Client
	log     *slog.Logger
	perPoll int
	rows    int
	linger  time.Duration
	// rebalance is signalled when a rebalance waits for this member.
	rebalance chan struct{}
	// gathered is Consumer.gathered.
	gathered func(records int)
}

// newGatherer reads at most perPoll records a poll, into batches of rows
// (one poll a batch when rows is 0).
func newGatherer(log *slog.Logger, perPoll, rows int, linger time.Duration) *gatherer {
	if rows <= 0 {
		rows, linger = perPoll, 0
	}
	return &gatherer{log: log, perPoll: perPoll, rows: rows, linger: linger, rebalance: make(chan struct{}, 1)}
}

// onBlocked is the client's OnPartitionsCallbackBlocked: it ends the
// gathering in progress.
func (g *gatherer) onBlocked(context.Context, *kgo.Client) {
	select {
	case g.rebalance <- struct{}{}:
	default:
	}
}

// next returns the next batch: it waits for a first poll with records
// (until ctx ends: nil then), then polls again while the batch has fewer
// than rows records, linger has not passed since, and no rebalance waits.
func (g *gatherer) next(ctx context.Context) []*kgo.Record {
	select {
	case <-g.rebalance: // from before the last AllowRebalance: done with
	default:
	}
	recs := g.poll(ctx, min(g.perPoll, g.rows))
	if len(recs) == 0 || len(recs) >= g.rows || g.linger <= 0 {
		return recs
	}
	lctx, cancel := context.WithTimeout(ctx, g.linger)
	defer cancel()
	go func() {
		select {
		case <-g.rebalance:
			cancel()
		case <-lctx.Done():
		}
	}()
	for len(recs) < g.rows && lctx.Err() == nil {
		recs = append(recs, g.poll(lctx, min(g.perPoll, g.rows-len(recs)))...)
	}
	return recs
}

// poll reads at most n records, logging fetch errors other than ctx's end.
func (g *gatherer) poll(ctx context.Context, n int) []*kgo.Record {
	fs := g.cl.PollRecords(ctx, n)
	fs.EachError(func(t string, p int32, err error) {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return
		}
		g.log.Warn("bus fetch", "topic", t, "partition", p, "err", err)
	})
	recs := fs.Records()
	if g.gathered != nil && len(recs) > 0 {
		g.gathered(len(recs))
	}
	return recs
}
