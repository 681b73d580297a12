// Package nats owns the NATS JetStream source: normalised events read from
// a JetStream stream through a durable pull consumer, the other input of
// `vigil serve --role forward` (DESIGN §8).
//
// Each message's data is one event, binary (event.AppendBinary) or flat
// JSON (event.AppendJSON), told apart as the Kafka source does (Encoding
// auto). Whose envelope it has is trust_envelope, as for the Kafka source
// (busrecord.Envelope): off by default, so the source's tenant and name and an
// id made from the stream and its sequence number; on, the tenant, source
// and id the event carries, its tenant checked. Data that decodes as
// neither goes into the pipeline as a raw record (format json), to be
// parsed or dead-lettered.
//
// Messages are acknowledged only once the pipeline acknowledged the batch
// (its sinks, the routes' durable queues included, have it). A message not
// acknowledged within the consumer's AckWait (or whose acknowledgement was
// lost) is delivered again: at least once, duplicates carrying the same
// event.id.
package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/busrecord"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultBatch matches the pipeline's batch of 1000.
	DefaultBatch = 1000
	// DefaultAckWait leaves a batch a minute to become durable before the
	// server delivers it again: far above a batch's fsyncs, short enough
	// that a crashed node's messages go to another soon.
	DefaultAckWait = time.Minute
	// fetchWait is how long one fetch waits for messages: short, so a
	// trickle is not held back and a stop is noticed.
	fetchWait = time.Second
	retryWait = 500 * time.Millisecond
)

// Config is a "nats" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	// URL is the server (nats://host:4222; several separated by commas).
	URL string `yaml:"url"`
	// Stream is the JetStream stream to read; it must exist.
	Stream string `yaml:"stream"`
	// Subject filters the stream's subjects; empty takes all.
	Subject string `yaml:"subject"`
	// Consumer is the durable consumer's name. Default: vigil-<source name>.
	Consumer string `yaml:"consumer"`
	// Encoding is auto (default), json or binary.
	Encoding string `yaml:"encoding"`
	// Batch bounds the messages fetched at once. Default: 1000.
	Batch int `yaml:"batch"`
	// TrustEnvelope keeps the tenant, source and event.id each event
	// carries (events of other Vigil nodes). Default false: the source's
	// tenant and name, whatever the message says.
	TrustEnvelope bool `yaml:"trust_envelope"`
	// AckWait is how long the server waits for an acknowledgement before
	// delivering a message again. Default: 1m.
	AckWait config.Duration `yaml:"ack_wait"`
	// Credentials: a user and password, a token, or a .creds file.
	User      string           `yaml:"user"`
	Password  string           `yaml:"password"`
	Token     string           `yaml:"token"`
	CredsFile string           `yaml:"creds_file"`
	TLS       config.ClientTLS `yaml:"tls"`
}

func init() {
	config.RegisterSource("nats", func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// ReadsBus implements config.BusReader: the source runs on every role.
func (c *Config) ReadsBus() bool { return true }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if c.URL == "" {
		c.URL = natsgo.DefaultURL
	}
	if c.Stream == "" {
		return errors.New("nats: stream is required")
	}
	if strings.ContainsAny(c.Stream, " .*>") {
		return fmt.Errorf("nats: stream %q: a stream name has no spaces, '.', '*' or '>'", c.Stream)
	}
	if c.Consumer == "" {
		c.Consumer = "vigil-" + c.Name
	}
	switch c.Encoding {
	case "":
		c.Encoding = busrecord.EncodingAuto
	case busrecord.EncodingAuto, busrecord.EncodingJSON, busrecord.EncodingBinary:
	default:
		return fmt.Errorf("nats: encoding %q: want auto, json or binary", c.Encoding)
	}
	if c.Batch == 0 {
		c.Batch = DefaultBatch
	}
	if c.AckWait == 0 {
		c.AckWait = config.Duration(DefaultAckWait)
	}
	if c.Batch < 0 || c.AckWait < 0 {
		return errors.New("nats: batch and ack_wait must be positive")
	}
	if (c.User == "") != (c.Password == "") {
		return errors.New("nats: user and password must be set together")
	}
	return c.TLS.Validate()
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) { return New(*c, env) }

// Source reads events from a JetStream stream.
type Source struct {
	cfg Config
	tel *pipeline.Telemetry
	log *slog.Logger
}

// New returns a NATS source; Run connects.
func New(cfg Config, env config.SourceEnv) (*Source, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("nats source %s: %w", cfg.Name, err)
	}
	if err := cfg.CheckTenant(); err != nil {
		return nil, err
	}
	s := &Source{cfg: cfg, tel: env.Metrics.Component("source", cfg.Name), log: env.Logger}
	if s.log == nil {
		s.log = slog.Default()
	}
	s.log = s.log.With("source", cfg.Name)
	return s, nil
}

// Name implements pipeline.Source.
func (s *Source) Name() string { return s.cfg.Name }

func (s *Source) connect() (*natsgo.Conn, error) {
	opts := []natsgo.Option{natsgo.Name("vigil " + s.cfg.Name), natsgo.MaxReconnects(-1)}
	if s.cfg.User != "" {
		opts = append(opts, natsgo.UserInfo(s.cfg.User, s.cfg.Password))
	}
	if s.cfg.Token != "" {
		opts = append(opts, natsgo.Token(s.cfg.Token))
	}
	if s.cfg.CredsFile != "" {
		opts = append(opts, natsgo.UserCredentials(s.cfg.CredsFile))
	}
	tc, err := s.cfg.TLS.ClientConfig()
	if err != nil {
		return nil, err
	}
	if tc != nil {
		opts = append(opts, natsgo.Secure(tc))
	}
	return natsgo.Connect(s.cfg.URL, opts...)
}

// Run implements pipeline.Source: it connects (retrying while the server
// is unreachable), then fetches, submits, waits for the acknowledgement
// and acknowledges the messages, until ctx ends.
func (s *Source) Run(ctx context.Context, in pipeline.Input) error {
	wait := retryWait
	for ctx.Err() == nil {
		err := s.run(ctx, in)
		if ctx.Err() != nil {
			break
		}
		s.tel.Errors.Inc()
		s.log.Warn("nats consumer failed; reconnecting", "retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
		wait = min(2*wait, time.Minute)
	}
	return nil
}

func (s *Source) run(ctx context.Context, in pipeline.Input) error {
	nc, err := s.connect()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	cons, err := js.CreateOrUpdateConsumer(ctx, s.cfg.Stream, jetstream.ConsumerConfig{
		Durable:       s.cfg.Consumer,
		AckPolicy:     jetstream.AckExplicitPolicy,
		DeliverPolicy: jetstream.DeliverAllPolicy,
		FilterSubject: s.cfg.Subject,
		AckWait:       s.cfg.AckWait.D(),
		MaxAckPending: max(4*s.cfg.Batch, 1000),
	})
	if err != nil {
		return fmt.Errorf("consumer %s on stream %s: %w", s.cfg.Consumer, s.cfg.Stream, err)
	}
	for ctx.Err() == nil {
		mb, err := cons.Fetch(s.cfg.Batch, jetstream.FetchMaxWait(fetchWait))
		if err != nil {
			return fmt.Errorf("fetch: %w", err)
		}
		var msgs []jetstream.Msg
		for m := range mb.Messages() {
			msgs = append(msgs, m)
		}
		if err := mb.Error(); err != nil && !errors.Is(err, natsgo.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) {
			if len(msgs) == 0 {
				return fmt.Errorf("fetch: %w", err)
			}
			s.log.Warn("fetch ended early", "messages", len(msgs), "err", err)
		}
		if len(msgs) == 0 {
			continue
		}
		if err := s.submit(ctx, in, msgs); err != nil {
			return nil // ctx ended; unacknowledged messages are delivered again
		}
		for _, m := range msgs {
			if err := m.Ack(); err != nil {
				s.tel.Errors.Inc()
				s.log.Warn("ack; the message will be delivered again", "err", err)
			}
		}
	}
	return nil
}

func (s *Source) submit(ctx context.Context, in pipeline.Input, msgs []jetstream.Msg) error {
	wait := retryWait
	for {
		b := s.batch(msgs)
		err := pipeline.SubmitWait(ctx, in, b)
		if err == nil {
			s.tel.Sent.Add(float64(b.Len()))
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.tel.Errors.Inc()
		s.log.Warn("pipeline refused a batch; retrying", "messages", len(msgs), "retry_in", wait, "err", err)
		// Keep the server from delivering them elsewhere meanwhile.
		for _, m := range msgs {
			_ = m.InProgress()
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, time.Minute)
	}
}

func (s *Source) batch(msgs []jetstream.Msg) *pipeline.Batch {
	b := &pipeline.Batch{Tenant: s.cfg.Tenant, Source: s.cfg.Name, Format: "json", Received: time.Now(),
		Carried: s.cfg.TrustEnvelope}
	for _, m := range msgs {
		data := m.Data()
		s.tel.Received.Inc()
		s.tel.ReceivedBytes.Add(float64(len(data)))
		pos := s.cfg.Stream
		if md, err := m.Metadata(); err == nil {
			pos += ":" + strconv.FormatUint(md.Sequence.Stream, 10)
		}
		e, err := busrecord.Decode(data, s.cfg.Encoding)
		if err != nil {
			b.Records = append(b.Records, pipeline.Record{Data: append([]byte(nil), data...), Position: pos})
			continue
		}
		busrecord.Envelope(e, s.cfg.TrustEnvelope, s.cfg.Tenant, s.cfg.Name, pos, data)
		b.Events = append(b.Events, e)
	}
	return b
}
