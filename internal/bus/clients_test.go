package bus

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestOwnTopics: a part with its own topic (the correlation shards)
// creates it through the bus with its partitions, writes with the bus's
// producer and reads with a client of its own on the bus's connection.
func TestOwnTopics(t *testing.T) {
	b, _ := openBus(t)
	ctx := context.Background()
	topic := b.Topic("correlation.hits")
	if topic != "test.correlation.hits" || len(b.Brokers()) != 1 {
		t.Fatalf("topic %q, brokers %v", topic, b.Brokers())
	}
	if err := b.CreateTopics(ctx, 3, topic); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateTopics(ctx, 3, topic); err != nil { // exists: fine
		t.Fatal(err)
	}
	req := kmsg.NewPtrMetadataRequest()
	rt := kmsg.NewMetadataRequestTopic()
	rt.Topic = kmsg.StringPtr(topic)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(ctx, b.Producer())
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 3 {
		t.Fatalf("metadata of %s: %+v", topic, resp.Topics)
	}
	if err := b.Producer().ProduceSync(ctx, &kgo.Record{Topic: topic, Key: []byte("k"), Value: []byte("hit")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(b.ClientOptions(), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	pctx, cancel := context.WithTimeout(ctx, testutil.WaitTimeout)
	defer cancel()
	var got string
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		cl.PollFetches(pctx).EachRecord(func(r *kgo.Record) { got = string(r.Value) })
		return got == "hit"
	}) {
		t.Fatalf("read %q", got)
	}
}
