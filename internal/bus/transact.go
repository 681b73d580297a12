package bus

import (
	"encoding/json"
	"fmt"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// What a role that runs its own Kafka client needs from the bus: the
// detect role reads the events and writes its hits and alerts in Kafka
// transactions (internal/detect/correlate/shard.Consumer), so that a
// batch's offsets commit with what it produced.

// Kafka returns bus.kafka as validated (prefix, partitions, limits).
func (b *Bus) Kafka() KafkaConfig { return b.cfg }

// DecodeEvents reads event records as ConsumeEvents does: the events, and
// a dead letter for each record that cannot be decoded.
func DecodeEvents(recs []*kgo.Record) ([]*event.Event, []pipeline.DeadLetter) {
	events := make([]*event.Event, 0, len(recs))
	var dead []pipeline.DeadLetter
	for _, r := range recs {
		e, err := decodeEvent(r)
		if err != nil {
			dead = append(dead, deadLetter(r, "binary", err))
			continue
		}
		events = append(events, e)
	}
	return events, dead
}

// AlertRecords are the records of alerts on <prefix>.alerts (JSON, keyed
// by tenant and alert id), as PublishAlerts writes them.
func (b *Bus) AlertRecords(alerts []alert.Alert) ([]*kgo.Record, error) {
	topic := b.AlertsTopic()
	recs := make([]*kgo.Record, 0, len(alerts))
	for i := range alerts {
		a := &alerts[i]
		v, err := json.Marshal(a)
		if err != nil {
			return nil, fmt.Errorf("encode alert %s: %w", a.ID, err)
		}
		key := append(append([]byte(a.Tenant), 0), a.ID...)
		recs = append(recs, &kgo.Record{Topic: topic, Key: key, Value: v, Headers: []kgo.RecordHeader{
			{Key: headerTenant, Value: []byte(a.Tenant)}, {Key: headerID, Value: []byte(a.ID)}}})
	}
	return recs, nil
}
