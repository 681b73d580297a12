// Package enrich owns the enrichment stage of the pipeline (DESIGN §2):
// it builds the configured enrichers from vigil.yaml's enrich section, in
// the order they run, keeps their files and feeds fresh, and provides the
// sink that turns threat-intelligence matches into alerts. The enrichers
// themselves live in geoip, intel and assets.
//
// Wiring (internal/app):
//
//	set, err := enrich.New(ctx, cfg.Enrich, logger)
//	go set.Run(ctx)                          // reloads databases, inventories, feeds
//	processors = append(normalisers, set.Processors()...)
//	if sink := set.AlertSink(alertSink); sink != nil {
//		sinks = append(sinks, sink)                // after the store sink
//	}
//	set.Register(prometheusRegistry)             // vigil_intel_*, vigil_assets_*
package enrich

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich/assets"
	"github.com/vigilsiem/vigil/internal/enrich/geoip"
	"github.com/vigilsiem/vigil/internal/enrich/intel"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Set is the configured enrichers; the ones not configured are nil.
type Set struct {
	GeoIP  *geoip.Enricher
	Assets *assets.Enricher
	Intel  *intel.Intel
	cfg    config.Enrich
}

// New builds the enrichers cfg configures (cfg must have been validated).
// A GeoIP database or inventory that cannot be loaded is an error; a feed
// file that cannot be loaded is logged and retried, and URL feeds are
// first fetched by Run, so feed servers never delay start-up (intel.New).
func New(ctx context.Context, cfg config.Enrich, log *slog.Logger) (*Set, error) {
	s := &Set{cfg: cfg}
	var err error
	if cfg.GeoIP.Enabled() {
		s.GeoIP, err = geoip.New(geoip.Options{City: cfg.GeoIP.City, ASN: cfg.GeoIP.ASN, Fields: cfg.GeoIP.Fields,
			Language: cfg.GeoIP.Language, CheckInterval: cfg.GeoIP.CheckInterval.D(), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("enrich: %w", err)
		}
	}
	if cfg.Assets.Enabled() {
		s.Assets, err = assets.New(assets.Options{Hosts: cfg.Assets.Hosts, Users: cfg.Assets.Users,
			CheckInterval: cfg.Assets.CheckInterval.D(), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("enrich: %w", err)
		}
	}
	if cfg.Intel.Enabled() {
		feeds := make([]intel.Feed, 0, len(cfg.Intel.Feeds))
		for _, f := range cfg.Intel.Feeds {
			conf := intel.ConfidenceUnknown
			if f.Confidence != nil {
				conf = *f.Confidence
			}
			feeds = append(feeds, intel.Feed{Name: f.Name, Format: f.Format, Path: f.Path, URL: f.URL, Headers: f.Headers,
				Refresh: f.Refresh.D(), Confidence: conf, Provider: f.Provider, IncludeNonIDS: f.IncludeNonIDS, MaxBytes: int64(f.MaxBytes)})
		}
		s.Intel, err = intel.New(ctx, intel.Options{Feeds: feeds, Fields: cfg.Intel.Fields,
			CheckInterval: cfg.Intel.CheckInterval.D(), Logger: log})
		if err != nil {
			return nil, fmt.Errorf("enrich: %w", err)
		}
	}
	return s, nil
}

// Processors returns the configured enrichers in the order they run:
// GeoIP, assets (which write the criticality alerts read), then threat
// intelligence. Normalisers go before all of them.
func (s *Set) Processors() []pipeline.Processor {
	var ps []pipeline.Processor
	if s.GeoIP != nil {
		ps = append(ps, s.GeoIP)
	}
	if s.Assets != nil {
		ps = append(ps, s.Assets)
	}
	if s.Intel != nil {
		ps = append(ps, s.Intel)
	}
	return ps
}

// Run keeps the enrichers' files and feeds fresh until ctx ends.
func (s *Set) Run(ctx context.Context) {
	var wg sync.WaitGroup
	run := func(f func(context.Context)) {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	if s.GeoIP != nil {
		run(s.GeoIP.Run)
	}
	if s.Assets != nil {
		run(s.Assets.Run)
	}
	if s.Intel != nil {
		run(s.Intel.Run)
	}
	wg.Wait()
}

// AlertSink returns the sink that raises alerts for indicator matches,
// writing them to out; nil when no feed is configured. Add it after the
// store sink.
func (s *Set) AlertSink(out alert.Sink) pipeline.Sink {
	if s.Intel == nil {
		return nil
	}
	return intel.NewAlertSink(out, s.Intel, s.cfg.Intel.AlertWindow.D())
}
