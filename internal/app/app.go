// Package app owns the wiring of a running Vigil: it builds the store, the
// pipeline, detection, the sources and the HTTP API from the configuration,
// starts them in order and stops them in reverse order (the VictoriaLogs
// pattern: explicit Init/Stop from one place, no start-up in init()).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/enrich"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/httpin"
	"github.com/vigilsiem/vigil/internal/store/alerts"
	"github.com/vigilsiem/vigil/internal/store/embedded"

	// Source types register themselves with the configuration.
	_ "github.com/vigilsiem/vigil/internal/source/evtx"
	_ "github.com/vigilsiem/vigil/internal/source/file"
	_ "github.com/vigilsiem/vigil/internal/source/syslog"
)

// Options are the settings of a run that do not come from vigil.yaml.
type Options struct {
	Version string
	Logger  *slog.Logger
	// Pprof mounts Go's profiler on the API listener (/debug/pprof/).
	Pprof bool
}

// App is a running Vigil.
type App struct {
	cfg  *config.Config
	opts Options
	log  *slog.Logger
	reg  *prometheus.Registry

	store   *embedded.Store
	alerts  *alerts.Store
	detect  *detect.Engine
	enrich  *enrich.Set
	pipe    *pipeline.Pipeline
	sources []pipeline.Source
	http    *http.Server
	httpLn  net.Listener

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error
}

// listener is implemented by sources that bind a socket, so the app can
// fail at start on a port that is taken instead of later in Run.
type listener interface {
	Listen() error
	Addr() net.Addr
}

// New builds everything; Start starts it.
func New(cfg *config.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	a := &App{cfg: cfg, opts: opts, log: opts.Logger, reg: prometheus.NewRegistry(), errs: make(chan error, 16)}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := pipeline.NewMetrics(a.reg)
	ok := false
	defer func() {
		if !ok {
			a.closeStores()
		}
	}()

	st, err := embedded.Open(embedded.Options{
		Dir:    cfg.DataDir,
		HotAge: cfg.Storage.HotAge.D(),
		Retention: func(t string) (time.Duration, int64) {
			r := cfg.RetentionFor(t)
			return r.MaxAge.D(), int64(r.MaxBytes)
		},
		Logger:     a.log,
		Registerer: a.reg,
	})
	if err != nil {
		return nil, err
	}
	a.store = st
	if a.alerts, err = alerts.Open(context.Background(), st.DB()); err != nil {
		return nil, err
	}
	procs, enrichSet, err := Processors(context.Background(), cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("enrichment: %w", err)
	}
	a.enrich = enrichSet
	if err := enrichSet.Register(a.reg); err != nil {
		return nil, err
	}
	sinks := []pipeline.Sink{st}
	if s := enrichSet.AlertSink(a.alerts); s != nil {
		sinks = append(sinks, s)
	}
	if len(cfg.Rules.Dirs) > 0 {
		if a.detect, err = detect.New(detect.Config{Dirs: cfg.Rules.Dirs, Logger: a.log}, a.alerts); err != nil {
			return nil, fmt.Errorf("load rules: %w", err)
		}
		sinks = append(sinks, a.detect)
	}

	a.pipe, err = pipeline.New(pipeline.Config{
		Workers:      cfg.Pipeline.Workers,
		QueueBatches: cfg.Pipeline.QueueBatches,
		Parsers:      parserFactory(cfg.Sources),
		Ordered:      orderedFormat,
		Processors:   procs,
		Sinks:        sinks,
		DeadLetters:  st,
		Metrics:      metrics,
		Logger:       a.log,
	})
	if err != nil {
		return nil, err
	}

	env := config.SourceEnv{DataDir: cfg.DataDir, Metrics: metrics, Logger: a.log}
	for _, sc := range cfg.Sources {
		src, err := sc.NewSource(env)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", sc.Common().Name, err)
		}
		a.sources = append(a.sources, src)
	}

	ingest := httpin.New(cfg.HTTP.Ingest, a.pipe, metrics, a.log)
	mounts := []api.Mounter{ingest, api.AlertsHandler{Alerts: a.alerts}, api.AdminHandler{Store: st}}
	if opts.Pprof {
		mounts = append(mounts, api.PprofHandler{})
	}
	srv := api.New(api.Deps{
		Store:    st,
		Gatherer: a.reg,
		Mounts:   mounts,
		Logger:   a.log,
		Version:  opts.Version,
		Health:   a.health,
		Auth:     auth.New(cfg.Auth),
	})
	a.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	ok = true
	return a, nil
}

func (a *App) health() map[string]any {
	h := map[string]any{"pipeline_queue": a.pipe.QueueLen()}
	if a.detect != nil {
		st := a.detect.Status()
		h["rules"] = st
	}
	return h
}

// Start binds every listener and starts the pipeline, the sources, detection
// and the API. It fails, having stopped what it started, if a listener
// cannot bind.
func (a *App) Start() error {
	tlsCfg, err := a.cfg.HTTP.TLS.ServerConfig()
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	for _, s := range a.sources {
		if l, ok := s.(listener); ok {
			if err := l.Listen(); err != nil {
				ln.Close()
				return fmt.Errorf("source %s: %w", s.Name(), err)
			}
		}
	}
	a.httpLn = ln
	a.pipe.Start()
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	for _, s := range a.sources {
		a.wg.Add(1)
		go func(s pipeline.Source) {
			defer a.wg.Done()
			if err := s.Run(ctx, a.pipe); err != nil {
				a.log.Error("source stopped", "source", s.Name(), "err", err)
				a.errs <- fmt.Errorf("source %s: %w", s.Name(), err)
			}
		}(s)
	}
	if a.detect != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); _ = a.detect.Run(ctx) }()
	}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.enrich.Run(ctx) }()
	go func() {
		var err error
		if tlsCfg != nil {
			a.http.TLSConfig = tlsCfg
			err = a.http.ServeTLS(ln, "", "")
		} else {
			err = a.http.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.errs <- fmt.Errorf("http: %w", err)
		}
	}()
	a.log.Info("vigil started", "http", ln.Addr().String(), "sources", len(a.sources), "data", a.cfg.DataDir)
	for _, s := range a.sources {
		if l, ok := s.(listener); ok {
			a.log.Info("listening", "source", s.Name(), "addr", l.Addr().String())
		}
	}
	return nil
}

// Errors reports fatal errors of running parts.
func (a *App) Errors() <-chan error { return a.errs }

// HTTPAddr is the address the API listens on.
func (a *App) HTTPAddr() string {
	if a.httpLn == nil {
		return ""
	}
	return a.httpLn.Addr().String()
}

// Store returns the store (for the bench and tests).
func (a *App) Store() *embedded.Store { return a.store }

// Stop stops the parts in reverse order: the HTTP API and the sources stop
// taking data, the pipeline finishes what it holds, then the stores close.
func (a *App) Stop() {
	timed := func(what string, fn func()) {
		start := time.Now()
		fn()
		a.log.Info("stopped", "part", what, "took", time.Since(start).Round(time.Millisecond))
	}
	timed("http", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.http.Shutdown(ctx)
	})
	timed("sources", func() {
		if a.cancel != nil {
			a.cancel()
		}
		a.wg.Wait()
	})
	timed("pipeline", a.pipe.Stop)
	timed("store", a.closeStores)
}

func (a *App) closeStores() {
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close store", "err", err)
		}
	}
}
