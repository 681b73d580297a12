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
	"path/filepath"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/alert/alertlog"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/audit"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/enrich"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/patterns"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/response"
	"github.com/vigilsiem/vigil/internal/source/httpin"
	"github.com/vigilsiem/vigil/internal/store/alerts"
	"github.com/vigilsiem/vigil/internal/store/clickhouse"
	"github.com/vigilsiem/vigil/internal/store/embedded"
	"github.com/vigilsiem/vigil/internal/tail"

	// Source and output types register themselves with the configuration.
	_ "github.com/vigilsiem/vigil/internal/forward/all"
	_ "github.com/vigilsiem/vigil/internal/source/evtx"
	_ "github.com/vigilsiem/vigil/internal/source/file"
	_ "github.com/vigilsiem/vigil/internal/source/kafka"
	_ "github.com/vigilsiem/vigil/internal/source/nats"
	_ "github.com/vigilsiem/vigil/internal/source/netflow"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/azblob"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/folder"
	_ "github.com/vigilsiem/vigil/internal/source/objstore/s3"
	_ "github.com/vigilsiem/vigil/internal/source/syslog"
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

// App is a running Vigil.
type App struct {
	cfg  *config.Config
	opts Options
	log  *slog.Logger
	reg  *prometheus.Registry

	store *embedded.Store
	tail  *tail.Hub
	// events is the clickhouse backend (storage.backend: clickhouse): it
	// then keeps events, dead letters and audit entries and answers
	// searches; alerts and incidents stay in the embedded store.
	events *clickhouse.Store
	alerts *alerts.Store
	// alertLog is the durable log detection writes alerts to; its applier
	// feeds alerts, incidents and responses.
	alertLog *alertlog.Log
	detect   *detect.Engine
	enrich   *enrich.Set
	forward  *forward.Manager
	// incidents groups alerts; responses runs the configured actions.
	incidents   *incident.Manager
	responses   *response.Dispatcher
	watchlists  *watchlist.Store
	responseLog *response.Recorder
	audit       *audit.Log
	alertOut    alert.Sink
	deadFile    *fileDeadLetters
	patterns    *patterns.Set
	pipe        *pipeline.Pipeline
	sources     []pipeline.Source
	http        *http.Server
	httpLn      net.Listener

	// analytics learns entity baselines and risk (nil when disabled).
	analytics *entity.Engine

	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan error

	// sourceHealth tracks sources and meters usage (store nodes).
	sourceHealth *sourceHealth
}

// listener is implemented by sources that bind a socket, so the app can
// fail at start on a port that is taken instead of later in Run.
type listener interface {
	Listen() error
	Addr() net.Addr
}

// New builds everything the node's roles need; Start starts it.
func New(cfg *config.Config, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Roles == nil {
		opts.Roles = AllRoles
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
	ctx := context.Background()
	roles := opts.Roles

	// Storage: the store role keeps events, dead letters and alerts; other
	// nodes keep their dead letters in a file.
	var dead pipeline.DeadLetterSink
	var alertBase alert.Sink
	if roles.Has(RoleStore) {
		st, err := embedded.Open(embedded.Options{
			Dir:              cfg.DataDir,
			HotAge:           cfg.Storage.HotAge.D(),
			HotBytes:         int64(cfg.Storage.HotBytes),
			CompressionLevel: cfg.Storage.CompressionLevel,
			MemoryLimit:      fmt.Sprintf("%dMB", int64(cfg.Storage.MemoryLimit)>>20),
			Threads:          cfg.Storage.Query.Threads,
			QueryTimeout:     cfg.Storage.Query.Timeout.D(),
			Columns:          embedded.ColumnLimits{TenantColumns: cfg.Storage.MaxTenantColumns, DatasetColumns: cfg.Storage.MaxDatasetColumns},
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
		var auditSink audit.Sink = st
		if cfg.Storage.Backend == config.BackendClickHouse {
			if a.events, err = a.openClickHouse(ctx); err != nil {
				return nil, err
			}
			auditSink = a.events
		}
		a.audit = audit.New(auditSink, a.log, a.reg)
		// Alerts stay in the embedded store with either backend: their
		// triage (status, assignee, notes) needs transactions
		// (clickhouse.Alerts keeps alerts but not yet their triage).
		if a.alerts, err = st.OpenAlerts(ctx); err != nil {
			return nil, err
		}
		if alertBase, err = a.openTriage(ctx, st); err != nil {
			return nil, err
		}
		dead = st
		if a.events != nil {
			dead = a.events
		}
	} else {
		fd, err := openFileDeadLetters(cfg.DataDir)
		if err != nil {
			return nil, err
		}
		a.deadFile = fd
		dead = fd
		// Without the store the audit log goes to the process log.
		a.audit = audit.New(nil, a.log, a.reg)
	}

	// Delivery: the forward role drains durable queues into the outputs;
	// alerts are routed too.
	var sinks []pipeline.Sink
	if a.events != nil {
		sinks = append(sinks, a.events)
	} else if a.store != nil {
		sinks = append(sinks, a.store)
	}
	if a.store != nil && roles.Has(RoleQuery) {
		// Live tail learns of events once they are stored.
		hub, err := tail.New(tail.Options{Registerer: a.reg})
		if err != nil {
			return nil, fmt.Errorf("live tail: %w", err)
		}
		a.tail, sinks = hub, append(sinks, hub)
	}
	if a.store != nil {
		d, health, err := a.openSourceHealth(dead)
		if err != nil {
			return nil, err
		}
		dead, sinks = d, append(sinks, health...)
	}
	alertOut := alertBase
	if roles.Has(RoleForward) {
		fw, err := forward.New(cfg.Outputs, cfg.Routes, forward.Env{DataDir: cfg.DataDir, Registerer: a.reg, Logger: a.log})
		if err != nil {
			return nil, fmt.Errorf("outputs: %w", err)
		}
		a.forward = fw
		alertOut = fw.AlertSink(alertBase)
	}
	if alertOut == nil {
		alertOut = alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil })
	}
	a.alertOut = alertOut

	procs, enrichSet, err := Processors(ctx, cfg, a.log)
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
		// Entity analytics raise alerts of their own and take the risk of
		// every other detector's alerts (detectOut).
		detectOut := alertOut
		if !cfg.Analytics.Disabled {
			// Analytics alerts go out, then to the rules as events
			// (entity.AlertEvents), so rules and correlations can use them.
			out := alertOut
			analyticsOut := alert.SinkFunc(func(ctx context.Context, as []alert.Alert) error {
				if err := out.WriteAlerts(ctx, as); err != nil {
					return err
				}
				if a.detect == nil {
					return nil
				}
				return a.detect.Write(ctx, entity.AlertEvents(as))
			})
			if a.analytics, err = entity.New(entity.Options{Config: cfg.Analytics, Dir: filepath.Join(cfg.DataDir, "state", "analytics"),
				Logger: a.log}, analyticsOut); err != nil {
				return nil, fmt.Errorf("entity analytics: %w", err)
			}
			if err := a.reg.Register(a.analytics); err != nil {
				return nil, fmt.Errorf("entity analytics: metrics: %w", err)
			}
			detectOut = a.analytics.AlertSink(alertOut)
		}
		if s := enrichSet.AlertSink(detectOut); s != nil {
			sinks = append(sinks, s)
		}
		if a.watchlists, err = watchlist.Open(watchlist.Options{Dir: filepath.Join(cfg.DataDir, "watchlists"),
			MaxEntries: cfg.Rules.Watchlists.MaxEntries, Registerer: a.reg, Logger: a.log}); err != nil {
			return nil, fmt.Errorf("watch-lists: %w", err)
		}
		ruleDirs, builtin, sigmaCfg, err := ruleSources(cfg)
		if err != nil {
			return nil, fmt.Errorf("rules: %w", err)
		}
		toggles, err := detect.OpenToggles(RuleTogglesFile(cfg.DataDir))
		if err != nil {
			return nil, err
		}
		{
			co := cfg.Rules.Correlation
			if a.detect, err = detect.New(detect.Config{
				Dirs: ruleDirs, Builtin: builtin, Sigma: sigmaCfg, Logger: a.log, Window: cfg.Rules.AlertWindow.D(),
				StateDir: filepath.Join(cfg.DataDir, "state", "correlation"), Watchlists: a.watchlists, Registerer: a.reg,
				Lateness: co.Lateness.D(), MaxKeys: co.MaxKeys, MaxKeysPerRule: co.MaxKeysPerRule,
				SnapshotInterval: co.SnapshotInterval.D(), MaxFuture: co.MaxFuture.D(), OnReload: a.auditRuleReload, Toggles: toggles,
			}, detectOut); err != nil {
				return nil, fmt.Errorf("load rules: %w", err)
			}
			sinks = append(sinks, a.detect)
		}
		if a.analytics != nil {
			sinks = append(sinks, a.analytics)
		}
	}
	// The router runs after the store, so what is queued for delivery is
	// stored, and after detection, so enriched copies go out.
	if a.forward != nil {
		sinks = append(sinks, a.forward.Sink())
	}
	if len(sinks) == 0 {
		return nil, fmt.Errorf("roles %v keep nothing: add store, detect or forward", roles)
	}

	if err := wirePipelines(procs, dead, a.reg); err != nil {
		return nil, err
	}
	a.pipe, err = pipeline.New(pipeline.Config{
		Workers:      cfg.Pipeline.Workers,
		QueueBatches: cfg.Pipeline.QueueBatches,
		Parsers:      parserFactory(cfg.Sources),
		Ordered:      orderedFormat,
		Processors:   procs,
		Sinks:        sinks,
		DeadLetters:  dead,
		Metrics:      metrics,
		Logger:       a.log,
	})
	if err != nil {
		return nil, err
	}

	env := config.SourceEnv{DataDir: cfg.DataDir, Metrics: metrics, Logger: a.log}
	for _, sc := range cfg.Sources {
		if !roles.Has(RoleIngest) && !isBusSource(sc.Common().Type) {
			continue
		}
		src, err := sc.NewSource(env)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", sc.Common().Name, err)
		}
		a.sources = append(a.sources, src)
		if c, ok := src.(prometheus.Collector); ok {
			if err := a.reg.Register(c); err != nil {
				return nil, fmt.Errorf("source %s: metrics: %w", sc.Common().Name, err)
			}
		}
	}

	var mounts []api.Mounter
	var ingest *httpin.Handler
	if roles.Has(RoleIngest) {
		ingest = httpin.New(cfg.HTTP.Ingest, a.pipe, metrics, a.log)
		if err := a.reg.Register(ingest); err != nil {
			return nil, fmt.Errorf("http ingest: metrics: %w", err)
		}
		mounts = append(mounts, api.Ingest{Handler: ingest})
	}
	var searcher api.Searcher
	if a.store != nil && roles.Has(RoleQuery) {
		searcher = viewerLimits{a.store, cfg.Storage.Query.ViewerTimeout.D()}
		if a.events != nil {
			searcher = viewerLimits{a.events, cfg.Storage.Query.ViewerTimeout.D()}
		}
		mounts = append(mounts, api.AlertsHandler{Alerts: flushedAlerts{a.alerts, a.alertLog}}, api.AdminHandler{Store: a.store}, api.RetentionHandler{Store: a.store},
			api.IncidentsHandler{Incidents: flushedIncidents{a.incidents, a.alertLog}}, api.ResponsesHandler{Records: a.responseLog},
			api.ResponseRunHandler{Dispatcher: a.responses, Alerts: flushedAlerts{a.alerts, a.alertLog}})
		if a.sourceHealth != nil {
			mounts = append(mounts, a.sourceHealth.mount())
		}
		if a.tail != nil {
			mounts = append(mounts, api.TailHandler{Hub: a.tail, Store: searcher})
		}
	}
	if a.forward != nil {
		mounts = append(mounts, api.OutputsHandler{Outputs: a.forward})
	}
	if a.watchlists != nil {
		mounts = append(mounts, api.WatchlistsHandler{Store: a.watchlists})
	}
	if a.analytics != nil {
		mounts = append(mounts, api.EntitiesHandler{Entities: a.analytics, Store: searcher})
	}
	if a.patterns != nil {
		mounts = append(mounts, api.PatternsHandler{Patterns: a.patterns})
	}
	if opts.Pprof {
		mounts = append(mounts, api.PprofHandler{})
	}
	authn := auth.New(cfg.Auth, auth.WithAudit(a.audit))
	for _, c := range authn.Collectors() {
		if err := a.reg.Register(c); err != nil {
			return nil, fmt.Errorf("auth: metrics: %w", err)
		}
	}
	if roles.Has(RoleQuery) {
		cm, err := a.consoleMounts(cfg, authn, ingest)
		if err != nil {
			return nil, err
		}
		mounts = append(mounts, cm...)
	}
	srv := api.New(api.Deps{
		Store:    searcher,
		Gatherer: a.reg,
		Mounts:   mounts,
		Logger:   a.log,
		Version:  opts.Version,
		Health:   a.health,
		Auth:     authn,
		Audit:    a.audit,
	})
	lim := cfg.HTTP.Limits
	a.http = &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: lim.ReadHeaderTimeout.D(), ReadTimeout: lim.ReadTimeout.D(),
		IdleTimeout: lim.IdleTimeout.D(), ErrorLog: slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)}
	ok = true
	return a, nil
}

func (a *App) health() map[string]any {
	h := map[string]any{"pipeline_queue": a.pipe.QueueLen(), "roles": a.opts.Roles}
	if a.store != nil {
		// A part that fails but recovers by itself (a full disk) makes the
		// status "degraded", with the reasons; the answer stays 200.
		if reasons := a.store.Degraded(); len(reasons) > 0 {
			h["status"] = "degraded"
			h["degraded"] = reasons
		}
	}
	if a.forward != nil {
		h["outputs"] = outputsHealth(a.forward.Status())
	}
	if a.detect != nil {
		st := a.detect.Status()
		h["rules"] = st
	}
	if a.analytics != nil {
		h["analytics"] = a.analytics.Stats()
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
	tcpLn, err := net.Listen("tcp", a.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("http listener: %w", err)
	}
	ln, err := a.limitHTTP(tcpLn)
	if err != nil {
		tcpLn.Close()
		return err
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
	if a.forward != nil {
		a.forward.Start()
	}
	if a.responses != nil {
		a.responses.Start()
	}
	if a.alertLog != nil {
		a.alertLog.Start()
	}
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
	if a.watchlists != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.watchlists.Run(ctx.Done()) }()
	}
	if a.events != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.runClickHouseRetention(ctx) }()
	}
	if a.analytics != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.analytics.Run(ctx) }()
	}
	a.wg.Add(1)
	go func() { defer a.wg.Done(); a.enrich.Run(ctx) }()
	if a.patterns != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.patterns.Run(ctx) }()
	}
	if a.forward != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.forward.RunHealthAlerts(ctx, a.alertOut) }()
	}
	if a.sourceHealth != nil {
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.sourceHealth.run(ctx, a.alertOut) }()
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
	a.log.Info("vigil started", "roles", fmt.Sprint(a.opts.Roles), "http", ln.Addr().String(), "sources", len(a.sources), "data", a.cfg.DataDir)
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
	timed("patterns", a.savePatterns)
	timed("detection", func() {
		if a.detect != nil {
			if err := a.detect.Close(); err != nil {
				a.log.Error("close detection", "err", err)
			}
		}
		if a.watchlists != nil {
			if err := a.watchlists.Close(); err != nil {
				a.log.Error("close watch-lists", "err", err)
			}
		}
		if a.analytics != nil {
			if err := a.analytics.Close(); err != nil {
				a.log.Error("write baselines", "err", err)
			}
		}
	})
	if a.forward != nil {
		timed("outputs", func() {
			if err := a.forward.Stop(); err != nil {
				a.log.Error("stop outputs", "err", err)
			}
		})
	}
	if a.alertLog != nil {
		timed("alert log", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := a.alertLog.Close(ctx); err != nil {
				a.log.Error("apply the alert log", "err", err)
			}
			a.alertLog = nil
		})
	}
	if a.responses != nil {
		timed("responses", func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := a.responses.Close(ctx); err != nil {
				a.log.Error("stop responses", "err", err)
			}
		})
	}
	a.auditLifecycle("vigil.stop")
	timed("store", a.closeStores)
}

func (a *App) closeStores() {
	if a.alertLog != nil { // New failed: the log keeps what is pending for the next start
		if err := a.alertLog.Close(context.Background()); err != nil {
			a.log.Error("close the alert log", "err", err)
		}
	}
	if a.audit != nil {
		a.audit.Close()
	}
	if a.sourceHealth != nil {
		if err := a.sourceHealth.close(); err != nil {
			a.log.Error("close usage metering", "err", err)
		}
	}
	if a.deadFile != nil {
		_ = a.deadFile.Close()
	}
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("close store", "err", err)
		}
	}
	if a.events != nil {
		_ = a.events.Close()
	}
}

// isBusSource reports source types that read from the message bus of a
// distributed deployment (Kafka, NATS): they run on any node, since a
// forward-only or detect-only node reads its events from them.
func isBusSource(typ string) bool { return typ == "kafka" || typ == "nats" }

// openTriage opens what alerts pass through on a store node, in order: the
// alert table, incident grouping, and the response actions. Grouping
// errors are logged, not returned: an incident that cannot be written must
// not make the pipeline refuse the events that raised the alert (the alert
// itself is stored, and grouping resumes from the tables at the next
// start). Responses never block: the dispatcher queues or drops, recorded.
func (a *App) openTriage(ctx context.Context, st *embedded.Store) (alert.Sink, error) {
	incStore, err := st.OpenIncidents(ctx)
	if err != nil {
		return nil, err
	}
	responseLog, err := st.OpenResponses(ctx)
	if err != nil {
		return nil, err
	}
	a.responseLog = response.NewRecorder(responseLog, a.log)
	if a.responses, err = response.New(ctx, response.Options{Responses: a.cfg.Responses, Recorder: a.responseLog, Registerer: a.reg, Logger: a.log,
		Audit: a.auditResponse}); err != nil {
		return nil, fmt.Errorf("responses: %w", err)
	}
	ic := incident.FromConfig(a.cfg.Incidents)
	ic.Notify, ic.Registerer, ic.Logger = a.responses, a.reg, a.log
	if a.incidents, err = incident.New(ctx, incStore, ic); err != nil {
		return nil, fmt.Errorf("incidents: %w", err)
	}
	chain := alert.SinkFunc(func(ctx context.Context, as []alert.Alert) error {
		if err := a.alerts.WriteAlerts(ctx, as); err != nil {
			return err // not applied: the log keeps the batch and retries it
		}
		if err := a.incidents.WriteAlerts(ctx, as); err != nil {
			a.log.Error("group alerts into incidents", "alerts", len(as), "err", err)
		}
		if err := a.responses.WriteAlerts(ctx, as); err != nil {
			a.log.Error("dispatch alert responses", "alerts", len(as), "err", err)
		}
		return nil
	})
	// Detection appends to the durable alert log and returns; the log's
	// applier moves alerts through the chain in large batches
	// (internal/alert/alertlog, docs/storage.md "Alerts").
	if a.alertLog, err = alertlog.Open(alertlog.Options{Dir: filepath.Join(a.cfg.DataDir, "alertlog"), Apply: chain,
		Interval: a.cfg.Storage.AlertApplyInterval.D(), Logger: a.log, Registerer: a.reg}); err != nil {
		return nil, err
	}
	return a.alertLog, nil
}
