package bus

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/kafkaconn"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultTopicPrefix names the topics vigil.events and vigil.alerts.
	DefaultTopicPrefix = "vigil"
	// DefaultPartitions is the partitions of a topic the bus creates:
	// enough for 12 consumers of a group to share it (a topic that exists
	// keeps its own count).
	DefaultPartitions = 12
	// DefaultMaxPollRecords matches the pipeline's batch of 1000.
	DefaultMaxPollRecords = 1000
	// DefaultSessionTimeout is how long a consumer that stopped
	// heartbeating (a node killed) keeps its partitions before the group
	// gives them to the others: 10s rather than Kafka's 45s, so a store or
	// detect node that dies is replaced within seconds; above the
	// brokers' default group.min.session.timeout.ms (6s), and 3
	// heartbeats (every 3s) long, so one slow heartbeat is not a death.
	DefaultSessionTimeout = 10 * time.Second
	// DefaultPublishTimeout bounds how long a publish waits for the
	// brokers before it fails: the pipeline then refuses the batch and
	// the source keeps it (an HTTP sender gets 503 and sends again), so
	// brokers that are down hold no worker for ever; 30s rides out a
	// partition leader moving.
	DefaultPublishTimeout = 30 * time.Second
	// DefaultMaxMessageBytes is Kafka's default max.message.bytes (1 MB):
	// a produce batch larger than that is refused by a default broker.
	DefaultMaxMessageBytes = 1_000_000
	// DefaultStoreBatchRows is the rows the store role gathers from
	// several polls into one backend write: ClickHouse pays 4–7× more CPU
	// per event for 1,000-row inserts than for 10,000-row ones
	// (docs/scale-out.md figure 5a).
	DefaultStoreBatchRows = 10_000
	// MaxStoreBatchRows bounds the events a store node holds decoded in
	// memory for one write (about 1 KB each: some 100 MB).
	MaxStoreBatchRows = 100_000
	// DefaultStoreBatchLinger is how long a store batch waits for more
	// polls after its first record: short against the seconds an event
	// takes to become searchable anyway, long enough to gather 10,000
	// events at some 50,000 events per second and above.
	DefaultStoreBatchLinger = 200 * time.Millisecond
	// MaxStoreBatchLinger bounds that wait: rebalances wait for it
	// (gather.go), and events are not searchable while gathered.
	MaxStoreBatchLinger = 10 * time.Second
)

// topicPrefix is what Kafka allows in a topic name, less the room the
// suffixes take (a topic name is at most 249 characters).
var topicPrefix = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,200}$`)

// KafkaConfig is bus.kafka in vigil.yaml.
type KafkaConfig struct {
	kafkaconn.Conn `yaml:",inline"`
	// TopicPrefix names the topics: <prefix>.events, <prefix>.alerts.
	// Default: vigil.
	TopicPrefix string `yaml:"topic_prefix"`
	// Partitions is the partition count of a topic the bus creates at
	// start when it does not exist. Default: 12.
	Partitions int `yaml:"partitions"`
	// ReplicationFactor of a topic the bus creates; 0 (default) is the
	// brokers' default.
	ReplicationFactor int `yaml:"replication_factor"`
	// MaxPollRecords bounds a consumer's batch. Default: 1000.
	MaxPollRecords int `yaml:"max_poll_records"`
	// MaxMessageBytes bounds a produce batch. Default: 1000000.
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// PublishTimeout bounds how long a publish waits for the brokers'
	// acknowledgement. Default: 30s.
	PublishTimeout config.Duration `yaml:"publish_timeout"`
	// SessionTimeout is how long a consumer that stopped heartbeating
	// keeps its partitions. Default: 10s.
	SessionTimeout config.Duration `yaml:"session_timeout"`
	// StoreBatchRows is the most events the store role gathers from
	// several polls into one backend write. Default: 10000.
	StoreBatchRows int `yaml:"store_batch_rows"`
	// StoreBatchLinger is how long a store batch waits for more polls
	// after its first event. Default: 200ms.
	StoreBatchLinger config.Duration `yaml:"store_batch_linger"`
}

func init() {
	config.RegisterBus("kafka", func() config.BusConfig { return &KafkaConfig{} })
}

// Prefix implements config.BusConfig.
func (c *KafkaConfig) Prefix() string { return c.TopicPrefix }

// Validate implements config.BusConfig.
func (c *KafkaConfig) Validate() error {
	if err := c.Conn.Validate(); err != nil {
		return err
	}
	if c.TopicPrefix == "" {
		c.TopicPrefix = DefaultTopicPrefix
	}
	if !topicPrefix.MatchString(c.TopicPrefix) {
		return fmt.Errorf("topic_prefix %q: want 1 to 200 letters, digits, '.', '_' and '-'", c.TopicPrefix)
	}
	if c.Partitions == 0 {
		c.Partitions = DefaultPartitions
	}
	if c.MaxPollRecords == 0 {
		c.MaxPollRecords = DefaultMaxPollRecords
	}
	if c.MaxMessageBytes == 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.PublishTimeout == 0 {
		c.PublishTimeout = config.Duration(DefaultPublishTimeout)
	}
	if c.SessionTimeout == 0 {
		c.SessionTimeout = config.Duration(DefaultSessionTimeout)
	}
	if c.StoreBatchRows == 0 {
		c.StoreBatchRows = DefaultStoreBatchRows
	}
	if c.StoreBatchLinger == 0 {
		c.StoreBatchLinger = config.Duration(DefaultStoreBatchLinger)
	}
	if c.StoreBatchRows < 1 || c.StoreBatchRows > MaxStoreBatchRows {
		return fmt.Errorf("store_batch_rows %d: want 1 to %d", c.StoreBatchRows, MaxStoreBatchRows)
	}
	if c.StoreBatchLinger < 0 || c.StoreBatchLinger.D() > MaxStoreBatchLinger {
		return fmt.Errorf("store_batch_linger %s: want 0 to %s", c.StoreBatchLinger.D(), MaxStoreBatchLinger)
	}
	if c.Partitions < 0 || c.ReplicationFactor < 0 || c.MaxPollRecords < 0 || c.MaxMessageBytes < 0 || c.SessionTimeout < 0 || c.PublishTimeout < 0 {
		return errors.New("partitions, replication_factor, max_poll_records, max_message_bytes, publish_timeout and session_timeout must not be negative")
	}
	return nil
}
