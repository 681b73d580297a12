package app

import (
	"path/filepath"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/patterns"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// openPatterns opens the pattern tables of an ingest node from the data
// directory (docs/format/patterns.md) and returns the processor list with
// the miner last, so it sees what every normaliser left undescribed. It
// returns procs unchanged when mining is off or the node does not ingest.
func (a *App) openPatterns(cfg *config.Config, procs []pipeline.Processor) ([]pipeline.Processor, error) {
	pc := cfg.Patterns
	if pc.Disabled || !a.opts.Roles.Has(RoleIngest) {
		return procs, nil
	}
	set, err := patterns.New(patterns.Options{
		Miner:        patterns.MinerOptions{Similarity: pc.Similarity, MaxPatterns: pc.MaxPatterns},
		MaxTables:    pc.MaxTables,
		Learning:     patterns.Learning{Events: pc.LearnEvents, Period: pc.LearnPeriod.D()},
		File:         filepath.Join(cfg.DataDir, "patterns", "patterns.json"),
		SaveInterval: pc.SaveInterval.D(),
		Registerer:   a.reg,
		Logger:       a.log,
	})
	if err != nil {
		return nil, err
	}
	a.patterns = set
	return append(procs, set), nil
}

// savePatterns writes the pattern tables at shutdown.
func (a *App) savePatterns() {
	if a.patterns == nil {
		return
	}
	if err := a.patterns.Save(); err != nil {
		a.log.Error("save pattern tables", "err", err)
	}
}
