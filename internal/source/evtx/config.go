package evtx

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/resume"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultPollInterval: how often the globs are checked for new files.
	// Imports of exported logs are not latency-sensitive; a glob every 10 s
	// costs nothing.
	DefaultPollInterval = 10 * time.Second
	// DefaultSettle: a file is imported once it has not been modified for
	// this long, so a file still being copied in is not read half-written.
	DefaultSettle = 2 * time.Second
	// DrainTimeout bounds how long Run waits, when it ends, for the
	// batches in flight to be acknowledged so the state covers them.
	DrainTimeout = resume.DrainTimeout
	// batchEvents is the events per submitted batch: the pipeline's batch
	// size, so a batch of EVTX events costs what a batch of lines costs.
	batchEvents = pipeline.DefaultMaxBatchRecords
)

// Renderings of event.original.
const (
	OriginalXML  = "xml"
	OriginalNone = "none"
)

// Config is an "evtx" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	// Paths are glob patterns (filepath.Match syntax, no "**") of the
	// .evtx files to import. Required.
	Paths []string `yaml:"paths"`
	// Exclude are patterns of files not to import, matched against the
	// full path and, for patterns without a '/', the base name.
	Exclude []string `yaml:"exclude"`
	// PollInterval is how often the globs are checked. Default: 10s.
	PollInterval config.Duration `yaml:"poll_interval"`
	// Settle is how long a file must be unmodified before it is imported.
	// Default: 2s.
	Settle config.Duration `yaml:"settle"`
	// Original is what event.original holds: xml (the record as Windows
	// Event XML, the default) or none (faster: up to twice the
	// decoding speed).
	Original string `yaml:"original"`
}

func init() {
	config.RegisterSource("evtx", func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if len(c.Paths) == 0 {
		return errors.New("paths: at least one glob is required")
	}
	for _, p := range append(append([]string(nil), c.Paths...), c.Exclude...) {
		if _, err := filepath.Match(p, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
	}
	if c.PollInterval == 0 {
		c.PollInterval = config.Duration(DefaultPollInterval)
	}
	if c.PollInterval < config.Duration(10*time.Millisecond) {
		return fmt.Errorf("poll_interval %s: want at least 10ms", c.PollInterval)
	}
	if c.Settle == 0 {
		c.Settle = config.Duration(DefaultSettle)
	}
	if c.Settle < 0 {
		return fmt.Errorf("settle %s: must not be negative", c.Settle)
	}
	switch c.Original {
	case "":
		c.Original = OriginalXML
	case OriginalXML, OriginalNone:
	default:
		return fmt.Errorf("original %q: want xml or none", c.Original)
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}
