package response

import (
	"context"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/kafkaconn"
)

// kafkaProducer publishes jobs to a topic with franz-go. The client is
// made once and kept: it connects lazily and reconnects by itself.
type kafkaProducer struct {
	client *kgo.Client
	topic  string
}

func newKafka(c *config.KafkaResponse, timeout time.Duration) (*kafkaProducer, error) {
	// The connection (brokers, TLS, SASL) is the Kafka output's and source's.
	conn := kafkaconn.Conn{Brokers: c.Brokers, ClientID: c.ClientID, TLS: c.TLS, SASL: kafkaconn.SASL{Mechanism: c.SASL.Mechanism,
		Username: c.SASL.Username, Password: string(c.SASL.Password), PasswordFile: c.SASL.PasswordFile}}
	if err := conn.Validate(); err != nil {
		return nil, err
	}
	opts, err := conn.Options()
	if err != nil {
		return nil, err
	}
	opts = append(opts,
		kgo.DefaultProduceTopic(c.Topic),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerLinger(0), // one record per job: nothing to wait for
		// franz-go takes no delivery timeout under a second; the attempt's
		// context still bounds each produce.
		kgo.RecordDeliveryTimeout(max(timeout, time.Second)),
	)
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
