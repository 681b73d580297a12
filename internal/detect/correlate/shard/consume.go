package shard

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// ConsumerConfig configures a Consumer.
type ConsumerConfig struct {
	// Brokers are the seed brokers; Opts add to the client (TLS, SASL,
	// session timeouts).
	Brokers []string
	Opts    []kgo.Opt
	// Topic is the topic consumed (the events); Group the consumer group
	// of the detect nodes on it.
	Topic, Group string
	// TransactionalID names this node's transactional producer: unique
	// per node, and the same across restarts of a node, so that a
	// restarted node fences the transaction its killed process left open
	// instead of waiting for TransactionTimeout.
	TransactionalID string
	// TransactionTimeout is how long the brokers wait before aborting the
	// open transaction of a member that died; meanwhile the records
	// produced after it in the same partitions are not readable by
	// read-committed consumers (the Owner). Zero means
	// DefaultTransactionTimeout.
	TransactionTimeout time.Duration
	// MaxPollRecords bounds the records of one transaction; zero means
	// DefaultMaxPollRecords.
	MaxPollRecords int
	// Process handles the records of one poll inside a transaction: what
	// it produces through Transaction(ctx) (routed hits, alerts) is
	// committed together with the records' offsets, or aborted with them
	// when Process returns an error, and the records are then polled
	// again.
	Process func(ctx context.Context, recs []*kgo.Record) error
	Logger  *slog.Logger
}

// Consumer reads a topic in a consumer group and runs each poll's records
// through Process in a Kafka transaction, so that what Process produces
// and the offsets of the records it came from are committed together:
// exactly once from events to hits. A member killed in the middle of a
// batch leaves an open transaction that the brokers abort (its hits are
// never read by the Owner, which reads committed records only); the next
// member of the group reads the batch again from the last committed
// offsets and produces its hits anew.
type Consumer struct {
	cfg  ConsumerConfig
	sess *kgo.GroupTransactSession
	log  *slog.Logger
}

// txKey is the context key of the transactional client during Process.
type txKey struct{}

// Transaction returns the client to produce with inside Process's
// transaction, or nil when ctx is not a Process context.
func Transaction(ctx context.Context) *kgo.Client {
	cl, _ := ctx.Value(txKey{}).(*kgo.Client)
	return cl
}

// NewConsumer joins the group (the join completes in Run's polls).
func NewConsumer(cfg ConsumerConfig) (*Consumer, error) {
	if cfg.Topic == "" || cfg.Group == "" || cfg.TransactionalID == "" || cfg.Process == nil {
		return nil, errors.New("correlation shard consumer: topic, group, transactional id and Process are required")
	}
	if cfg.TransactionTimeout <= 0 {
		cfg.TransactionTimeout = DefaultTransactionTimeout
	}
	if cfg.MaxPollRecords <= 0 {
		cfg.MaxPollRecords = DefaultMaxPollRecords
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	opts := append([]kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.Topic),
		kgo.TransactionalID(cfg.TransactionalID),
		kgo.TransactionTimeout(cfg.TransactionTimeout),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()),
		// hits go to their key's partition (Router), alerts too
		kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)),
	}, cfg.Opts...)
	sess, err := kgo.NewGroupTransactSession(opts...)
	if err != nil {
		return nil, fmt.Errorf("correlation shard consumer: %w", err)
	}
	return &Consumer{cfg: cfg, sess: sess, log: cfg.Logger.With("component", "detect-consumer")}, nil
}

// Client is the transactional client: give it to NewRouter. Produce with
// it only inside Process.
func (c *Consumer) Client() *kgo.Client { return c.sess.Client() }

// Close leaves the group and closes the client, for a Consumer that is
// never Run (Run closes it when it returns).
func (c *Consumer) Close() { c.sess.Close() }

// Run polls and processes until ctx ends, then leaves the group. An error
// is one the transactional producer cannot go on from (it is fenced, or
// the brokers refused to end a transaction): the caller makes a new
// Consumer.
func (c *Consumer) Run(ctx context.Context) error {
	defer c.sess.Close()
	for ctx.Err() == nil {
		fs := c.sess.PollRecords(ctx, c.cfg.MaxPollRecords)
		if fs.IsClientClosed() || ctx.Err() != nil {
			return nil
		}
		for _, fe := range fs.Errors() {
			c.log.Warn("poll", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
		}
		recs := fs.Records()
		if len(recs) == 0 {
			continue
		}
		if err := c.sess.Begin(); err != nil {
			return fmt.Errorf("begin transaction: %w", err)
		}
		perr := c.cfg.Process(context.WithValue(ctx, txKey{}, c.sess.Client()), recs)
		if perr != nil {
			c.log.Warn("process records; their transaction is aborted and they are read again", "records", len(recs), "err", perr)
		}
		committed, err := c.sess.End(ctx, kgo.TransactionEndTry(perr == nil))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("end transaction: %w", err)
		}
		if !committed && perr != nil {
			// a failure that persists (brokers down) is not retried in a
			// tight loop
			select {
			case <-ctx.Done():
			case <-time.After(retryBackoff):
			}
		}
	}
	return nil
}
