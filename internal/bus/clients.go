package bus

import (
	"context"
	"slices"

	"github.com/twmb/franz-go/pkg/kgo"
)

// What the parts that run their own Kafka clients on topics of their own
// (the correlation shards, internal/detect/correlate/shard: a hit topic
// keyed by group, a compacted state topic, with rebalance callbacks) take
// from the bus, so that they use its brokers, TLS and SASL and its topic
// names.

// Topic is <prefix>.<name> (Topic("correlation.hits")).
func (b *Bus) Topic(name string) string { return b.cfg.TopicPrefix + "." + name }

// Brokers are the seed brokers.
func (b *Bus) Brokers() []string { return slices.Clone(b.cfg.Brokers) }

// ClientOptions are the connection options of the bus (seed brokers,
// client id, dial timeout, TLS, SASL), for a client of one's own.
func (b *Bus) ClientOptions() []kgo.Opt { return slices.Clone(b.opts) }

// Producer is the bus's producer (acks from all in-sync replicas), to
// share rather than open another connection per broker.
func (b *Bus) Producer() *kgo.Client { return b.prod }

// CreateTopics creates topics with the given partitions (and the bus's
// replication factor) when they do not exist.
func (b *Bus) CreateTopics(ctx context.Context, partitions int, names ...string) error {
	return b.createTopics(ctx, partitions, names)
}
