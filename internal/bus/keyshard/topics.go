package keyshard

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// CreateTopics creates the keyed topic and its state topic when they do
// not exist, both with partitions partitions (the state topic compacted
// and taking records of MaxStateRecord, docs/format/correlation-shard.md);
// replication 0 is the brokers' default. A topic that exists keeps its
// settings.
func CreateTopics(ctx context.Context, cl *kgo.Client, topic, stateTopic string, partitions, replication int) error {
	req := kmsg.NewPtrCreateTopicsRequest()
	if dl, ok := ctx.Deadline(); ok {
		req.TimeoutMillis = int32(min(max(timeUntil(dl), 1), 60_000))
	}
	for _, name := range []string{topic, stateTopic} {
		t := kmsg.NewCreateTopicsRequestTopic()
		t.Topic, t.NumPartitions, t.ReplicationFactor = name, int32(partitions), -1
		if replication > 0 {
			t.ReplicationFactor = int16(replication)
		}
		if name == stateTopic {
			for k, v := range map[string]string{"cleanup.policy": "compact",
				"max.message.bytes": strconv.Itoa(MaxStateRecord + 1<<20)} {
				c := kmsg.NewCreateTopicsRequestTopicConfig()
				c.Name, c.Value = k, kmsg.StringPtr(v)
				t.Configs = append(t.Configs, c)
			}
		}
		req.Topics = append(req.Topics, t)
	}
	resp, err := req.RequestWith(ctx, cl)
	if err != nil {
		return fmt.Errorf("create topics %s and %s: %w", topic, stateTopic, err)
	}
	var errs []error
	for _, t := range resp.Topics {
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			errs = append(errs, fmt.Errorf("create topic %s: %w", t.Topic, err))
		}
	}
	return errors.Join(errs...)
}

// timeUntil is the milliseconds until dl.
func timeUntil(dl time.Time) int64 { return time.Until(dl).Milliseconds() }
