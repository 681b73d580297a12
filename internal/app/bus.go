package app

import (
	"context"
	"fmt"

	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// A node with bus: configured runs its roles over the bus (internal/bus,
// docs/configuration.md "bus"):
//
//   - the pipeline of an ingest node publishes its events (bus.EventSink):
//     the sources are acknowledged once the brokers have the events;
//   - every alert a node raises goes onto the bus (a.alertOut);
//   - the store role consumes the events into the backend and the alerts
//     into the alert log, in group <prefix>.store (storeRole.Start);
//   - the detect role consumes the events in group <prefix>.detect, in
//     Kafka transactions with its alerts and correlation hits, and counts
//     the correlations sharded by key (role_detect_bus.go);
//   - the store and detect roles' sinks are not on the pipeline.

// openBus connects to the bus of cfg.Bus, when one is configured.
func (a *App) openBus() error {
	if !a.cfg.Bus.On() {
		return nil
	}
	b, err := bus.Open(context.Background(), a.cfg.Bus, a.log)
	if err != nil {
		return err
	}
	a.bus = b
	if err := a.reg.Register(b); err != nil {
		return fmt.Errorf("bus: metrics: %w", err)
	}
	return nil
}

// consumeEvents reads the events topic in group until the node stops,
// writing each batch to sinks in order (as the pipeline does: the first
// that fails fails the batch, which the bus hands again; its offsets are
// committed once every sink has it). Several polls are gathered into one
// batch of up to bus.kafka.store_batch_rows events, waiting at most
// store_batch_linger (internal/bus gather.go): the backend gets large
// writes. Records that cannot be decoded go to the node's dead letters.
func (a *App) consumeEvents(group string, sinks []pipeline.Sink) {
	kc := a.bus.Kafka()
	a.run(func(ctx context.Context) {
		err := a.bus.ConsumeEvents(ctx, bus.Consumer{Group: group, DeadLetters: a.dead, Logger: a.log,
			BatchRows: kc.StoreBatchRows, Linger: kc.StoreBatchLinger.D()},
			func(ctx context.Context, events []*event.Event) error {
				for _, s := range sinks {
					st := a.metrics.Component("sink", s.Name())
					st.Received.Add(float64(len(events)))
					if err := s.Write(ctx, events); err != nil {
						st.Errors.Inc()
						return fmt.Errorf("sink %s: %w", s.Name(), err)
					}
				}
				return nil
			})
		if err != nil {
			a.errs <- fmt.Errorf("bus: %w", err)
		}
	})
}
