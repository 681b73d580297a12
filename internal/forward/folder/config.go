package folder

import (
	"errors"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/forward"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultMaxFileBytes closes a file at 64 MiB of NDJSON: a size every
	// tool reads at once and that a customer's pickup job moves in a second.
	DefaultMaxFileBytes = 64 << 20
	// DefaultMaxFileAge closes a file a minute after its first event, so
	// a quiet stream still reaches the folder within a minute.
	DefaultMaxFileAge = time.Minute
	// DefaultPrefix starts every file name.
	DefaultPrefix = "vigil"
)

// Config is a "folder" output in vigil.yaml.
type Config struct {
	config.OutputCommon `yaml:",inline"`
	// Path is the folder. It must exist: a missing folder (an unmounted
	// share) is a receiver that is down, and events wait in the queue
	// rather than filling the disk under the mount point. Each tenant's
	// files go into a sub-folder named after it.
	Path string `yaml:"path"`
	// Gzip compresses the files (.ndjson.gz).
	Gzip bool `yaml:"gzip"`
	// Prefix starts the file names. Default: vigil.
	Prefix string `yaml:"prefix"`
	// A file is completed when it holds MaxFileBytes (uncompressed) or
	// MaxFileEvents events (0: no limit), or MaxFileAge after its first
	// event. Defaults: 64MiB, no limit, 1m.
	MaxFileBytes  config.ByteSize `yaml:"max_file_bytes"`
	MaxFileEvents int             `yaml:"max_file_events"`
	MaxFileAge    config.Duration `yaml:"max_file_age"`
}

func init() {
	config.RegisterOutput("folder", func() config.OutputConfig { return &Config{} })
}

// CommonOutput implements config.OutputConfig.
func (c *Config) CommonOutput() *config.OutputCommon { return &c.OutputCommon }

// Validate implements config.OutputConfig.
func (c *Config) Validate() error {
	if c.Path == "" {
		return errors.New("folder: path is required")
	}
	if c.Prefix == "" {
		c.Prefix = DefaultPrefix
	}
	if !validPrefix(c.Prefix) {
		return fmt.Errorf("folder: prefix %q: want letters, digits, '_', '-' or '.', not starting with '.'", c.Prefix)
	}
	if c.MaxFileBytes == 0 {
		c.MaxFileBytes = DefaultMaxFileBytes
	}
	if c.MaxFileAge == 0 {
		c.MaxFileAge = config.Duration(DefaultMaxFileAge)
	}
	if c.MaxFileBytes < 0 || c.MaxFileEvents < 0 || c.MaxFileAge < 0 {
		return errors.New("folder: file limits must not be negative")
	}
	return nil
}

func validPrefix(p string) bool {
	for i := 0; i < len(p); i++ {
		c := p[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0
		if !ok {
			return false
		}
	}
	return true
}

// NewOutput implements forward.Builder.
func (c *Config) NewOutput(env forward.BuildEnv) (forward.Output, error) {
	return New(*c, env)
}
