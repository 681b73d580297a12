package bus

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// The watch-list topic, <prefix>.watchlists (docs/format/watchlist-ops.md,
// docs/watchlists.md "Several detect nodes"): every write to a watch-list
// on any node, as an op record keyed by tenant and list. It is not read in
// a consumer group: every node with the detect role reads every partition
// and applies every op to its own copy of the lists, from the offsets its
// persisted state recorded. It reads committed records only: the ops the
// rules of a detect node write while it processes a batch of events are
// produced in the batch's transaction (watchlist.Batch) and count only
// when it commits.

const topicWatchlists = "watchlists"

// metadataWait is the pause between tries to learn the partitions of the
// watch-list topic while the brokers cannot say.
const metadataWait = time.Second

// WatchlistsTopic is <prefix>.watchlists.
func (b *Bus) WatchlistsTopic() string { return b.cfg.TopicPrefix + "." + topicWatchlists }

// WatchlistPublisher writes watch-list ops to <prefix>.watchlists with the
// bus's producer (implements watchlist.Publisher).
type WatchlistPublisher struct {
	b     *Bus
	topic string

	mu      sync.Mutex
	next    uint64              // sequence of the next record
	low     uint64              // every record below it is acknowledged
	unacked map[uint64]struct{} // records in flight
	acked   chan struct{}       // closed (and replaced) at each acknowledgement
	err     error               // the first failure since the last Wait
}

// WatchlistPublisher returns the publisher of this node's watch-list
// writes, creating the topic when it does not exist.
func (b *Bus) WatchlistPublisher() *WatchlistPublisher {
	ctx, cancel := context.WithTimeout(context.Background(), 2*b.cfg.DialTimeout.D())
	defer cancel()
	if err := b.createWatchlistsTopic(ctx); err != nil {
		b.log.Warn("create the watch-list topic; it must exist or be created by the brokers", "err", err)
	}
	return &WatchlistPublisher{b: b, topic: b.WatchlistsTopic(), unacked: map[uint64]struct{}{}, acked: make(chan struct{})}
}

// Publish queues one op; the producer keeps the order of one key's
// records and retries them while the brokers are away.
func (p *WatchlistPublisher) Publish(key, value []byte) {
	p.mu.Lock()
	seq := p.next
	p.next++
	p.unacked[seq] = struct{}{}
	p.mu.Unlock()
	p.b.prod.Produce(context.Background(), &kgo.Record{Topic: p.topic, Key: key, Value: value}, func(_ *kgo.Record, err error) {
		p.mu.Lock()
		defer p.mu.Unlock()
		delete(p.unacked, seq)
		for p.low < p.next {
			if _, ok := p.unacked[p.low]; ok {
				break
			}
			p.low++
		}
		if err != nil && p.err == nil {
			p.err = err
			p.b.log.Error("publish watch-list op; the other nodes miss it", "err", err)
		}
		close(p.acked)
		p.acked = make(chan struct{})
	})
}

// Wait returns once every op published before the call is acknowledged
// (all in-sync replicas), with the first failure since the last Wait, or
// ctx's error.
func (p *WatchlistPublisher) Wait(ctx context.Context) error {
	p.mu.Lock()
	target := p.next
	for p.low < target {
		ch := p.acked
		p.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
		p.mu.Lock()
	}
	err := p.err
	p.err = nil
	p.mu.Unlock()
	return err
}

// WatchlistReplica is a node's copy of the watch-lists
// (*watchlist.Store): where its persisted state left each partition, and
// how an op record is applied.
type WatchlistReplica interface {
	// WatchlistOffsets is the next offset to read per partition; a
	// partition absent is read from its start.
	WatchlistOffsets() map[int32]int64
	// ApplyWatchlistRecord applies one record; an error says it was
	// skipped (it did not decode), and the bus logs it.
	ApplyWatchlistRecord(partition int32, offset int64, value []byte) error
}

// ConsumeWatchlists reads every partition of <prefix>.watchlists into r,
// from r's offsets, until ctx ends (nil then). It is not a consumer group:
// every node applies every op. A partition whose recorded offset the
// brokers no longer hold (retention deleted it) is read from its first
// record held.
func (b *Bus) ConsumeWatchlists(ctx context.Context, r WatchlistReplica) error {
	topic := b.WatchlistsTopic()
	log := b.log.With("topic", topic)
	if err := b.createWatchlistsTopic(ctx); err != nil {
		log.Warn("create the watch-list topic; it must exist or be created by the brokers", "err", err)
	}
	parts, err := b.partitions(ctx, topic)
	if err != nil {
		return nil // ctx ended
	}
	offs := r.WatchlistOffsets()
	start := make(map[int32]kgo.Offset, len(parts))
	for _, p := range parts {
		if o, ok := offs[p]; ok {
			start[p] = kgo.NewOffset().At(o)
		} else {
			start[p] = kgo.NewOffset().AtStart()
		}
	}
	cl, err := kgo.NewClient(append(b.opts[:len(b.opts):len(b.opts)],
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: start}),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// the ops rules wrote in a detect batch's transaction count only
		// once it commits
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))...)
	if err != nil {
		return fmt.Errorf("consume %s: %w", topic, err)
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollRecords(ctx, b.cfg.MaxPollRecords)
		if ctx.Err() != nil {
			break
		}
		fs.EachError(func(t string, p int32, err error) {
			log.Warn("bus fetch", "partition", p, "err", err)
		})
		fs.EachRecord(func(rec *kgo.Record) {
			if err := r.ApplyWatchlistRecord(rec.Partition, rec.Offset, rec.Value); err != nil {
				log.Warn("watch-list op skipped", "position", position(rec), "err", err)
			}
		})
	}
	return nil
}

// partitions returns the partitions of topic, asking the brokers until
// they know it or ctx ends.
func (b *Bus) partitions(ctx context.Context, topic string) ([]int32, error) {
	for {
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		resp, err := req.RequestWith(ctx, b.prod)
		if err == nil && len(resp.Topics) == 1 {
			err = kerr.ErrorForCode(resp.Topics[0].ErrorCode)
			if err == nil && len(resp.Topics[0].Partitions) > 0 {
				out := make([]int32, 0, len(resp.Topics[0].Partitions))
				for _, p := range resp.Topics[0].Partitions {
					out = append(out, p.Partition)
				}
				return out, nil
			}
		}
		b.log.Warn("partitions of the watch-list topic; asking again", "topic", topic, "err", err)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(metadataWait):
		}
	}
}

// createWatchlistsTopic creates <prefix>.watchlists with the configured
// partitions, with deletion by retention and never compaction: its
// records are operations (an increment), not states, so keeping only the
// last record of a key would lose writes.
func (b *Bus) createWatchlistsTopic(ctx context.Context) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(b.cfg.DialTimeout.D().Milliseconds())
	t := kmsg.NewCreateTopicsRequestTopic()
	t.Topic = b.WatchlistsTopic()
	t.NumPartitions = int32(b.cfg.Partitions)
	t.ReplicationFactor = -1
	if b.cfg.ReplicationFactor > 0 {
		t.ReplicationFactor = int16(b.cfg.ReplicationFactor)
	}
	c := kmsg.NewCreateTopicsRequestTopicConfig()
	c.Name, c.Value = "cleanup.policy", kmsg.StringPtr("delete")
	t.Configs = append(t.Configs, c)
	req.Topics = append(req.Topics, t)
	resp, err := req.RequestWith(ctx, b.prod)
	if err != nil {
		return fmt.Errorf("create topic %s: %w", t.Topic, err)
	}
	for _, rt := range resp.Topics {
		if err := kerr.ErrorForCode(rt.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("create topic %s: %w", rt.Topic, err)
		}
	}
	return nil
}
