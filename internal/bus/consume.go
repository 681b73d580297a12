package bus

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// retryWait is the first wait before a batch whose handler failed is
// handed again (doubling to maxRetryWait): a handler fails while what it
// writes to (a store, a disk) does.
const (
	retryWait    = 500 * time.Millisecond
	maxRetryWait = time.Minute
)

// Consumer says how a role reads a topic.
type Consumer struct {
	// Group is the consumer group (Bus.Group(role)): the partitions are
	// shared among the group's members, and each record is handled by one.
	Group string
	// DeadLetters keeps the records that cannot be decoded, or whose
	// tenant is invalid; nil logs them.
	DeadLetters pipeline.DeadLetterSink
	// Logger; nil is the bus's.
	Logger *slog.Logger
	// BatchRows, when above zero, gathers several polls into one batch of
	// at most BatchRows records (gather.go); zero hands each poll alone.
	BatchRows int
	// Linger bounds how long a batch waits for more polls after its first
	// record (with BatchRows).
	Linger time.Duration
	// gathered, when set, is told the records of each poll of a batch
	// (tests: to know what a member holds).
	gathered func(records int)
}

// EventHandler handles a batch of events; it owns them. Returning nil
// acknowledges the batch (its offsets are committed), an error makes the
// bus hand it again after a wait.
type EventHandler func(ctx context.Context, events []*event.Event) error

// AlertHandler handles a batch of alerts, as EventHandler.
type AlertHandler func(ctx context.Context, alerts []alert.Alert) error

// ConsumeEvents reads <prefix>.events in group c.Group and hands each
// polled batch to h, until ctx ends; it returns nil then, or an error if
// the client cannot be built.
func (b *Bus) ConsumeEvents(ctx context.Context, c Consumer, h EventHandler) error {
	return b.consume(ctx, c, b.EventsTopic(), func(ctx context.Context, recs []*kgo.Record) ([]pipeline.DeadLetter, func(context.Context) error) {
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
		return dead, func(ctx context.Context) error {
			if len(events) == 0 {
				return nil
			}
			return h(ctx, events)
		}
	})
}

// ConsumeAlerts reads <prefix>.alerts in group c.Group and hands each
// polled batch to h, as ConsumeEvents.
func (b *Bus) ConsumeAlerts(ctx context.Context, c Consumer, h AlertHandler) error {
	return b.consume(ctx, c, b.AlertsTopic(), func(ctx context.Context, recs []*kgo.Record) ([]pipeline.DeadLetter, func(context.Context) error) {
		alerts := make([]alert.Alert, 0, len(recs))
		var dead []pipeline.DeadLetter
		for _, r := range recs {
			a, err := decodeAlert(r)
			if err != nil {
				dead = append(dead, deadLetter(r, "json", err))
				continue
			}
			alerts = append(alerts, a)
		}
		return dead, func(ctx context.Context) error {
			if len(alerts) == 0 {
				return nil
			}
			return h(ctx, alerts)
		}
	})
}

// decodeEvent reads an event record: the binary form, with the envelope
// the ingest node gave it. The tenant is checked, and an event without an
// id gets one made from its position.
func decodeEvent(r *kgo.Record) (*event.Event, error) {
	e := &event.Event{}
	if err := e.UnmarshalBinary(r.Value); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if err := event.ValidTenant(e.Tenant); err != nil {
		return nil, fmt.Errorf("decode event: %w", err)
	}
	if e.ID == "" {
		e.ID = event.NewID(e.Tenant, e.Source, position(r), 0, r.Value)
	}
	return e, nil
}

// decodeAlert reads an alert document and checks its tenant and id.
func decodeAlert(r *kgo.Record) (alert.Alert, error) {
	var a alert.Alert
	if err := json.Unmarshal(r.Value, &a); err != nil {
		return a, fmt.Errorf("decode alert: %w", err)
	}
	if err := event.ValidTenant(a.Tenant); err != nil {
		return a, fmt.Errorf("decode alert: %w", err)
	}
	if a.ID == "" {
		return a, fmt.Errorf("decode alert: no id")
	}
	return a, nil
}

func position(r *kgo.Record) string {
	return r.Topic + ":" + strconv.Itoa(int(r.Partition)) + ":" + strconv.FormatInt(r.Offset, 10)
}

// deadLetter keeps a record that cannot be handled, in the tenant its
// header names when that is valid (else "default"), with its position.
func deadLetter(r *kgo.Record, format string, err error) pipeline.DeadLetter {
	tenant := "default"
	for _, h := range r.Headers {
		if h.Key == headerTenant && event.ValidTenant(string(h.Value)) == nil {
			tenant = string(h.Value)
		}
	}
	return pipeline.DeadLetter{Time: time.Now().UTC(), Tenant: tenant, Source: "bus", Format: format,
		Position: position(r), Reason: err.Error(), Data: r.Value}
}

// decodeFunc turns polled records into their dead letters and the call of
// the handler on the rest.
type decodeFunc func(ctx context.Context, recs []*kgo.Record) ([]pipeline.DeadLetter, func(context.Context) error)

// consume is the loop of a consumer: poll (gathering polls into one
// batch when c.BatchRows asks), decode, hand the batch (again and again
// while the handler or the dead-letter sink fails), commit. Rebalances
// wait between the first poll of a batch and its commit
// (BlockRebalanceOnPoll), so a partition never moves with records in
// flight.
func (b *Bus) consume(ctx context.Context, c Consumer, topic string, decode decodeFunc) error {
	if c.Group == "" {
		return fmt.Errorf("consume %s: no consumer group", topic)
	}
	log := c.Logger
	if log == nil {
		log = b.log
	}
	log = log.With("topic", topic, "group", c.Group)
	opts := append(b.opts[:len(b.opts):len(b.opts)], kgo.ConsumerGroup(c.Group), kgo.ConsumeTopics(topic),
		kgo.DisableAutoCommit(), kgo.BlockRebalanceOnPoll(), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.SessionTimeout(b.cfg.SessionTimeout.D()),
		// the detect nodes write alerts in transactions: those of a
		// batch a killed node left open are aborted, never stored
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	g := newGatherer(log, b.cfg.MaxPollRecords, c.BatchRows, c.Linger)
	g.gathered = c.gathered
	opts = append(opts, kgo.OnPartitionsCallbackBlocked(g.onBlocked))
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return fmt.Errorf("consume %s: %w", topic, err)
	}
	g.cl = cl
	defer b.leave(cl, log)
	for ctx.Err() == nil {
		recs := g.next(ctx)
		if ctx.Err() != nil {
			break
		}
		if len(recs) == 0 {
			cl.AllowRebalance()
			continue
		}
		dead, handle := decode(ctx, recs)
		b.met.dead.WithLabelValues(topic, c.Group).Add(float64(len(dead)))
		retried := b.met.retried.WithLabelValues(topic, c.Group)
		if err := retry(ctx, log, retried, len(recs), func(ctx context.Context) error {
			if len(dead) > 0 {
				if err := writeDead(ctx, c, log, dead); err != nil {
					return err
				}
				dead = nil
			}
			return handle(ctx)
		}); err != nil {
			break // ctx ended: nothing was committed, the records are read again
		}
		if err := cl.CommitRecords(ctx, recs...); err != nil {
			b.met.cms.WithLabelValues(topic, c.Group).Inc()
			log.Warn("commit bus offsets; the records will be read again", "err", err)
		} else {
			b.met.consumed.WithLabelValues(topic, c.Group).Add(float64(len(recs)))
		}
		cl.AllowRebalance()
	}
	cl.AllowRebalance()
	return nil
}

// writeDead hands dead letters to the consumer's sink, or logs them.
func writeDead(ctx context.Context, c Consumer, log *slog.Logger, dead []pipeline.DeadLetter) error {
	if c.DeadLetters == nil {
		for _, d := range dead {
			log.Warn("bus record dropped", "position", d.Position, "tenant", d.Tenant, "reason", d.Reason)
		}
		return nil
	}
	if err := c.DeadLetters.WriteDeadLetters(ctx, dead); err != nil {
		return fmt.Errorf("write bus dead letters: %w", err)
	}
	return nil
}

// retry calls fn until it returns nil, waiting between tries, or until ctx
// ends (its error then).
func retry(ctx context.Context, log *slog.Logger, retried prometheus.Counter, n int, fn func(context.Context) error) error {
	wait := retryWait
	for {
		err := fn(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		retried.Inc()
		log.Warn("bus batch not handled; retrying", "records", n, "retry_in", wait, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, maxRetryWait)
	}
}

// leaveTimeout bounds closing a consumer at stop: closing leaves the
// group, which waits for a rebalance in progress, and a rebalance waits
// for a member that died (kill -9) until its session times out
// (bus.kafka.session_timeout). The close goes on in the background; the
// group notices this member's absence by its session if the leave does
// not get through first.
const leaveTimeout = 5 * time.Second

// leave closes the client (leaving the group), waiting at most
// leaveTimeout.
func (b *Bus) leave(cl *kgo.Client, log *slog.Logger) {
	done := make(chan struct{})
	go func() {
		cl.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(leaveTimeout):
		log.Warn("leaving the bus consumer group takes long (a rebalance waits for a member that died); going on", "waited", leaveTimeout)
	}
}
