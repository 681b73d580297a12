package folder

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/objstore"
)

// Type is the source type in vigil.yaml.
const Type = "import_folder"

// What happens to a file once it is imported.
const (
	AfterKeep   = "keep"
	AfterDelete = "delete"
	AfterMove   = "move"
)

// Defaults, with the reasoning behind them.
const (
	// DefaultPollInterval: listing a local folder is cheap.
	DefaultPollInterval = time.Second
	// DefaultSettle: a writer appending to a file touches it at least
	// every few seconds; one that pauses longer should write under another
	// name and rename, or use a done marker.
	DefaultSettle = 5 * time.Second
)

// Config is an "import_folder" source in vigil.yaml.
type Config struct {
	config.SourceCommon `yaml:",inline"`
	objstore.Import     `yaml:",inline"`
	// Path is the folder. Required.
	Path string `yaml:"path"`
	// Recursive imports the files of sub-folders too.
	Recursive bool `yaml:"recursive"`
	// AfterImport is keep (default), delete or move.
	AfterImport string `yaml:"after_import"`
	// MoveTo is the folder imported files are moved to (keeping their
	// relative paths); required with after_import: move, and outside Path.
	MoveTo string `yaml:"move_to"`
}

func init() {
	config.RegisterSource(Type, func() config.SourceConfig { return &Config{} })
}

// Common implements config.SourceConfig.
func (c *Config) Common() *config.SourceCommon { return &c.SourceCommon }

// Validate implements config.SourceConfig.
func (c *Config) Validate() error {
	if c.Path == "" {
		return errors.New("path: the folder to import is required")
	}
	abs, err := filepath.Abs(c.Path)
	if err != nil {
		return fmt.Errorf("path %q: %w", c.Path, err)
	}
	c.Path = abs
	if err := c.Import.Validate(objstore.Defaults{PollInterval: DefaultPollInterval, Settle: DefaultSettle}); err != nil {
		return err
	}
	switch c.AfterImport {
	case "":
		c.AfterImport = AfterKeep
	case AfterKeep, AfterDelete:
	case AfterMove:
		if c.MoveTo == "" {
			return errors.New("after_import move needs move_to")
		}
		to, err := filepath.Abs(c.MoveTo)
		if err != nil {
			return fmt.Errorf("move_to %q: %w", c.MoveTo, err)
		}
		c.MoveTo = to
		if rel, err := filepath.Rel(c.Path, to); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return fmt.Errorf("move_to %s is inside path %s: moved files would be listed again", to, c.Path)
		}
	default:
		return fmt.Errorf("after_import %q: want keep, delete or move", c.AfterImport)
	}
	if c.AfterImport != AfterMove && c.MoveTo != "" {
		return errors.New("move_to needs after_import: move")
	}
	return nil
}

// NewSource implements config.SourceConfig.
func (c *Config) NewSource(env config.SourceEnv) (pipeline.Source, error) {
	return New(*c, env)
}

// New returns a folder import source.
func New(c Config, env config.SourceEnv) (*objstore.Source, error) {
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("import_folder source %s: %w", c.Name, err)
	}
	return objstore.New(c.SourceCommon, c.Import, &Folder{Root: c.Path, Recursive: c.Recursive,
		After: c.AfterImport, MoveTo: c.MoveTo, Marker: c.DoneMarker}, env)
}
