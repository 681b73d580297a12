package config

import (
	"errors"
	"time"
)

// Patterns configures template mining of messages no normaliser
// describes (docs/patterns.md).
type Patterns struct {
	// Disabled turns mining off. Default: on.
	Disabled bool `yaml:"disabled"`
	// MaxPatterns bounds the patterns of one tenant and source; the least
	// recently seen is forgotten beyond it. Default: 5000.
	MaxPatterns int `yaml:"max_patterns"`
	// MaxTables bounds the tenant and source pairs mined. Default: 1024.
	MaxTables int `yaml:"max_tables"`
	// Similarity is the share of words a message must share with a
	// template to join it, 0 < s ≤ 1. Default: 0.8.
	Similarity float64 `yaml:"similarity"`
	// LearnEvents and LearnPeriod end a table's learning period: once it
	// has mined LearnEvents messages spanning LearnPeriod of event time,
	// the first message of a never-seen template gets
	// vigil.pattern.new: true. Defaults: 1000 and 24h.
	LearnEvents int64    `yaml:"learn_events"`
	LearnPeriod Duration `yaml:"learn_period"`
	// SaveInterval is how often the tables are saved to the data
	// directory (and at shutdown). Default: 1m.
	SaveInterval Duration `yaml:"save_interval"`
}

// Defaults of Patterns.
const (
	DefaultPatternLearnEvents = 1000
	DefaultPatternLearnPeriod = Duration(24 * time.Hour)
)

// validate fills the defaults of p and checks it (zero means the default;
// the shortest learning is learn_events: 1 and learn_period: 1ns).
func (p *Patterns) validate() error {
	if p.MaxPatterns < 0 || p.MaxTables < 0 || p.SaveInterval < 0 || p.Similarity < 0 || p.Similarity > 1 {
		return errors.New("patterns: limits must not be negative and similarity must be in (0, 1]")
	}
	if p.LearnEvents == 0 {
		p.LearnEvents = DefaultPatternLearnEvents
	}
	if p.LearnPeriod == 0 {
		p.LearnPeriod = DefaultPatternLearnPeriod
	}
	if p.LearnEvents < 0 || p.LearnPeriod < 0 {
		return errors.New("patterns: learn_events and learn_period must not be negative")
	}
	return nil
}
