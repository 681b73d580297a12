package app

import (
	"context"
	"log/slog"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/enrich"
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Processors returns the processors every event passes between parsing and
// the sinks, in order: the vendor normalisers (Windows, Cisco ASA, web
// access logs, Linux auth logs), the common-fields normaliser (src=,
// user=, structured data … for what no vendor normaliser mapped), then the
// enrichers cfg configures (GeoIP,
// assets, threat intelligence). `vigil parse` and `vigil hunt` run the same
// list, so what they print is what serve stores and matches. The returned
// set owns the enrichers' reloading (Run) and their alert sink; it is nil
// when cfg is nil (normalisers only).
func Processors(ctx context.Context, cfg *config.Config, log *slog.Logger) ([]pipeline.Processor, *enrich.Set, error) {
	procs := []pipeline.Processor{
		normalize.NewWindows(),
		normalize.NewCiscoASA(),
		normalize.NewWebLog(),
		normalize.NewAuthLog(),
		normalize.NewCommonFields(),
	}
	if cfg == nil {
		return procs, nil, nil
	}
	set, err := enrich.New(ctx, cfg.Enrich, log)
	if err != nil {
		return nil, nil, err
	}
	return append(procs, set.Processors()...), set, nil
}
