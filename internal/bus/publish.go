package bus

import (
	"context"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Record headers: the envelope, readable without decoding the value
// (docs/format/bus.md).
const (
	headerTenant = "tenant"
	headerID     = "id"
)

// entityFields pick the entity an event's key holds, first present first:
// the events of one host (or, without a host, of one source address) land
// in one partition, so one consumer sees them in order.
var entityFields = []string{"host.name", "source.ip"}

// eventKey is tenant, NUL, entity (or the event's source).
func eventKey(dst []byte, e *event.Event) []byte {
	dst = append(dst, e.Tenant...)
	dst = append(dst, 0)
	for _, f := range entityFields {
		if v, ok := e.Get(f); ok && !v.IsNull() {
			return v.AppendText(dst)
		}
	}
	return append(dst, e.Source...)
}

// PublishEvents writes events to <prefix>.events and returns once the
// brokers acknowledged every one (all in-sync replicas), or with the first
// error: then some may be written and some not, and the caller publishes
// the batch again (a consumer stores the duplicates once, by event.id).
func (b *Bus) PublishEvents(ctx context.Context, events []*event.Event) error {
	if len(events) == 0 {
		return nil
	}
	topic := b.EventsTopic()
	recs := make([]*kgo.Record, 0, len(events))
	for _, e := range events {
		v, err := e.AppendBinary(nil)
		if err != nil {
			return fmt.Errorf("publish event %s: %w", e.ID, err)
		}
		recs = append(recs, &kgo.Record{Topic: topic, Key: eventKey(nil, e), Value: v, Headers: []kgo.RecordHeader{
			{Key: headerTenant, Value: []byte(e.Tenant)}, {Key: headerID, Value: []byte(e.ID)}}})
	}
	if err := b.produce(ctx, recs); err != nil {
		return fmt.Errorf("publish events: %w", err)
	}
	return nil
}

// PublishAlerts writes alerts to <prefix>.alerts as JSON documents
// (docs/format/alerts.md), keyed by tenant and alert id, and returns once
// the brokers acknowledged every one.
func (b *Bus) PublishAlerts(ctx context.Context, alerts []alert.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	recs, err := b.AlertRecords(alerts)
	if err != nil {
		return fmt.Errorf("publish alerts: %w", err)
	}
	if err := b.produce(ctx, recs); err != nil {
		return fmt.Errorf("publish alerts: %w", err)
	}
	return nil
}

// produce writes recs and waits for the brokers' acknowledgement of each,
// at most bus.kafka.publish_timeout. At the timeout it fails the batch
// even though records may still be delivered later (franz-go does not fail
// a record it may have sent): the caller publishes the batch again, and
// the consumers keep one copy per event.id or alert id. The client's
// buffer (franz-go's MaxBufferedRecords, 10,000) bounds what waits for
// brokers that are down.
func (b *Bus) produce(ctx context.Context, recs []*kgo.Record) error {
	err := b.produceWait(ctx, recs)
	if err != nil {
		b.met.publishFailed.WithLabelValues(recs[0].Topic).Inc()
		return err
	}
	b.met.published.WithLabelValues(recs[0].Topic).Add(float64(len(recs)))
	return nil
}

func (b *Bus) produceWait(ctx context.Context, recs []*kgo.Record) error {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.PublishTimeout.D())
	defer cancel()
	var (
		mu    sync.Mutex
		first error
		left  = len(recs)
		done  = make(chan struct{})
	)
	for _, r := range recs {
		b.prod.Produce(ctx, r, func(_ *kgo.Record, err error) {
			mu.Lock()
			defer mu.Unlock()
			if err != nil && first == nil {
				first = err
			}
			if left--; left == 0 {
				close(done)
			}
		})
	}
	select {
	case <-done:
		mu.Lock()
		defer mu.Unlock()
		return first
	case <-ctx.Done():
		return fmt.Errorf("wait for the brokers: %w", ctx.Err())
	}
}

// EventSink is a pipeline sink that publishes each batch (the ingest
// role's sink on a node with a bus): the pipeline acknowledges its
// sources once the brokers acknowledged the events.
func (b *Bus) EventSink() pipeline.Sink { return eventSink{b} }

type eventSink struct{ b *Bus }

func (s eventSink) Name() string { return "bus" }

func (s eventSink) Write(ctx context.Context, events []*event.Event) error {
	return s.b.PublishEvents(ctx, events)
}

// AlertSink is an alert sink that publishes alerts (the detect role's
// output on a node with a bus).
func (b *Bus) AlertSink() alert.Sink { return alert.SinkFunc(b.PublishAlerts) }
