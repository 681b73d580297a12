package config

import (
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"

	// A source's format is checked against every registered format, so
	// whatever reads vigil.yaml knows them all.
	_ "github.com/vigilsiem/vigil/internal/parse/all"
)

// SourceCommon holds the settings every source has.
type SourceCommon struct {
	// Name identifies the source; it becomes vigil.source on its events.
	Name string `yaml:"name"`
	// Type selects the source implementation ("syslog", "http", "file", …).
	Type string `yaml:"type"`
	// Tenant owns the source's events. Default: "default".
	Tenant string `yaml:"tenant"`
	// Format names the parser for raw records. Default: "auto".
	Format string `yaml:"format"`
	// Timezone is the IANA zone of timestamps without one. Default: UTC.
	Timezone string `yaml:"timezone"`
	// CSVHeader names the columns of format csv; empty means the first
	// record is the header (records of a csv source are then parsed in
	// order, by one worker).
	CSVHeader []string `yaml:"csv_header"`
	// CSVDelimiter separates csv fields. Default: ",".
	CSVDelimiter string `yaml:"csv_delimiter"`
}

// CheckTenant checks the tenant name (event.ValidTenant); empty stands for
// "default". Sources call it when they are built, so that one built
// without config.Validate (a test, a tool) cannot own an invalid tenant.
func (c *SourceCommon) CheckTenant() error {
	if c.Tenant == "" {
		return nil
	}
	if err := event.ValidSenderTenant(c.Tenant); err != nil {
		return fmt.Errorf("source %s: tenant: %w", c.Name, err)
	}
	return nil
}

// ParseOptions returns the parser options of the source.
func (c *SourceCommon) ParseOptions() (parse.Options, error) {
	loc, err := c.Location()
	if err != nil {
		return parse.Options{}, err
	}
	o := parse.Options{Location: loc, CSVHeader: c.CSVHeader}
	if c.CSVDelimiter != "" {
		r := []rune(c.CSVDelimiter)
		if len(r) != 1 {
			return o, fmt.Errorf("source %s: csv_delimiter %q: want one character", c.Name, c.CSVDelimiter)
		}
		o.CSVDelimiter = r[0]
	}
	return o, nil
}

// Location returns the source's time zone.
func (c *SourceCommon) Location() (*time.Location, error) {
	if c.Timezone == "" {
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return nil, fmt.Errorf("source %s: timezone: %w", c.Name, err)
	}
	return loc, nil
}

// SourceEnv is what a source needs from the running process.
type SourceEnv struct {
	// DataDir is the data directory; sources keep their state (checkpoints)
	// under DataDir/state/<source name>.
	DataDir string
	Metrics *pipeline.Metrics
	Logger  *slog.Logger
}

// SourceConfig is the configuration of one source type. Implementations
// embed SourceCommon and register themselves with RegisterSource.
type SourceConfig interface {
	// Common returns the embedded common settings.
	Common() *SourceCommon
	// Validate checks the settings and fills defaults.
	Validate() error
	// NewSource builds the source.
	NewSource(env SourceEnv) (pipeline.Source, error)
}

// BusReader is a capability a SourceConfig declares: the source reads
// normalised events from the message bus of a distributed deployment (Kafka,
// NATS), so it runs on any node, not only on ingest nodes — a forward-only or
// detect-only node reads its events from it.
type BusReader interface {
	ReadsBus() bool
}

// ReadsBus reports whether the source declares BusReader.
func ReadsBus(c SourceConfig) bool {
	b, ok := c.(BusReader)
	return ok && b.ReadsBus()
}

var (
	sourceMu    sync.RWMutex
	sourceTypes = map[string]func() SourceConfig{}
)

// RegisterSource makes a source type known to the configuration. It is
// called from the init function of the source's package.
func RegisterSource(typ string, newConfig func() SourceConfig) {
	sourceMu.Lock()
	defer sourceMu.Unlock()
	if _, dup := sourceTypes[typ]; dup {
		panic("config: source type registered twice: " + typ)
	}
	sourceTypes[typ] = newConfig
}

// SourceTypes lists the registered source types.
func SourceTypes() []string {
	sourceMu.RLock()
	defer sourceMu.RUnlock()
	var ts []string
	for t := range sourceTypes {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// Source is one entry of the sources list: it decodes into the config type
// its "type" names.
type Source struct {
	SourceConfig
}

var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// UnmarshalYAML decodes the entry into its registered type, rejecting
// unknown keys.
func (s *Source) UnmarshalYAML(n *yaml.Node) error {
	var head struct {
		Type string `yaml:"type"`
	}
	if err := n.Decode(&head); err != nil {
		return err
	}
	sourceMu.RLock()
	newConfig, ok := sourceTypes[head.Type]
	sourceMu.RUnlock()
	if !ok {
		return fmt.Errorf("line %d: source type %q unknown (known: %v)", n.Line, head.Type, SourceTypes())
	}
	c := newConfig()
	if err := decodeStrict(n, c); err != nil {
		return fmt.Errorf("line %d: source of type %s: %w", n.Line, head.Type, err)
	}
	s.SourceConfig = c
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (s Source) MarshalYAML() (any, error) { return s.SourceConfig, nil }

func validateCommon(c *SourceCommon) error {
	if !nameRE.MatchString(c.Name) {
		return fmt.Errorf("source name %q: want 1-64 letters, digits, '_', '.', '-'", c.Name)
	}
	if c.Tenant == "" {
		c.Tenant = "default"
	}
	if err := c.CheckTenant(); err != nil {
		return err
	}
	if c.Format == "" {
		c.Format = "auto"
	}
	if _, err := c.ParseOptions(); err != nil {
		return err
	}
	if err := parse.Check(c.Format); err != nil {
		return fmt.Errorf("source %s: format: %w", c.Name, err)
	}
	return nil
}
