package app

import (
	"context"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// forwardRole drains durable queues into the configured outputs; alerts are
// routed too.
type forwardRole struct {
	fw  *forward.Manager
	cfg *config.Config
}

// Name implements Module.
func (*forwardRole) Name() string { return string(RoleForward) }

// Init builds the outputs and routes, and puts the alert routes in front of
// the node's alert sink.
func (m *forwardRole) Init(a *App) error {
	m.cfg = a.cfg
	fw, err := forward.New(a.cfg.Outputs, a.cfg.Routes, forward.Env{DataDir: a.cfg.DataDir, Registerer: a.reg, Logger: a.log})
	if err != nil {
		return fmt.Errorf("outputs: %w", err)
	}
	m.fw = fw
	a.alertOut = fw.AlertSink(a.alertOut)
	return nil
}

// Sinks implements Module: the router runs after the store, so what is
// queued for delivery is stored, and after detection, so enriched copies
// go out.
func (m *forwardRole) Sinks() []pipeline.Sink { return []pipeline.Sink{m.fw.Sink()} }

// Mount implements Module: the outputs' status.
func (m *forwardRole) Mount(*App) []api.Mounter {
	return []api.Mounter{api.OutputsHandler{Outputs: m.fw}}
}

// Start implements Module.
func (m *forwardRole) Start(_ context.Context, a *App) error {
	m.fw.Start()
	out := a.alertOut
	a.run(func(ctx context.Context) { m.fw.RunHealthAlerts(ctx, out) })
	return nil
}

// Stop implements Module: the queues keep what was not delivered.
func (m *forwardRole) Stop(a *App) {
	a.timed("outputs", func() {
		if err := m.fw.Stop(); err != nil {
			a.log.Error("stop outputs", "err", err)
		}
	})
}

// Close implements Module.
func (*forwardRole) Close(*App) {}

// ApplyConfig implements Module: outputs and routes own queues and
// connections, so a change needs a restart.
func (m *forwardRole) ApplyConfig(_ *App, cfg *config.Config) error {
	return errors.Join(restartNeeded("outputs", m.cfg.Outputs, cfg.Outputs), restartNeeded("routes", m.cfg.Routes, cfg.Routes))
}
