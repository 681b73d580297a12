// Package kafka owns the Kafka source: normalised events read from Kafka
// topics with a consumer group, the input of `vigil serve --role forward`
// (and of detect nodes) in a distributed deployment (DESIGN §8).
//
// Each record's value is one event, in the binary form (event.AppendBinary,
// first byte 0x01) or as a flat JSON object (event.AppendJSON, first byte
// '{'); Encoding "auto" (the default) tells them apart by that byte, so the
// Kafka output of an ingest node feeds this source with either of its
// encodings. A value that decodes as neither goes into the pipeline as a raw
// record (format json) so it is parsed or dead-lettered, never dropped.
//
// Whose envelope an event has is the source's trust_envelope setting (see
// Envelope). Off, the default, a record is not trusted to choose its
// tenant: every event belongs to the source's tenant and name, with an id
// made from the topic, partition and offset. On — for the bus between Vigil
// nodes, where only ingest nodes can write (DESIGN §8) — an event keeps the
// tenant, source and event.id the ingest node gave it; a tenant that is not
// a valid name dead-letters the event in the source's tenant, so it can
// never reach the store or a queue.
//
// Offsets are committed only once the pipeline acknowledged the batch (its
// sinks, the routes' durable queues included, have it), so a crash reads
// the uncommitted records again: at least once, and the stable event.id
// lets the outputs' receivers drop the duplicates. Rebalances are blocked
// between a poll and its commit (franz-go's BlockRebalanceOnPoll), so a
// partition never moves with records in flight.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/kafkaconn"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/busrecord"
)

// Encodings of record values (see busrecord).
const (
	EncodingAuto   = busrecord.EncodingAuto
	EncodingJSON   = busrecord.EncodingJSON
	EncodingBinary = busrecord.EncodingBinary
)

// Defaults, with the reasoning behind them.
const (
	// DefaultMaxPollRecords matches the pipeline's batch of 1000.
	DefaultMaxPollRecords = 1000
	// retryWait is the first wait before a batch the pipeline refused is
	// submitted again (doubling to a minute): the pipeline refuses only
	// while a sink (a full disk, say) fails.
	retryWait = 500 * time.Millisecond
)

// Config is a "kafka" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	kafkaconn.Conn      `yaml:",inline"`
	// Topics to read; at least one.
	Topics []string `yaml:"topics"`
	// Group is the consumer group. Default: vigil-<source name>.
	Group string `yaml:"group"`
	// Encoding is auto (default), json or binary.
	Encoding string `yaml:"encoding"`
	// StartOffset is where a group without committed offsets starts:
	// earliest (default: nothing is skipped) or latest.
	StartOffset string `yaml:"start_offset"`
	// MaxPollRecords bounds a batch. Default: 1000.
	MaxPollRecords int `yaml:"max_poll_records"`
	// TrustEnvelope keeps the tenant, source and event.id each event
	// carries (events of other Vigil nodes). Default false: the source's
	// tenant and name, whatever the record says.
	TrustEnvelope bool `yaml:"trust_envelope"`
}

func init() {
	config.RegisterSource("kafka", func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// ReadsBus implements config.BusReader: the source runs on every role.
func (c *Config) ReadsBus() bool { return true }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if err := c.Conn.Validate(); err != nil {
		return err
	}
	if len(c.Topics) == 0 {
		return errors.New("kafka: topics: at least one is required")
	}
	if c.Group == "" {
		c.Group = "vigil-" + c.Name
	}
	switch c.Encoding {
	case "":
		c.Encoding = EncodingAuto
	case EncodingAuto, EncodingJSON, EncodingBinary:
	default:
		return fmt.Errorf("kafka: encoding %q: want auto, json or binary", c.Encoding)
	}
	switch c.StartOffset {
	case "":
		c.StartOffset = "earliest"
	case "earliest", "latest":
	default:
		return fmt.Errorf("kafka: start_offset %q: want earliest or latest", c.StartOffset)
	}
	if c.MaxPollRecords == 0 {
		c.MaxPollRecords = DefaultMaxPollRecords
	}
	if c.MaxPollRecords < 0 {
		return errors.New("kafka: max_poll_records must be positive")
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) { return New(*c, env) }

// Source reads events from Kafka.
type Source struct {
	cfg  Config
	opts []kgo.Opt
	tel  *pipeline.Telemetry
	log  *slog.Logger
	// committed counts the records whose offsets were committed; tests
	// wait on it.
	committed atomic.Int64
}

// New returns a Kafka source; Run connects.
func New(cfg Config, env config.SourceEnv) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka source %s: %w", cfg.Name, err)
	}
	if err := cfg.CheckTenant(); err != nil {
		return nil, err
	}
	opts, err := cfg.Conn.Options()
	if err != nil {
		return nil, fmt.Errorf("kafka source %s: %w", cfg.Name, err)
	}
	start := kgo.NewOffset().AtStart()
	if cfg.StartOffset == "latest" {
		start = kgo.NewOffset().AtEnd()
	}
	opts = append(opts, kgo.ConsumerGroup(cfg.Group), kgo.ConsumeTopics(cfg.Topics...), kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(), kgo.ConsumeResetOffset(start))
	s := &Source{cfg: cfg, opts: opts, tel: env.Metrics.Component("source", cfg.Name), log: env.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("source", cfg.Name)
	return s, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

// Run implements pipeline.Source: poll, submit, wait for the pipeline's
// acknowledgement, commit, until ctx ends.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	cl, err := kgo.NewClient(s.opts...)
	if err != nil {
		return fmt.Errorf("kafka source %s: %w", s.cfg.Name, err)
	}
	defer cl.Close()
	for ctx.Err() == nil {
		fs := cl.PollRecords(ctx, s.cfg.MaxPollRecords)
		if ctx.Err() != nil {
			break
		}
		fs.EachError(func(topic string, p int32, err error) {
			s.tel.Errors.Inc()
			s.log.Warn("kafka fetch", "topic", topic, "partition", p, "err", err)
		})
		recs := fs.Records()
		if len(recs) == 0 {
			cl.AllowRebalance()
			continue
		}
		if err := s.submit(ctx, in, recs); err != nil {
			break // ctx ended: nothing was committed, the records are read again
		}
		if err := cl.CommitRecords(ctx, recs...); err != nil {
			s.tel.Errors.Inc()
			s.log.Warn("commit offsets; the records will be read again", "err", err)
		} else {
			s.committed.Add(int64(len(recs)))
		}
		cl.AllowRebalance()
	}
	cl.AllowRebalance()
	return nil
}

// submit hands the records to the pipeline and waits until it
// acknowledged them, retrying while it refuses; it fails only when ctx ends.
func (s *Source) submit(ctx context.Context, in pipeline.Input, recs []*kgo.Record) error {
	wait := retryWait
	for {
		b := s.batch(recs)
		err := pipeline.SubmitWait(ctx, in, b)
		if err == nil {
			s.tel.Sent.Add(float64(b.Len()))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.tel.Errors.Inc()
		s.log.Warn("pipeline refused a batch; retrying", "records", len(recs), "retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Minute)
	}
}

// batch decodes the records into a fresh batch (the pipeline owns it).
func (s *Source) batch(recs []*kgo.Record) *pipeline.Batch {
	b := &pipeline.Batch{Tenant: s.cfg.Tenant, Source: s.cfg.Name, Format: "json", Received: time.Now(),
		Carried: s.cfg.TrustEnvelope}
	for _, r := range recs {
		s.tel.Received.Inc()
		s.tel.ReceivedBytes.Add(float64(len(r.Value)))
		pos := r.Topic + ":" + strconv.Itoa(int(r.Partition)) + ":" + strconv.FormatInt(r.Offset, 10)
		e, err := busrecord.Decode(r.Value, s.cfg.Encoding)
		if err != nil {
			b.Records = append(b.Records, pipeline.Record{Data: r.Value, Position: pos})
			continue
		}
		busrecord.Envelope(e, s.cfg.TrustEnvelope, s.cfg.Tenant, s.cfg.Name, pos, r.Value)
		b.Events = append(b.Events, e)
	}
	return b
}
