package file

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/internal/resume"
)

// Defaults and limits, with the reasoning behind them.
const (
	// DefaultPollInterval: how often files are checked for new lines and
	// globs for new files. 250 ms keeps a new line searchable well within
	// the 2 s target; the cost is a stat per file and a glob per pattern.
	DefaultPollInterval = 250 * time.Millisecond
	// DefaultMaxLineBytes cuts longer lines. 256 KiB keeps big JSON lines
	// and stack traces whole while bounding the memory held per file.
	DefaultMaxLineBytes = 256 << 10
	// MaxMaxLineBytes keeps one line inside one pipeline batch.
	MaxMaxLineBytes = pipeline.DefaultMaxBatchBytes
	// CheckpointInterval bounds how often the checkpoint is written: at
	// most the lines of this long are read again after a crash.
	CheckpointInterval = 250 * time.Millisecond
	// readBudget is what one file may read in a round before the others
	// get their turn.
	readBudget = 1 << 20
	// DrainTimeout bounds how long Run waits, when it ends, for the
	// batches in flight to be acknowledged so the checkpoint covers them.
	DrainTimeout = resume.DrainTimeout
)

// Start positions for files seen for the first time.
const (
	StartBeginning = "beginning"
	StartEnd       = "end"
)

// Config is a "file" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	// Paths are glob patterns (filepath.Match syntax, no "**") of the
	// files to tail. Required.
	Paths []string `yaml:"paths"`
	// Exclude are patterns of files not to tail, matched against the full
	// path and, for patterns without a '/', against the base name
	// ("*.gz").
	Exclude []string `yaml:"exclude"`
	// StartAt is where a file is first read when the source starts without
	// a checkpoint for it: beginning (default) or end. Files that appear
	// while the source runs are always read from their beginning.
	StartAt string `yaml:"start_at"`
	// PollInterval is how often files and globs are checked. Default: 250ms.
	PollInterval config.Duration `yaml:"poll_interval"`
	// MaxLineBytes cuts longer lines (counted as discards). Default: 256KiB.
	MaxLineBytes config.ByteSize `yaml:"max_line_bytes"`
}

func init() {
	config.RegisterSource("file", func() config.SourceConfig { return &Config{} })
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
	switch c.StartAt {
	case "":
		c.StartAt = StartBeginning
	case StartBeginning, StartEnd:
	default:
		return fmt.Errorf("start_at %q: want beginning or end", c.StartAt)
	}
	if c.PollInterval == 0 {
		c.PollInterval = config.Duration(DefaultPollInterval)
	}
	if c.PollInterval < config.Duration(10*time.Millisecond) {
		return fmt.Errorf("poll_interval %s: want at least 10ms", c.PollInterval)
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.MaxLineBytes < 1 || c.MaxLineBytes > MaxMaxLineBytes {
		return fmt.Errorf("max_line_bytes %d: want 1 to %d", c.MaxLineBytes, MaxMaxLineBytes)
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}
