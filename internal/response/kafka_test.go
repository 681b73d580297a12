package response

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl/scram"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestKafka(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []kfake.Opt
		sasl config.KafkaSASL
	}{
		{"plain", nil, config.KafkaSASL{}},
		{"scram", []kfake.Opt{kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "vigil", "pa55")},
			config.KafkaSASL{Mechanism: "scram-sha-256", Username: "vigil", Password: "pa55"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cluster, err := kfake.NewCluster(append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(2, "vigil.alerts")}, tc.opts...)...)
			if err != nil {
				t.Fatal(err)
			}
			defer cluster.Close()
			r := newRig(t, config.Response{Name: "bus", Type: "kafka", Retry: fastRetry(3), Timeout: config.Duration(10 * time.Second),
				Kafka: &config.KafkaResponse{Brokers: cluster.ListenAddrs(), Topic: "vigil.alerts", SASL: tc.sasl}})
			write(t, r.d, mkAlert("a1", "high"), mkAlert("a2", "critical"))
			recs := r.records(t, 2, RecordFilter{Outcome: OutcomeSuccess})
			copts := []kgo.Opt{kgo.SeedBrokers(cluster.ListenAddrs()...), kgo.ConsumeTopics("vigil.alerts"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart())}
			if tc.sasl.Mechanism != "" {
				copts = append(copts, kgo.SASL(scram.Auth{User: "vigil", Pass: "pa55"}.AsSha256Mechanism()))
			}
			consumer, err := kgo.NewClient(copts...)
			if err != nil {
				t.Fatal(err)
			}
			defer consumer.Close()
			got := map[string]*kgo.Record{}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for len(got) < 2 && ctx.Err() == nil {
				consumer.PollFetches(ctx).EachRecord(func(rec *kgo.Record) { got[string(rec.Key)] = rec })
			}
			for _, rec := range recs {
				k := got[rec.Subject]
				if k == nil {
					t.Fatalf("no record keyed %s in the topic", rec.Subject)
				}
				var e Envelope
				if err := json.Unmarshal(k.Value, &e); err != nil || e.Alert.ID != rec.Subject || e.Delivery != rec.Delivery {
					t.Errorf("value %s: %v", k.Value, err)
				}
				h := map[string]string{}
				for _, x := range k.Headers {
					h[x.Key] = string(x.Value)
				}
				if h["vigil-kind"] != "alert" || h["vigil-tenant"] != "acme" || h["vigil-delivery"] != rec.Delivery {
					t.Errorf("headers = %v", h)
				}
			}
		})
	}
}

// A broker that is not there: attempts fail, are retried and recorded.
func TestKafkaDown(t *testing.T) {
	r := newRig(t, config.Response{Name: "bus", Type: "kafka", Retry: fastRetry(2), Timeout: config.Duration(500 * time.Millisecond),
		Kafka: &config.KafkaResponse{Brokers: []string{"127.0.0.1:1"}, Topic: "vigil.alerts"}})
	write(t, r.d, mkAlert("a1", "high"))
	recs := r.records(t, 2, RecordFilter{})
	if recs[0].Outcome != OutcomeRetry || recs[1].Outcome != OutcomeFailure {
		t.Errorf("records = %+v", recs)
	}
}
