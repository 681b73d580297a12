// Package app owns the wiring of a running Vigil: it builds the modules of
// the node's roles (store, forward, detect, ingest, query: Module) and the
// parts they share (the processors, the pipeline, the HTTP API) from the
// configuration, starts them in order, applies a configuration read again
// to each (ApplyConfig), and stops them in reverse order (the VictoriaLogs
// pattern: explicit Init/Stop from one place, no start-up in init()).
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich"
	"github.com/vigilsiem/vigil/internal/patterns"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/store/embedded"

	// Sources, formats and outputs register themselves.
	_ "github.com/vigilsiem/vigil/internal/forward/all"
	_ "github.com/vigilsiem/vigil/internal/parse/all"
	_ "github.com/vigilsiem/vigil/internal/source/all"
)

// Options are the settings of a run that do not come from vigil.yaml.
type Options struct {
	Version string
	Logger  *slog.Logger
	// Pprof mounts Go's profiler on the API listener (/debug/pprof/).
	Pprof bool
	// Roles this node runs; nil means all.
	Roles Roles
}

// App is a running Vigil: the modules of its roles and what they share.
type App struct {
	cfg     *config.Config
	opts    Options
	log     *slog.Logger
	reg     *prometheus.Registry
	metrics *pipeline.Metrics

	// modules are the node's roles in build order; the role fields point
	// at the same modules (nil for a role the node does not run; ingest is
	// always there, see ingestRole).
	modules     []Module
	storeRole   *storeRole
	forwardRole *forwardRole
	detectRole  *detectRole
	ingestRole  *ingestRole
	queryRole   *queryRole

	// What the modules share. audit is on the store, or the process log
	// on a node without it; dead is where records that fail go (the store,
	// or deadFile); alertOut is where alerts go (the store's alert log,
	// behind the forward role's alert routes).
	audit    *audit.Log
	deadFile *fileDeadLetters
	dead     pipeline.DeadLetterSink
	alertOut alert.Sink
	// bus connects the roles of a distributed deployment (bus.go); nil
	// without bus: in the configuration.
	bus      *bus.Bus
	enrich   *enrich.Set
	patterns *patterns.Set
	pipe     *pipeline.Pipeline
	authn    *auth.Authenticator
	http     *http.Server
	httpLn   net.Listener

	runCtx context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error
	// reloadMu serialises ApplyConfig.
	reloadMu sync.Mutex
}

// New builds everything the node's roles need, in order — store, forward,
// the processors, detect, the pipeline, ingest, query, the API — each from
// what the steps before it built; Start starts it.
func New(cfg *config.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Roles == nil {
		opts.Roles = AllRoles
	}
	a := &App{cfg: cfg, opts: opts, log: opts.Logger, reg: prometheus.NewRegistry(), errs: make(chan error, 16)}
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.metrics = pipeline.NewMetrics(a.reg)
	ok := false
	defer func() {
		if !ok {
			a.close()
		}
	}()
	roles := opts.Roles
	if err := roles.Check(cfg); err != nil {
		return nil, err
	}
	if err := a.openBus(); err != nil {
		return nil, err
	}
	build := func(m Module) error {
		a.modules = append(a.modules, m)
		return m.Init(a)
	}

	// Storage: the store role keeps events, dead letters and alerts; other
	// nodes keep their dead letters in a file and audit to the process log.
	if roles.Has(RoleStore) {
		a.storeRole = &storeRole{}
		if err := build(a.storeRole); err != nil {
			return nil, err
		}
	} else {
		fd, err := openFileDeadLetters(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		a.deadFile, a.dead = fd, fd
		var auditSink audit.Sink
		if roles.Has(RoleQuery) {
			// A query node without the store role (storage.backend:
			// clickhouse, Roles.Check): it reads and audits in ClickHouse.
			a.queryRole = &queryRole{}
			if err := a.queryRole.openBackend(a); err != nil {
				return nil, err
			}
			auditSink = a.queryRole.backend.events
		}
		a.audit = audit.New(auditSink, a.log, a.reg)
	}
	a.authn = auth.New(cfg.Auth, auth.WithAudit(a.audit))
	for _, c := range a.authn.Collectors() {
		if err := a.reg.Register(c); err != nil {
			return nil, fmt.Errorf("auth: metrics: %w", err)
		}
	}
	if a.bus != nil {
		// Every alert goes onto the bus; the store nodes read them into
		// their alert log.
		a.alertOut = a.bus.AlertSink()
	}
	// Delivery: the forward role drains durable queues into the outputs;
	// alerts are routed too.
	if roles.Has(RoleForward) {
		a.forwardRole = &forwardRole{}
		if err := build(a.forwardRole); err != nil {
			return nil, err
		}
	}
	if a.alertOut == nil {
		a.alertOut = alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil })
	}

	procs, enrichSet, err := Processors(context.Background(), cfg, a.log)
	if err != nil {
		return nil, fmt.Errorf("processors: %w", err)
	}
	a.enrich = enrichSet
	if procs, err = a.openPatterns(cfg, procs); err != nil {
		return nil, fmt.Errorf("patterns: %w", err)
	}
	if err := enrichSet.Register(a.reg); err != nil {
		return nil, err
	}
	if roles.Has(RoleDetect) {
		a.detectRole = &detectRole{}
		if err := build(a.detectRole); err != nil {
			return nil, err
		}
	}

	// The sinks in their order, whatever the build order: the store, then
	// detection, then delivery. With a bus, the store and detect roles
	// read the events from it instead, and an ingest node publishes there.
	var sinks []pipeline.Sink
	switch {
	case a.bus != nil && roles.Has(RoleIngest):
		sinks = append(sinks, a.bus.EventSink())
	case a.bus == nil:
		if a.storeRole != nil {
			sinks = append(sinks, a.storeRole.Sinks()...)
		}
		if a.detectRole != nil {
			sinks = append(sinks, a.detectRole.Sinks()...)
		}
	}
	if a.forwardRole != nil {
		sinks = append(sinks, a.forwardRole.Sinks()...)
	}
	if len(sinks) == 0 && a.bus == nil {
		return nil, fmt.Errorf("roles %v keep nothing: add store, detect or forward", roles)
	}
	if err := wirePipelines(procs, a.dead, a.reg); err != nil {
		return nil, err
	}
	a.pipe, err = pipeline.New(pipeline.Config{
		Workers:      cfg.Pipeline.Workers,
		QueueBatches: cfg.Pipeline.QueueBatches,
		Parsers:      parserFactory(cfg.Sources),
		Processors:   procs,
		Sinks:        sinks,
		DeadLetters:  a.dead,
		Metrics:      a.metrics,
		Logger:       a.log,
	})
	if err != nil {
		return nil, err
	}

	a.ingestRole = &ingestRole{}
	if err := build(a.ingestRole); err != nil {
		return nil, err
	}
	if roles.Has(RoleQuery) {
		if a.queryRole == nil {
			a.queryRole = &queryRole{}
		}
		if err := build(a.queryRole); err != nil {
			return nil, err
		}
	}

	var mounts []api.Mounter
	for _, m := range a.modules {
		mounts = append(mounts, m.Mount(a)...)
	}
	if a.patterns != nil {
		mounts = append(mounts, api.PatternsHandler{Patterns: a.patterns})
	}
	if opts.Pprof {
		mounts = append(mounts, api.PprofHandler{})
	}
	srv := api.New(api.Deps{
		Store:    a.searcher(),
		Gatherer: a.reg,
		Mounts:   mounts,
		Logger:   a.log,
		Version:  opts.Version,
		Health:   a.health,
		Auth:     a.authn,
		Audit:    a.audit,
	})
	lim := cfg.HTTP.Limits
	a.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: lim.ReadHeaderTimeout.D(), ReadTimeout: lim.ReadTimeout.D(),
		IdleTimeout: lim.IdleTimeout.D(), ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	ok = true
	return a, nil
}

// searcher is what searches go to: the query role's, or nil on a node
// without it.
func (a *App) searcher() api.Searcher {
	if a.queryRole == nil {
		return nil
	}
	return a.queryRole.searcher
}

func (a *App) health() map[string]any {
	h := map[string]any{"pipeline_queue": a.pipe.QueueLen(), "roles": a.opts.Roles}
	if st := a.storeRole; st != nil {
		// A part that fails but recovers by itself (a full disk) makes the
		// status "degraded", with the reasons; the answer stays 200.
		if reasons := st.store.Degraded(); len(reasons) > 0 {
			h["status"] = "degraded"
			h["degraded"] = reasons
		}
	}
	if f := a.forwardRole; f != nil {
		h["outputs"] = outputsHealth(f.fw.Status())
	}
	if d := a.detectRole; d != nil {
		h["rules"] = d.engine.Status()
		if d.bus != nil {
			h["correlation_partitions"] = d.bus.owned()
			if owned := d.bus.analyticsOwned(); owned != nil {
				h["analytics_partitions"] = owned
			}
			if st := d.bus.analyticsStats(); st != nil {
				h["analytics"] = st
			}
		}
		if d.analytics != nil {
			h["analytics"] = d.analytics.Stats()
		}
	}
	return h
}

// run runs fn until the node stops (Stop cancels ctx and waits).
func (a *App) run(fn func(ctx context.Context)) {
	ctx := a.runCtx
	a.wg.Add(1)
	go func() { defer a.wg.Done(); fn(ctx) }()
}

// Start binds every listener and starts the modules in order, the pipeline
// before the sources, then the API. It fails, having stopped what it
// started, if a listener cannot bind.
func (a *App) Start() error {
	tlsCfg, err := a.cfg.HTTP.TLS.ServerConfig()
	if err != nil {
		return err
	}
	tcpLn, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	ln, err := a.limitHTTP(tcpLn)
	if err != nil {
		tcpLn.Close()
		return err
	}
	if err := a.ingestRole.listen(); err != nil {
		ln.Close()
		return err
	}
	a.httpLn = ln
	ctx, cancel := context.WithCancel(context.Background())
	a.runCtx, a.cancel = ctx, cancel
	for _, m := range a.modules {
		if m == Module(a.ingestRole) {
			// The pipeline starts after the stages it feeds and before the
			// sources that feed it.
			a.pipe.Start()
		}
		if err := m.Start(ctx, a); err != nil {
			return fmt.Errorf("start %s: %w", m.Name(), err)
		}
	}
	a.run(a.enrich.Run)
	if a.patterns != nil {
		a.run(a.patterns.Run)
	}
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
	a.auditLifecycle("vigil.start")
	a.log.Info("vigil started", "roles", fmt.Sprint(a.opts.Roles), "http", ln.Addr().String(), "sources", len(a.ingestRole.sources), "data", a.cfg.DataDir)
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

// Store returns the store (for the bench and tests); nil on a node without
// the store role.
func (a *App) Store() *embedded.Store {
	if a.storeRole == nil {
		return nil
	}
	return a.storeRole.store
}

// ApplyConfig applies cfg, vigil.yaml read again (on SIGHUP), to every
// module, as Prometheus does: each applies what it can change while running
// and the node keeps running on the rest; the error names what needs a
// restart. The audit log records the reload and its outcome.
func (a *App) ApplyConfig(cfg *config.Config) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	var errs []error
	for _, m := range a.modules {
		if err := m.ApplyConfig(a, cfg); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", m.Name(), err))
		}
	}
	errs = append(errs, a.applyShared(cfg))
	err := errors.Join(errs...)
	e := audit.Entry{User: nodeActor, Action: "config.reload", Category: "configuration", Outcome: audit.Success}
	if err != nil {
		e.Outcome, e.Reason = audit.Failure, err.Error()
	}
	a.audit.Record(e)
	return err
}

// applyShared checks the settings of what the modules share: none of them
// can change while running.
func (a *App) applyShared(cfg *config.Config) error {
	old := a.cfg
	http := func(h config.HTTP) config.HTTP { h.Ingest = config.HTTPIngest{}; return h }
	return errors.Join(
		restartNeeded("data_dir", old.DataDir, cfg.DataDir),
		restartNeeded("log_level", old.LogLevel, cfg.LogLevel),
		restartNeeded("http", http(old.HTTP), http(cfg.HTTP)),
		restartNeeded("auth", old.Auth, cfg.Auth),
		restartNeeded("pipeline", old.Pipeline, cfg.Pipeline),
		restartNeeded("enrich", old.Enrich, cfg.Enrich),
		restartNeeded("patterns", old.Patterns, cfg.Patterns),
		restartNeeded("bus", old.Bus, cfg.Bus))
}

// Stop stops the node in reverse order: the HTTP API and the sources stop
// taking data, the pipeline finishes what it holds, then the modules
// finish theirs and the stores close.
func (a *App) Stop() {
	a.timed("http", func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = a.http.Shutdown(ctx)
	})
	a.timed("sources", func() {
		if a.cancel != nil {
			a.cancel()
		}
		a.wg.Wait()
	})
	a.timed("pipeline", a.pipe.Stop)
	a.timed("patterns", a.savePatterns)
	for i := len(a.modules) - 1; i >= 0; i-- {
		a.modules[i].Stop(a)
	}
	a.auditLifecycle("vigil.stop")
	a.timed("store", a.close)
}

// timed runs fn and logs how long the part took to stop.
func (a *App) timed(what string, fn func()) {
	start := time.Now()
	fn()
	a.log.Info("stopped", "part", what, "took", time.Since(start).Round(time.Millisecond))
}

// close closes the audit log, then what the modules opened, in reverse
// order; New calls it when it fails.
func (a *App) close() {
	if a.audit != nil {
		a.audit.Close()
	}
	for i := len(a.modules) - 1; i >= 0; i-- {
		a.modules[i].Close(a)
	}
	if q := a.queryRole; q != nil && !slices.Contains(a.modules, Module(q)) {
		q.Close(a) // New failed after the query role opened its backend
	}
	if a.bus != nil {
		a.bus.Close()
	}
	if a.deadFile != nil {
		_ = a.deadFile.Close()
	}
}
