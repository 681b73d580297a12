package kafka

import (
	"fmt"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
)

// BenchmarkKafka: events through the queue (fsync per batch of 1000) to
// the Kafka output, acknowledged by an in-process kfake broker (whose CPU
// the events/cpu-s figure includes).
//
//	go test ./internal/forward/kafka -run '^$' -bench Kafka -benchtime 200000x
func BenchmarkKafka(b *testing.B) {
	for _, enc := range []string{EncodingJSON, EncodingBinary} {
		b.Run(enc, func(b *testing.B) {
			c, err := kfake.NewCluster(kfake.AllowAutoTopicCreation(), kfake.DefaultNumPartitions(3))
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			forwardtest.BenchDelivery(b, fmt.Sprintf(`
outputs:
  - name: out
    type: kafka
    brokers: [%q]
    encoding: %s
    batch: {linger: 1ms}
routes:
  - outputs: [out]
`, c.ListenAddrs()[0], enc), nil)
		})
	}
}
