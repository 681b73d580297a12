package response

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/vigilsiem/vigil/internal/config"
)

// kafkaProducer publishes jobs to a topic with franz-go. The client is
// made once and kept: it connects lazily and reconnects by itself.
type kafkaProducer struct {
	client *kgo.Client
	topic  string
}

func newKafka(c *config.KafkaResponse, timeout time.Duration) (*kafkaProducer, error) {
	opts := []kgo.Opt{
		kgo.SeedBrokers(c.Brokers...),
		kgo.DefaultProduceTopic(c.Topic),
		kgo.ClientID(c.ClientID),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0), // one record per job: nothing to wait for
		// franz-go takes no delivery timeout under a second; the attempt's
		// context still bounds each produce.
		kgo.RecordDeliveryTimeout(max(timeout, time.Second)),
	}
	tlsCfg, err := c.TLS.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	if tlsCfg != nil {
		opts = append(opts, kgo.DialTLSConfig(tlsCfg))
	}
	if m := c.SASL.Mechanism; m != "" {
		pass := string(c.SASL.Password)
		if c.SASL.PasswordFile != "" {
			b, err := os.ReadFile(c.SASL.PasswordFile)
			if err != nil {
				return nil, fmt.Errorf("kafka: read sasl password_file: %w", err)
			}
			pass = strings.TrimSpace(string(b))
		}
		switch m {
		case "plain":
			opts = append(opts, kgo.SASL(plain.Auth{User: c.SASL.Username, Pass: pass}.AsMechanism()))
		case "scram-sha-256":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: pass}.AsSha256Mechanism()))
		case "scram-sha-512":
			opts = append(opts, kgo.SASL(scram.Auth{User: c.SASL.Username, Pass: pass}.AsSha512Mechanism()))
		}
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("kafka: %w", err)
	}
	return &kafkaProducer{client: cl, topic: c.Topic}, nil
}

func (k *kafkaProducer) do(ctx context.Context, j *job) result {
	rec := &kgo.Record{Key: []byte(j.subject), Value: j.body, Headers: []kgo.RecordHeader{
		{Key: "vigil-kind", Value: []byte(j.kind)},
		{Key: "vigil-tenant", Value: []byte(j.tenant)},
		{Key: "vigil-delivery", Value: []byte(j.delivery)},
	}}
	r, err := k.client.ProduceSync(ctx, rec).First()
	if err != nil {
		return result{err: fmt.Errorf("kafka produce to %s: %w", k.topic, err), retry: true}
	}
	return result{detail: fmt.Sprintf("topic %s partition %d offset %d", r.Topic, r.Partition, r.Offset)}
}

func (k *kafkaProducer) close() error {
	k.client.Close()
	return nil
}
