// Package kafka owns the Kafka output: events produced to Kafka topics
// with franz-go's idempotent producer (acks from all in-sync replicas, no
// duplicates from the producer's own retries), topics and keys rendered
// per event from templates, TLS and SASL (PLAIN, SCRAM-SHA-256/512).
//
// Each record carries the event as its value (flat JSON by default, or the
// binary form other Vigil nodes read: see Encoding), the rendered key, and
// the headers event.id and vigil.tenant, so a consumer can drop a replayed
// duplicate without decoding the value. The ingest role publishing to
// Kafka for detect or forward nodes is this output with the binary
// encoding; internal/source/kafka reads it back.
//
// A batch counts as delivered once every record of it is acknowledged by
// the brokers. A record the brokers refuse for its content (too large, an
// invalid topic name after rendering) is refused on its own and dropped
// with a count; everything else (brokers down, leader moves, timeouts) is
// retried by the runner with backoff.
package kafka

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/kafkaconn"
)

// Encodings of the record value.
const (
	// EncodingJSON is the flat JSON object of event.AppendJSON: what other
	// tools read.
	EncodingJSON = "json"
	// EncodingBinary is event.AppendBinary: exact types, what Vigil's own
	// Kafka source reads fastest.
	EncodingBinary = "binary"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultTopic sends each tenant to its own topic.
	DefaultTopic = "vigil-events-{{tenant}}"
	// DefaultTimeout bounds how long a batch waits for the brokers before
	// the runner backs off and retries it: long enough for a leader
	// election (seconds), short enough that a dead cluster is reported.
	DefaultTimeout = 30 * time.Second
	// DefaultMaxMessageBytes is Kafka's default message.max.bytes (1 MB).
	DefaultMaxMessageBytes = 1_000_000
	// DefaultCompression: lz4 halves JSON events for little CPU, and
	// every Kafka since 0.10 and librdkafka read it.
	DefaultCompression = "lz4"
)

// Config is a "kafka" output in vigil.yaml.
type Config struct {
	config.OutputCommon `yaml:",inline"`
	kafkaconn.Conn      `yaml:",inline"`
	// Topic and Key are templates ({{tenant}}, {{host.name}}, any field;
	// see forward.Template). Default topic: vigil-events-{{tenant}};
	// default key: none (the producer spreads records over partitions).
	Topic string `yaml:"topic"`
	Key   string `yaml:"key"`
	// Encoding is json (default) or binary.
	Encoding string `yaml:"encoding"`
	// Compression is none, gzip, snappy, lz4 (default) or zstd.
	Compression string `yaml:"compression"`
	// Timeout bounds a batch's delivery attempt. Default: 30s.
	Timeout config.Duration `yaml:"timeout"`
	// MaxMessageBytes bounds a record batch, as the brokers'
	// message.max.bytes does. Default: 1000000.
	MaxMessageBytes config.ByteSize `yaml:"max_message_bytes"`
}

func init() {
	config.RegisterOutput("kafka", func() config.OutputConfig { return &Config{} })
}

// CommonOutput implements config.OutputConfig.
func (c *Config) CommonOutput() *config.OutputCommon { return &c.OutputCommon }

// Validate implements config.OutputConfig.
func (c *Config) Validate() error {
	if err := c.Conn.Validate(); err != nil {
		return err
	}
	if c.Topic == "" {
		c.Topic = DefaultTopic
	}
	if _, err := forward.ParseTemplate(c.Topic); err != nil {
		return fmt.Errorf("kafka: topic: %w", err)
	}
	if _, err := forward.ParseTemplate(c.Key); err != nil {
		return fmt.Errorf("kafka: key: %w", err)
	}
	switch c.Encoding {
	case "":
		c.Encoding = EncodingJSON
	case EncodingJSON, EncodingBinary:
	default:
		return fmt.Errorf("kafka: encoding %q: want json or binary", c.Encoding)
	}
	if c.Compression == "" {
		c.Compression = DefaultCompression
	}
	if _, err := codec(c.Compression); err != nil {
		return err
	}
	if c.Timeout == 0 {
		c.Timeout = config.Duration(DefaultTimeout)
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.Timeout < 0 || c.MaxMessageBytes < 1024 || c.MaxMessageBytes > 1<<30 {
		return errors.New("kafka: timeout must be positive and max_message_bytes between 1KiB and 1GiB")
	}
	return nil
}

func codec(name string) (kgo.CompressionCodec, error) {
	switch name {
	case "none":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("kafka: compression %q: want none, gzip, snappy, lz4 or zstd", name)
}

// NewOutput implements forward.Builder.
func (c *Config) NewOutput(env forward.BuildEnv) (forward.Output, error) { return New(*c, env) }

// Output produces events to Kafka.
type Output struct {
	cfg        Config
	cl         *kgo.Client
	topic, key *forward.Template
	binary     bool
	buf        []byte
	recs       []*kgo.Record
}

// New returns a Kafka output. It does not connect: the first Send does.
func New(cfg Config, env forward.BuildEnv) (*Output, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", env.Name, err)
	}
	opts, err := cfg.Conn.Options()
	if err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", env.Name, err)
	}
	cc, _ := codec(cfg.Compression)
	opts = append(opts,
		kgo.RequiredAcks(kgo.AllISRAcks()), // idempotence needs it; it is franz-go's default too
		kgo.ProducerBatchCompression(cc),
		kgo.ProducerBatchMaxBytes(int32(cfg.MaxMessageBytes)),
		kgo.RecordDeliveryTimeout(cfg.Timeout.D()),
		kgo.ProducerLinger(0), // the runner batches; ProduceSync flushes at once
		// Topics rendered from templates (per tenant) may not exist yet;
		// brokers with auto.create.topics.enable create them, others refuse.
		kgo.AllowAutoTopicCreation(),
	)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka output %s: %w", env.Name, err)
	}
	return &Output{cfg: cfg, cl: cl, topic: forward.MustParseTemplate(cfg.Topic), key: forward.MustParseTemplate(cfg.Key),
		binary: cfg.Encoding == EncodingBinary}, nil
}

// Send implements forward.Output: every event becomes one record; the call
// returns once the brokers acknowledged all of them.
func (o *Output) Send(ctx context.Context, b *forward.Batch) error {
	o.recs = o.recs[:0]
	o.buf = o.buf[:0]
	for _, e := range b.Events {
		r, err := o.record(e)
		if err != nil {
			return err
		}
		o.recs = append(o.recs, r)
	}
	ctx, cancel := context.WithTimeout(ctx, o.cfg.Timeout.D()+5*time.Second)
	defer cancel()
	res := o.cl.ProduceSync(ctx, o.recs...)
	var first error
	for _, r := range res {
		if r.Err == nil {
			continue
		}
		if permanent(r.Err) {
			return forward.Permanent(fmt.Errorf("produce to %s: %w", r.Record.Topic, r.Err))
		}
		if first == nil {
			first = fmt.Errorf("produce to %s: %w", r.Record.Topic, r.Err)
		}
	}
	return first
}

// record builds the record of one event; its bytes live in o.buf until
// the next Send.
func (o *Output) record(e *event.Event) (*kgo.Record, error) {
	start := len(o.buf)
	o.buf = o.topic.Append(o.buf, e)
	topic := sanitizeTopic(o.buf[start:])
	if topic == "" {
		return nil, forward.Permanent(fmt.Errorf("topic template %q renders empty for event %s", o.cfg.Topic, e.ID))
	}
	start = len(o.buf)
	var key []byte
	if o.cfg.Key != "" {
		o.buf = o.key.Append(o.buf, e)
		key = o.buf[start:len(o.buf):len(o.buf)]
	}
	start = len(o.buf)
	if o.binary {
		var err error
		if o.buf, err = e.AppendBinary(o.buf); err != nil {
			return nil, forward.Permanent(fmt.Errorf("encode event %s: %w", e.ID, err))
		}
	} else {
		o.buf = e.AppendJSON(o.buf)
	}
	value := o.buf[start:len(o.buf):len(o.buf)]
	tenant := e.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	return &kgo.Record{Topic: topic, Key: key, Value: value, Headers: []kgo.RecordHeader{
		{Key: event.FieldID, Value: []byte(e.ID)},
		{Key: event.FieldTenant, Value: []byte(tenant)},
	}}, nil
}

// sanitizeTopic makes a rendered topic a legal Kafka topic name: letters,
// digits, '.', '_' and '-' stay, every other byte becomes '_', at most 249
// bytes; "." and ".." are refused (empty).
func sanitizeTopic(b []byte) string {
	if len(b) > 249 {
		b = b[:249]
	}
	out := make([]byte, len(b))
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '_', c == '-':
			out[i] = c
		default:
			out[i] = '_'
		}
	}
	s := string(out)
	if s == "." || s == ".." {
		return ""
	}
	return s
}

// permanent reports whether the brokers refuse a record for its content.
func permanent(err error) bool {
	return errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) ||
		errors.Is(err, kerr.InvalidRecord) || errors.Is(err, kerr.InvalidTopicException) ||
		errors.Is(err, kerr.CorruptMessage)
}

// Close implements forward.Output.
func (o *Output) Close() error {
	o.cl.Close()
	return nil
}
