package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all" // normalisers register themselves
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Processors returns the processors every event passes between parsing and
// the sinks, in order: the vendor normalisers (normalize.BeforePipelines:
// Windows, Cisco ASA, web access logs, Linux auth logs), the declarative
// pipelines (built-in and cfg.Pipeline.Dir), the normalisers that follow
// them (normalize.AfterPipelines: the join of multi-line audit records, the
// common fields for what neither mapped), then the enrichers cfg configures
// (GeoIP, assets, threat intelligence). Normalisers register themselves
// (internal/normalize/all). `vigil parse`, `vigil hunt` and `vigil
// pipelines test` run the same list, so what they print is what serve
// stores and matches. The returned set owns the enrichers' reloading (Run)
// and their alert sink; it is nil when cfg is nil (normalisers and built-in
// pipelines only).
func Processors(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]pipeline.Processor, *enrich.Set, error) {
	dir := ""
	if cfg != nil {
		dir = cfg.Pipeline.Dir
	}
	set, err := PipelineSet(dir)
	if err != nil {
		return nil, nil, err
	}
	procs := append(normalize.Processors(normalize.BeforePipelines), ingest.NewProcessor(set, log))
	procs = append(procs, normalize.Processors(normalize.AfterPipelines)...)
	if cfg == nil {
		return procs, nil, nil
	}
	es, err := enrich.New(ctx, cfg.Enrich, log)
	if err != nil {
		return nil, nil, err
	}
	return append(procs, es.Processors()...), es, nil
}

// PipelineSet compiles the built-in pipelines and those of dir ("" for
// none), the user's first.
func PipelineSet(dir string) (*ingest.Set, error) {
	builtin, err := pipelines.Load()
	if err != nil {
		return nil, fmt.Errorf("built-in pipelines: %w", err)
	}
	var user []*ingest.Pipeline
	if dir != "" {
		if user, err = ingest.LoadDir(dir); err != nil {
			return nil, fmt.Errorf("pipelines: %w", err)
		}
	}
	return ingest.NewSet(user, builtin)
}

// wirePipelines hands the dead-letter store to the pipeline stage, so
// records whose pipeline failed are kept there with the reason, and
// registers its per-pipeline counts.
func wirePipelines(procs []pipeline.Processor, dead pipeline.DeadLetterSink, reg prometheus.Registerer) error {
	for _, p := range procs {
		if ip, ok := p.(*ingest.Processor); ok {
			ip.SetDeadLetters(dead)
			if err := ip.Register(reg); err != nil {
				return fmt.Errorf("register pipeline metrics: %w", err)
			}
		}
	}
	return nil
}
