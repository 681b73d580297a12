package app

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/enrich/assets"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// detectRole runs Sigma rules, correlations, watch-lists, the enrichers'
// alerts and entity analytics.
type detectRole struct {
	engine     *detect.Engine
	watchlists *watchlist.Store
	// analytics learns entity baselines and risk (nil when disabled).
	analytics *entity.Engine
	sinks     []pipeline.Sink
	cfg       *config.Config
	// bus is the role's part on a node with a bus (role_detect_bus.go):
	// it reads the events and shards the correlations; nil without one.
	bus *busDetect
}

// Name implements Module.
func (*detectRole) Name() string { return string(RoleDetect) }

// Init loads the rules and opens the watch-lists and analytics; alerts go
// to the node's alert sink.
func (m *detectRole) Init(a *App) error {
	cfg := a.cfg
	m.cfg = cfg
	alertOut := a.alertOut
	var route func(context.Context, *correlate.Set, []correlate.Hit) error
	if a.bus != nil {
		// The events come from the bus, in transactions that also carry
		// the alerts of their batch and the correlation hits.
		var err error
		if m.bus, err = newBusDetect(a, a.bus, processBatch(a, func() []pipeline.Sink { return m.sinks })); err != nil {
			return fmt.Errorf("detect over the bus: %w", err)
		}
		alertOut = txAlerts{bus: a.bus, next: a.alertOut}
		route = m.bus.route
	}
	// Entity analytics raise alerts of their own and take the risk of
	// every other detector's alerts (detectOut).
	detectOut := alertOut
	var err error
	if !cfg.Analytics.Disabled {
		// Analytics alerts go out, then to the rules as events
		// (entity.AlertEvents), so rules and correlations can use them.
		analyticsOut := alert.SinkFunc(func(ctx context.Context, as []alert.Alert) error {
			if err := alertOut.WriteAlerts(ctx, as); err != nil {
				return err
			}
			if m.engine == nil {
				return nil
			}
			return m.engine.Write(ctx, entity.AlertEvents(as))
		})
		if m.bus != nil {
			// sharded by entity: the events and the risk of alerts go to
			// the owner of each entity (role_detect_bus.go)
			if detectOut, err = m.bus.routeAnalytics(a, cfg.Analytics, alertOut, analyticsOut); err != nil {
				return fmt.Errorf("entity analytics over the bus: %w", err)
			}
		} else {
			if m.analytics, err = entity.New(entity.Options{Config: cfg.Analytics, Dir: filepath.Join(cfg.DataDir, "state", "analytics"),
				Logger: a.log}, analyticsOut); err != nil {
				return fmt.Errorf("entity analytics: %w", err)
			}
			if err := a.reg.Register(m.analytics); err != nil {
				return fmt.Errorf("entity analytics: metrics: %w", err)
			}
			detectOut = m.analytics.AlertSink(alertOut)
		}
	}
	if s := a.enrich.AlertSink(detectOut); s != nil {
		m.sinks = append(m.sinks, s)
	}
	if m.watchlists, err = watchlist.Open(watchlist.Options{Dir: filepath.Join(cfg.DataDir, "watchlists"),
		MaxEntries: cfg.Rules.Watchlists.MaxEntries, Registerer: a.reg, Logger: a.log,
		Publisher: watchlistPublisher(a)}); err != nil {
		return fmt.Errorf("watch-lists: %w", err)
	}
	ruleDirs, builtin, sigmaCfg, err := ruleSources(cfg)
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	toggles, err := detect.OpenToggles(RuleTogglesFile(cfg.DataDir))
	if err != nil {
		return err
	}
	co := cfg.Rules.Correlation
	if m.engine, err = detect.New(detect.Config{
		Dirs: ruleDirs, Builtin: builtin, Sigma: sigmaCfg, Logger: a.log, Window: cfg.Rules.AlertWindow.D(),
		StateDir: filepath.Join(cfg.DataDir, "state", "correlation"), Watchlists: m.watchlists, Registerer: a.reg,
		Lateness: co.Lateness.D(), MaxKeys: co.MaxKeys, MaxKeysPerRule: co.MaxKeysPerRule,
		SnapshotInterval: co.SnapshotInterval.D(), MaxFuture: co.MaxFuture.D(), OnReload: m.onReload(a),
		AlertLevel: assets.AlertLevel, AlertLevelFields: []string{assets.FieldCriticality}, Toggles: toggles,
		Route: route,
	}, detectOut); err != nil {
		return fmt.Errorf("load rules: %w", err)
	}
	m.sinks = append(m.sinks, m.engine)
	if m.analytics != nil {
		m.sinks = append(m.sinks, m.analytics)
	}
	if s := m.bus.analyticsSink(); s != nil {
		m.sinks = append(m.sinks, s)
	}
	return nil
}

// onReload audits a rule load and, on a bus, switches the correlation
// router and owner to the new correlations.
func (m *detectRole) onReload(a *App) func(detect.ReloadInfo) {
	return func(info detect.ReloadInfo) {
		a.auditRuleReload(info)
		if m.bus != nil && m.engine != nil && info.Err == nil {
			m.bus.rulesChanged(m.engine.Correlations())
		}
	}
}

// Sinks implements Module: the enrichers' alerts, the rules, analytics.
// On a bus they read the events from it (role_detect_bus.go), not from
// the pipeline.
func (m *detectRole) Sinks() []pipeline.Sink { return m.sinks }

// Mount implements Module: the watch-lists, and the entities (whose events
// the query role's searcher finds, when this node has it).
func (m *detectRole) Mount(a *App) []api.Mounter {
	ms := []api.Mounter{api.WatchlistsHandler{Store: m.watchlists}}
	if m.analytics != nil {
		ms = append(ms, api.EntitiesHandler{Entities: m.analytics, Store: a.searcher()})
	} else if r := m.bus.entityViews(); r != nil {
		ms = append(ms, api.EntitiesHandler{Entities: r, Store: a.searcher()})
	}
	return ms
}

// Start implements Module: rule reloads, watch-list expiry, analytics.
func (m *detectRole) Start(_ context.Context, a *App) error {
	if m.bus != nil {
		if err := m.bus.start(a, m.engine.Correlations(), m.shardEngine(a), m.engine.WriteFirings); err != nil {
			return fmt.Errorf("correlation over the bus: %w", err)
		}
	}
	a.run(func(ctx context.Context) { _ = m.engine.Run(ctx) })
	a.run(func(ctx context.Context) { m.watchlists.Run(ctx.Done()) })
	a.replicateWatchlists(m.watchlists)
	if m.analytics != nil {
		a.run(m.analytics.Run)
	}
	return nil
}

// shardEngine configures the engine of each owned hit partition: the
// caps on groups are the node's divided by the partitions, so a node that
// owns every partition holds at most what one engine would.
func (m *detectRole) shardEngine(a *App) correlate.Options {
	co := m.cfg.Rules.Correlation
	parts := max(a.bus.Kafka().Partitions, 1)
	perRule, total := co.MaxKeysPerRule, co.MaxKeys
	if perRule <= 0 {
		perRule = correlate.DefaultMaxKeysPerRule
	}
	if total <= 0 {
		total = correlate.DefaultMaxKeys
	}
	return correlate.Options{Lateness: co.Lateness.D(), MaxKeysPerRule: max(perRule/parts, 1), MaxKeys: max(total/parts, 1), Logger: a.log}
}

// Stop writes the correlation state, the watch-lists and the baselines.
func (m *detectRole) Stop(a *App) {
	a.timed("detection", func() {
		if err := m.engine.Close(); err != nil {
			a.log.Error("close detection", "err", err)
		}
		if err := m.watchlists.Close(); err != nil {
			a.log.Error("close watch-lists", "err", err)
		}
		if m.analytics != nil {
			if err := m.analytics.Close(); err != nil {
				a.log.Error("write baselines", "err", err)
			}
		}
	})
}

// Close implements Module: the bus consumer of a node that did not start.
func (m *detectRole) Close(*App) {
	if m.bus != nil {
		m.bus.close()
	}
}

// ApplyConfig reads the rule files again now (they are also polled); the
// rule and analytics settings themselves need a restart.
func (m *detectRole) ApplyConfig(_ *App, cfg *config.Config) error {
	err := errors.Join(restartNeeded("rules", m.cfg.Rules, cfg.Rules), restartNeeded("analytics", m.cfg.Analytics, cfg.Analytics))
	if _, rerr := m.engine.Reload(); rerr != nil {
		err = errors.Join(err, fmt.Errorf("reload rules: %w", rerr))
	}
	return err
}
