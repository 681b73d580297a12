package keyshard

import (
	"context"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

const (
	hitTopic   = "t.keyed"
	stateTopic = "t.state"
)

// TestCreateTopics: both topics are created with the partitions asked,
// the state topic compacted; a second call finds them and succeeds.
func TestCreateTopics(t *testing.T) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	for range 2 {
		if err := CreateTopics(context.Background(), cl, hitTopic, stateTopic, 5, 0); err != nil {
			t.Fatal(err)
		}
	}
	meta := kmsg.NewPtrMetadataRequest()
	for _, name := range []string{hitTopic, stateTopic} {
		mt := kmsg.NewMetadataRequestTopic()
		mt.Topic = kmsg.StringPtr(name)
		meta.Topics = append(meta.Topics, mt)
	}
	mr, err := meta.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range mr.Topics {
		if n := len(mt.Partitions); n != 5 {
			t.Errorf("%s has %d partitions, want 5", *mt.Topic, n)
		}
	}
	dc := kmsg.NewPtrDescribeConfigsRequest()
	r := kmsg.NewDescribeConfigsRequestResource()
	r.ResourceType, r.ResourceName = kmsg.ConfigResourceTypeTopic, stateTopic
	dc.Resources = append(dc.Resources, r)
	dr, err := dc.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	policy := ""
	for _, res := range dr.Resources {
		for _, c := range res.Configs {
			if c.Name == "cleanup.policy" && c.Value != nil {
				policy = *c.Value
			}
		}
	}
	if policy != "compact" {
		t.Errorf("state topic cleanup.policy %q, want compact", policy)
	}
}
