package app

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/httpin"
)

// ingestRole runs the configured sources and HTTP ingest. Every node has
// it: one without the ingest role runs only the sources that declare they
// read the message bus (config.BusReader), its input in a distributed
// deployment, and no HTTP ingest.
type ingestRole struct {
	sources []pipeline.Source
	// http is HTTP ingest (nil without the ingest role).
	http *httpin.Handler
	cfg  *config.Config
}

// listener is implemented by sources that bind a socket, so the app can
// fail at start on a port that is taken instead of later in Run.
type listener interface {
	Listen() error
	Addr() net.Addr
}

// Name implements Module.
func (*ingestRole) Name() string { return string(RoleIngest) }

// Init builds the sources and HTTP ingest on the node's pipeline.
func (m *ingestRole) Init(a *App) error {
	m.cfg = a.cfg
	ingest := a.opts.Roles.Has(RoleIngest)
	env := config.SourceEnv{DataDir: a.cfg.DataDir, Metrics: a.metrics, Logger: a.log}
	for _, sc := range a.cfg.Sources {
		if !ingest && !config.ReadsBus(sc.SourceConfig) {
			continue
		}
		src, err := sc.NewSource(env)
		if err != nil {
			return fmt.Errorf("source %s: %w", sc.Common().Name, err)
		}
		m.sources = append(m.sources, src)
		if c, ok := src.(prometheus.Collector); ok {
			if err := a.reg.Register(c); err != nil {
				return fmt.Errorf("source %s: metrics: %w", sc.Common().Name, err)
			}
		}
	}
	if ingest {
		m.http = httpin.New(a.cfg.HTTP.Ingest, a.pipe, a.metrics, a.log)
		if err := a.reg.Register(m.http); err != nil {
			return fmt.Errorf("http ingest: metrics: %w", err)
		}
	}
	return nil
}

// listen binds the sources' sockets; the app calls it before it starts
// anything, so a port that is taken fails the start cleanly.
func (m *ingestRole) listen() error {
	for _, s := range m.sources {
		if l, ok := s.(listener); ok {
			if err := l.Listen(); err != nil {
				return fmt.Errorf("source %s: %w", s.Name(), err)
			}
		}
	}
	return nil
}

// Sinks implements Module: sources feed the pipeline, they keep nothing.
func (*ingestRole) Sinks() []pipeline.Sink { return nil }

// Mount implements Module: HTTP ingest.
func (m *ingestRole) Mount(*App) []api.Mounter {
	if m.http == nil {
		return nil
	}
	return []api.Mounter{api.Ingest{Handler: m.http}}
}

// Start runs every source until the node stops; a source that fails is a
// fatal error of the node (App.Errors).
func (m *ingestRole) Start(_ context.Context, a *App) error {
	for _, s := range m.sources {
		a.run(func(ctx context.Context) {
			if err := s.Run(ctx, a.pipe); err != nil {
				a.log.Error("source stopped", "source", s.Name(), "err", err)
				a.errs <- fmt.Errorf("source %s: %w", s.Name(), err)
			}
		})
	}
	for _, s := range m.sources {
		if l, ok := s.(listener); ok {
			a.log.Info("listening", "source", s.Name(), "addr", l.Addr().String())
		}
	}
	return nil
}

// Stop implements Module: the sources stopped with the node's context.
func (*ingestRole) Stop(*App) {}

// Close implements Module.
func (*ingestRole) Close(*App) {}

// ApplyConfig implements Module: sources own sockets, files and
// checkpoints, so a change to them or to HTTP ingest needs a restart.
func (m *ingestRole) ApplyConfig(_ *App, cfg *config.Config) error {
	return errors.Join(restartNeeded("sources", m.cfg.Sources, cfg.Sources), restartNeeded("http.ingest", m.cfg.HTTP.Ingest, cfg.HTTP.Ingest))
}
