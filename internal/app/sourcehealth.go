package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/sources"
	"github.com/vigilsiem/vigil/internal/analytics/usage"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// sourceHealth is source health and usage metering on a store node: both
// are sinks right after the store, so they count what it acknowledged.
type sourceHealth struct {
	tracker *sources.Tracker
	meter   *usage.Meter
}

// openSourceHealth builds the tracker and the meter; it returns the sinks
// to place right after the store, and the dead-letter sink wrapped so parse
// errors count against their host.
func (m *storeRole) openSourceHealth(a *App, dead pipeline.DeadLetterSink) (pipeline.DeadLetterSink, []pipeline.Sink, error) {
	cfg := a.cfg
	formats := map[string]string{}
	for _, sc := range cfg.Sources {
		formats[sc.Common().Name] = sc.Common().Format
	}
	var overrides []sources.Override
	for _, o := range cfg.Health.Overrides {
		overrides = append(overrides, sources.Override{Source: o.Source, Host: o.Host, SilenceAfter: o.SilenceAfter.D()})
	}
	tr, err := sources.Open(sources.Options{
		SilenceAfter: cfg.Health.SilenceAfter.D(), Overrides: overrides, CheckInterval: cfg.Health.CheckInterval.D(),
		MaxSourcesPerTenant: cfg.Health.MaxSourcesPerTenant, Formats: formats, Dir: filepath.Join(cfg.DataDir, "state", "_sources"),
		Registerer: a.reg, Logger: a.log,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("source health: %w", err)
	}
	quotas := map[string]usage.Quota{}
	for t, q := range cfg.Usage.Quotas {
		quotas[t] = usage.Quota{EPS: q.EPS, EventsPerDay: q.EventsPerDay}
	}
	meter, err := usage.Open(usage.Options{Dir: filepath.Join(cfg.DataDir, "state", "_usage"), Quotas: quotas, Registerer: a.reg, Logger: a.log})
	if err != nil {
		return nil, nil, fmt.Errorf("usage metering: %w", err)
	}
	m.sourceHealth = &sourceHealth{tracker: tr, meter: meter}
	return tr.DeadLetters(dead), []pipeline.Sink{meter, tr}, nil
}

// mount returns the API of source health and usage.
func (h *sourceHealth) mount() api.Mounter {
	return api.SourcesHandler{Sources: h.tracker, Usage: h.meter}
}

// run checks sources and quotas until ctx ends, writing alerts to sink.
func (h *sourceHealth) run(ctx context.Context, sink alert.Sink) {
	done := make(chan struct{})
	go func() { defer close(done); h.meter.Run(ctx, sink) }()
	h.tracker.Run(ctx, sink)
	<-done
}

// close saves source health and writes the usage counters' last snapshot.
func (h *sourceHealth) close() error {
	return errors.Join(h.tracker.Save(), h.meter.Close())
}
