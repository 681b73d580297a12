package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/config"
)

// Topic suffixes.
const (
	topicEvents = "events"
	topicAlerts = "alerts"
)

// Bus is a connection to the bus: a producer, and the settings consumers
// are made from (each ConsumeEvents or ConsumeAlerts has its own client,
// since a client belongs to one consumer group).
type Bus struct {
	cfg  KafkaConfig
	opts []kgo.Opt
	prod *kgo.Client
	log  *slog.Logger
	met  *metrics
}

// Open connects to the bus of cfg (bus.kafka) and creates its topics when
// they do not exist; a broker that cannot be reached only delays that (a
// warning: publishing waits for the brokers anyway).
func Open(ctx context.Context, cfg config.Bus, log *slog.Logger) (*Bus, error) {
	kc, ok := cfg.Kafka.BusConfig.(*KafkaConfig)
	if !ok {
		return nil, errors.New("open bus: no bus.kafka configured")
	}
	if log == nil {
		log = slog.Default()
	}
	opts, err := kc.Conn.Options()
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	prod, err := kgo.NewClient(append(opts[:len(opts):len(opts)],
		kgo.ProducerBatchMaxBytes(int32(kc.MaxMessageBytes)),
		kgo.ProducerLinger(0), // callers hand whole batches; ProduceSync flushes at once
		kgo.RequiredAcks(kgo.AllISRAcks()))...)
	if err != nil {
		return nil, fmt.Errorf("open bus: %w", err)
	}
	b := &Bus{cfg: *kc, opts: opts, prod: prod, log: log.With("bus", "kafka"), met: newMetrics()}
	cctx, cancel := context.WithTimeout(ctx, 2*kc.DialTimeout.D())
	defer cancel()
	if err := b.createTopics(cctx, kc.Partitions, []string{b.EventsTopic(), b.AlertsTopic()}); err != nil {
		b.log.Warn("create bus topics; they must exist or be created by the brokers", "err", err)
	}
	return b, nil
}

// EventsTopic is <prefix>.events.
func (b *Bus) EventsTopic() string { return b.cfg.TopicPrefix + "." + topicEvents }

// AlertsTopic is <prefix>.alerts.
func (b *Bus) AlertsTopic() string { return b.cfg.TopicPrefix + "." + topicAlerts }

// Group is the consumer group of a role: <prefix>.<role> (vigil.store,
// vigil.detect).
func (b *Bus) Group(role string) string { return b.cfg.TopicPrefix + "." + role }

// Close flushes nothing (every publish waited for its acknowledgement) and
// closes the producer.
func (b *Bus) Close() { b.prod.Close() }

// createTopics creates topics with the given partitions; a topic that
// exists keeps its settings.
func (b *Bus) createTopics(ctx context.Context, partitions int, names []string) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(b.cfg.DialTimeout.D().Milliseconds())
	for _, name := range names {
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic = name
		t.NumPartitions = int32(partitions)
		t.ReplicationFactor = -1
		if b.cfg.ReplicationFactor > 0 {
			t.ReplicationFactor = int16(b.cfg.ReplicationFactor)
		}
		req.Topics = append(req.Topics, t)
	}
	resp, err := req.RequestWith(ctx, b.prod)
	if err != nil {
		return fmt.Errorf("create topics: %w", err)
	}
	var errs []error
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t.Topic, err))
		}
	}
	return errors.Join(errs...)
}
