package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// Config is the whole of vigil.yaml. Every field has a default that works on
// a laptop: an empty file, or none, runs Vigil with loopback listeners.
type Config struct {
	// DataDir holds the store, queues and source state. Default: ./data.
	DataDir string `yaml:"data_dir"`
	// LogLevel is debug, info, warn or error. Default: info.
	LogLevel string `yaml:"log_level"`
	// HTTP is the API, UI and HTTP ingest listener.
	HTTP HTTP `yaml:"http"`
	// Auth says who may use the API.
	Auth Auth `yaml:"auth"`
	// Sources receive records. Default: syslog over UDP and TCP on
	// 127.0.0.1:5514 (see DefaultSources); HTTP ingest is always on the
	// HTTP listener.
	Sources []Source `yaml:"sources"`
	// Pipeline tunes the processing pipeline.
	Pipeline Pipeline `yaml:"pipeline"`
	// Storage configures the embedded store.
	Storage Storage `yaml:"storage"`
	// Rules configures detection.
	Rules Rules `yaml:"rules"`
	// Outputs deliver events and alerts to other systems, each through its
	// own durable queue (docs/outputs.md).
	Outputs []Output `yaml:"outputs"`
	// Routes choose which events and alerts go to which outputs.
	Routes []Route `yaml:"routes"`
	// Incidents configures how alerts group into incidents (docs/incidents.md).
	Incidents Incidents `yaml:"incidents"`
	// Responses are actions run when alerts or incidents match (docs/responses.md).
	Responses []Response `yaml:"responses"`
	// Enrich configures GeoIP, threat intelligence and asset context (docs/enrichment.md).
	Enrich Enrich `yaml:"enrich"`
	// Analytics configures entity behaviour analytics and risk.
	Analytics Analytics `yaml:"analytics"`
	// Patterns configures template mining (docs/patterns.md).
	Patterns Patterns `yaml:"patterns"`
	// Health configures source health: silence, volume drop and parse
	// error alerts (docs/sources.md).
	Health Health `yaml:"health"`
	// Usage configures EPS metering and quotas per tenant (docs/sources.md).
	Usage Usage `yaml:"usage"`
	// Bus connects the roles of a distributed deployment (internal/bus).
	Bus Bus `yaml:"bus"`
	// GoMemoryLimit is the soft limit of the memory the Go runtime holds
	// (the heap and the goroutines' stacks; DuckDB's memory is apart, at
	// storage.memory_limit): as the runtime nears it, the garbage collector
	// runs more often instead of letting the heap grow to twice what is
	// live. It is soft: a live heap above it is kept, at the cost of more
	// collection. GOMEMLIMIT in the environment overrides it. Default:
	// DefaultGoMemoryLimit.
	GoMemoryLimit ByteSize `yaml:"go_memory_limit"`
}

// HTTP configures the HTTP listener.
type HTTP struct {
	// Listen is the address. Default: 127.0.0.1:8080.
	Listen string `yaml:"listen"`
	TLS    TLS    `yaml:"tls"`
	// Limits bound the listener's connections and timeouts.
	Limits HTTPLimits `yaml:"limits"`
	// Ingest configures the HTTP ingest endpoints on this listener.
	Ingest HTTPIngest `yaml:"ingest"`
}

// HTTPIngest configures POST /api/v1/ingest, the Splunk HEC endpoints and
// the Elastic _bulk endpoint.
type HTTPIngest struct {
	// Tenant and Source name the events of requests without a token.
	// Defaults: "default" and "http".
	Tenant string `yaml:"tenant"`
	Source string `yaml:"source"`
	// Tokens authenticate senders (HEC "Authorization: Splunk <token>",
	// or "Bearer <token>" / "ApiKey <token>" on the other endpoints) and
	// choose the tenant and source of their events. HEC requires a token;
	// the other endpoints require one when any token is configured.
	Tokens []IngestToken `yaml:"tokens"`
	// MaxBodyBytes bounds one request body. Default: 64MiB.
	MaxBodyBytes ByteSize `yaml:"max_body_bytes"`
	// MaxInFlightBytes is the memory budget of all ingest requests
	// together (bodies after decompression). Default: 256MiB.
	MaxInFlightBytes ByteSize `yaml:"max_in_flight_bytes"`
}

// IngestToken is one HTTP ingest credential.
type IngestToken struct {
	Token  string `yaml:"token"`
	Tenant string `yaml:"tenant"`
	Source string `yaml:"source"`
}

// Pipeline tunes the processing pipeline.
type Pipeline struct {
	// Workers parse and process batches. Default: the number of CPUs.
	Workers int `yaml:"workers"`
	// QueueBatches bounds the batches waiting for a worker. Default: 64.
	QueueBatches int `yaml:"queue_batches"`
	// Dir holds the user's pipeline files (NAME.yml, docs/pipelines.md).
	// They run before the built-in pipelines, and replace a built-in of
	// the same name. Default: none.
	Dir string `yaml:"dir"`
}

// Storage configures the store.
type Storage struct {
	// Backend is embedded (default: DuckDB over local files) or clickhouse
	// (events, dead letters and audit entries in ClickHouse; see
	// docs/storage.md).
	Backend string `yaml:"backend"`
	// ClickHouse configures the clickhouse backend.
	ClickHouse ClickHouse `yaml:"clickhouse"`
	// Retention applies to every tenant unless Tenants overrides it.
	Retention Retention `yaml:"retention"`
	// Tenants overrides retention per tenant.
	Tenants map[string]Retention `yaml:"tenants"`
	// HotBytes is how much the hot write-ahead log holds before it is
	// frozen to Parquet. Default: 256MiB.
	HotBytes ByteSize `yaml:"hot_bytes"`
	// HotMaxBytes bounds the hot data waiting to be frozen: at it, writes
	// wait for freezing to make room (pushing back on the sources) instead
	// of the hot log filling the disk. Default: 4 × HotBytes.
	HotMaxBytes ByteSize `yaml:"hot_max_bytes"`
	// HotAge is how long data stays hot at most. Default: 15m.
	HotAge Duration `yaml:"hot_age"`
	// CompressionLevel is the zstd level of cold Parquet files, 1–22.
	// Default: 9.
	CompressionLevel int `yaml:"compression_level"`
	// MemoryLimit bounds the memory of the query engine (DuckDB), which
	// spills bigger sorts and aggregations to disk. Default: 2GB. It is
	// shared by every search and freeze running at once; DuckDB has no
	// per-query memory limit, so a search's memory is bounded through
	// Query.Threads, MaxTenantColumns and the parser's term limit.
	MemoryLimit ByteSize `yaml:"memory_limit"`
	// IdleMemoryLimit is what DuckDB keeps of its memory between
	// searches: every 10 s, while no search or requested freeze runs, the
	// pages it holds beyond this (the alert and incident tables' rows and
	// indexes, read or written by every alert batch) are evicted; they
	// are read again from the database file when needed. Default:
	// DefaultIdleMemoryLimit. At or above memory_limit: never trimmed.
	IdleMemoryLimit ByteSize `yaml:"idle_memory_limit"`
	// Query bounds the cost of searches.
	Query QueryLimits `yaml:"query"`
	// MaxTenantColumns bounds the fields of one tenant that get a column
	// of their own in a dataset; further fields are kept in one overflow
	// column, searched as text. Every column a search reads costs memory.
	// Default: 500.
	MaxTenantColumns int `yaml:"max_tenant_columns"`
	// MaxDatasetColumns bounds the columns of a dataset over all tenants.
	// Default: 4000.
	MaxDatasetColumns int `yaml:"max_dataset_columns"`
	// AlertApplyInterval is how often the alert log's applier moves the
	// alerts detection appended into the alert table, incidents and
	// responses (reads apply pending alerts first). Default: 200ms (the
	// reason is at alertlog.DefaultInterval).
	AlertApplyInterval Duration `yaml:"alert_apply_interval"`
}

// QueryLimits bound the cost of one search.
type QueryLimits struct {
	// Timeout stops a search that runs longer. Default: 60s.
	Timeout Duration `yaml:"timeout"`
	// ViewerTimeout stops a search of a viewer (the role that reads
	// only) that runs longer. Default: 15s.
	ViewerTimeout Duration `yaml:"viewer_timeout"`
	// Threads DuckDB runs on; memory per search grows with threads times
	// the columns read. Default: 0, every CPU.
	Threads int `yaml:"threads"`
}

// Storage backends.
const (
	BackendEmbedded   = "embedded"
	BackendClickHouse = "clickhouse"
)

// ClickHouse says where the clickhouse backend's server is. Vigil talks to
// its HTTP interface.
type ClickHouse struct {
	// URL of the HTTP interface, such as http://127.0.0.1:8123; required.
	// It must not carry credentials.
	URL string `yaml:"url"`
	// Database holds Vigil's tables; created when missing. Default: vigil.
	Database string `yaml:"database"`
	// User authenticates (HTTP basic). Default: none (ClickHouse's default
	// user).
	User string `yaml:"user"`
	// PasswordFile holds the password on its first line; read at start-up
	// and never logged.
	PasswordFile string `yaml:"password_file"`
	// Cluster names a cluster of the servers' remote_servers: the event
	// tables become local tables on every shard with a Distributed table
	// over them (docs/format/clickhouse.md). Default: none (one server).
	Cluster string `yaml:"cluster"`
	// Replicated makes the local tables Replicated* (needs ZooKeeper or
	// ClickHouse Keeper). Needs Cluster.
	Replicated bool `yaml:"replicated"`
	// ZooKeeperPath is the prefix of the replicated tables' paths; it must
	// contain {shard}. Default /clickhouse/tables/{shard}.
	ZooKeeperPath string `yaml:"zookeeper_path"`
	// Replica names each replica. Default {replica}.
	Replica string `yaml:"replica"`
	// ShardingKey is event (default: cityHash64(tenant, event.id)) or host
	// (cityHash64(tenant, host.name)).
	ShardingKey string `yaml:"sharding_key"`
	// Nodes are the HTTP URLs of every server of the cluster: Vigil then
	// creates tables and drops partitions on each itself, without ON
	// CLUSTER (which needs ZooKeeper or Keeper).
	Nodes []string `yaml:"nodes"`
	// InsertLocal inserts each event into its shard's local table (a
	// function of tenant and event.id) instead of through the Distributed
	// table. Needs Nodes, each server with a {shard} macro.
	InsertLocal bool `yaml:"insert_local"`
}

// Retention limits what a tenant keeps: data older than MaxAge, and the
// oldest data beyond MaxBytes, is deleted. Zero means no limit.
type Retention struct {
	// MaxAge default: 30d.
	MaxAge Duration `yaml:"max_age"`
	// MaxBytes default: 0 (no limit besides the disk).
	MaxBytes ByteSize `yaml:"max_bytes"`
}

// Rules configures detection.
type Rules struct {
	// Dirs hold Sigma rules; every .yml/.yaml file below them is loaded and
	// reloaded when it changes.
	Dirs []string `yaml:"dirs"`
	// Builtin loads Vigil's built-in rule pack (package rules). Default:
	// true; false turns it off.
	Builtin *bool `yaml:"builtin"`
	// Disable leaves out the rules one of its selectors matches, unless
	// one of Enable's does (docs/rules.md).
	Disable []RuleSelector `yaml:"disable"`
	Enable  []RuleSelector `yaml:"enable"`
	// AlertWindow folds repeated alerts of one rule and the same entities
	// within this window into one alert with a count. Default: 10m.
	AlertWindow Duration `yaml:"alert_window"`
	// Correlation tunes Sigma correlation rules (docs/correlation.md).
	Correlation Correlation `yaml:"correlation"`
	// Watchlists tunes the watch-lists rules read and write.
	Watchlists Watchlists `yaml:"watchlists"`
}

// BuiltinOn reports whether the built-in rule pack is loaded.
func (r Rules) BuiltinOn() bool { return r.Builtin == nil || *r.Builtin }

// RuleSelector picks rules by id (or name), tag glob, level or path glob;
// the keys that are set must all hold.
type RuleSelector struct {
	ID    string `yaml:"id"`
	Tag   string `yaml:"tag"`
	Level string `yaml:"level"`
	Path  string `yaml:"path"`
}

// Correlation tunes the correlation engine. Zero values take the defaults
// documented in docs/correlation.md.
type Correlation struct {
	// Lateness is how far behind a group's newest event another may arrive
	// and still count. Default: 5m.
	Lateness Duration `yaml:"lateness"`
	// MaxKeys bounds the groups (distinct group-by values) held in all;
	// MaxKeysPerRule those of one correlation. Defaults: 1,000,000 and
	// 250,000 (about 350 bytes a group: ~330 MiB at the cap).
	MaxKeys        int `yaml:"max_keys"`
	MaxKeysPerRule int `yaml:"max_keys_per_rule"`
	// SnapshotInterval is how often the state is saved. Default: 30s.
	SnapshotInterval Duration `yaml:"snapshot_interval"`
	// MaxFuture caps event times this far ahead of their receipt. Default: 5m.
	MaxFuture Duration `yaml:"max_future"`
}

// Watchlists tunes the watch-lists.
type Watchlists struct {
	// MaxEntries is the default bound of a list. Default: 1,000,000.
	MaxEntries int `yaml:"max_entries"`
}

// Defaults.
const (
	DefaultDataDir      = "./data"
	DefaultHTTPListen   = "127.0.0.1:8080"
	DefaultSyslogListen = "127.0.0.1:5514"
	DefaultMaxBody      = 64 << 20
	DefaultHotBytes     = 256 << 20
	DefaultHotAge       = Duration(15 * time.Minute)
	// DefaultAlertApplyInterval: see alertlog.DefaultInterval.
	DefaultAlertApplyInterval = Duration(200 * time.Millisecond)
	DefaultMemoryLimit        = 2 << 30
	// DefaultIdleMemoryLimit: see embedded.DefaultIdleMemoryLimit.
	DefaultIdleMemoryLimit = 128 << 20
	// DefaultGoMemoryLimit: without a limit the heap grows to twice what
	// is live (GOGC=100); at 2M bench events (527 MB live) 1 GiB cut peak
	// RSS from 2,127 to 1,523 MiB at the same ingest CPU, while 768 MiB
	// (1,159 MiB) cost +53% CPU (docs/bench.md, "Memory: a soft limit").
	DefaultGoMemoryLimit = 1 << 30
	DefaultCompression   = 9
	DefaultRetentionAge  = Duration(30 * 24 * time.Hour)
	// Query and column limits; the reasons are at embedded.Options and
	// embedded.ColumnLimits.
	DefaultQueryTimeout       = Duration(time.Minute)
	DefaultViewerQueryTimeout = Duration(15 * time.Second)
	DefaultMaxTenantColumns   = 500
	DefaultMaxDatasetColumns  = 4000
)

// Load reads and validates a config file. An empty path gives the defaults.
func Load(path string) (*Config, error) {
	if path == "" {
		c := &Config{}
		return c, c.Validate()
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a config document. Unknown keys are errors.
func Parse(b []byte) (*Config, error) {
	c := &Config{}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	if err := d.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// Validate checks the configuration and fills defaults.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		c.DataDir = DefaultDataDir
	}
	switch c.LogLevel {
	case "":
		c.LogLevel = "info"
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("log_level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.HTTP.Listen == "" {
		c.HTTP.Listen = DefaultHTTPListen
	}
	if err := c.HTTP.TLS.Validate(); err != nil {
		return fmt.Errorf("http: %w", err)
	}
	if err := c.Bus.validate(); err != nil {
		return err
	}
	if err := c.Auth.Validate(c.HTTP.Listen, len(c.HTTP.Ingest.Tokens) > 0, CheckPasswordHash); err != nil {
		return err
	}
	in := &c.HTTP.Ingest
	if in.Tenant == "" {
		in.Tenant = "default"
	}
	if in.Source == "" {
		in.Source = "http"
	}
	if err := event.ValidSenderTenant(in.Tenant); err != nil {
		return fmt.Errorf("http.ingest.tenant: %w", err)
	}
	if in.MaxBodyBytes <= 0 {
		in.MaxBodyBytes = DefaultMaxBody
	}
	if in.MaxInFlightBytes <= 0 {
		in.MaxInFlightBytes = DefaultIngestMaxInFlightBytes
	}
	if err := c.HTTP.Limits.Validate(); err != nil {
		return err
	}
	seenTok := map[string]bool{}
	for i := range in.Tokens {
		t := &in.Tokens[i]
		if len(t.Token) < 16 {
			return fmt.Errorf("http.ingest.tokens[%d]: a token needs at least 16 characters", i)
		}
		if seenTok[t.Token] {
			return fmt.Errorf("http.ingest.tokens[%d]: duplicate token", i)
		}
		seenTok[t.Token] = true
		if t.Tenant == "" {
			t.Tenant = in.Tenant
		}
		if err := event.ValidSenderTenant(t.Tenant); err != nil {
			return fmt.Errorf("http.ingest.tokens[%d].tenant: %w", i, err)
		}
		if t.Source == "" {
			t.Source = in.Source
		}
	}
	names := map[string]bool{in.Source: true}
	for _, t := range in.Tokens {
		names[t.Source] = true
	}
	for i, s := range c.Sources {
		if s.SourceConfig == nil {
			return fmt.Errorf("sources[%d]: empty entry", i)
		}
		com := s.Common()
		if err := validateCommon(com); err != nil {
			return fmt.Errorf("sources[%d]: %w", i, err)
		}
		if err := s.Validate(); err != nil {
			return fmt.Errorf("source %s: %w", com.Name, err)
		}
		if names[com.Name] && com.Name != in.Source {
			return fmt.Errorf("source %s: name used twice", com.Name)
		}
		names[com.Name] = true
	}
	if co := c.Rules.Correlation; co.Lateness < 0 || co.MaxKeys < 0 || co.MaxKeysPerRule < 0 || co.SnapshotInterval < 0 || co.MaxFuture < 0 || c.Rules.Watchlists.MaxEntries < 0 || c.Rules.AlertWindow < 0 {
		return errors.New("rules: limits and durations must not be negative")
	}
	for _, list := range [][]RuleSelector{c.Rules.Enable, c.Rules.Disable} {
		for i, s := range list {
			if s == (RuleSelector{}) {
				return fmt.Errorf("rules: selector %d of enable/disable sets none of id, tag, level, path", i)
			}
		}
	}
	if c.Pipeline.Workers < 0 || c.Pipeline.QueueBatches < 0 {
		return errors.New("pipeline: workers and queue_batches must not be negative")
	}
	if c.GoMemoryLimit <= 0 {
		c.GoMemoryLimit = DefaultGoMemoryLimit
	}
	st := &c.Storage
	switch st.Backend {
	case "":
		st.Backend = BackendEmbedded
	case BackendEmbedded:
	case BackendClickHouse:
		if err := st.ClickHouse.validate(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("storage.backend %q: want %s or %s", st.Backend, BackendEmbedded, BackendClickHouse)
	}
	if st.HotBytes <= 0 {
		st.HotBytes = DefaultHotBytes
	}
	if st.HotMaxBytes <= 0 {
		st.HotMaxBytes = 4 * st.HotBytes
	}
	if st.HotMaxBytes < st.HotBytes {
		return fmt.Errorf("storage.hot_max_bytes (%d) is below storage.hot_bytes (%d): writes would wait before a freeze is due", st.HotMaxBytes, st.HotBytes)
	}
	if st.HotAge <= 0 {
		st.HotAge = DefaultHotAge
	}
	if st.AlertApplyInterval <= 0 {
		st.AlertApplyInterval = DefaultAlertApplyInterval
	}
	if st.MemoryLimit <= 0 {
		st.MemoryLimit = DefaultMemoryLimit
	}
	if st.IdleMemoryLimit <= 0 {
		st.IdleMemoryLimit = DefaultIdleMemoryLimit
	}
	if st.Query.Timeout < 0 || st.Query.ViewerTimeout < 0 || st.Query.Threads < 0 || st.MaxTenantColumns < 0 || st.MaxDatasetColumns < 0 {
		return errors.New("storage: query limits and column limits must not be negative")
	}
	if st.Query.Timeout == 0 {
		st.Query.Timeout = DefaultQueryTimeout
	}
	if st.Query.ViewerTimeout == 0 {
		st.Query.ViewerTimeout = DefaultViewerQueryTimeout
	}
	if st.MaxTenantColumns == 0 {
		st.MaxTenantColumns = DefaultMaxTenantColumns
	}
	if st.MaxDatasetColumns == 0 {
		st.MaxDatasetColumns = DefaultMaxDatasetColumns
	}
	if st.MaxTenantColumns > st.MaxDatasetColumns {
		return fmt.Errorf("storage.max_tenant_columns %d is above max_dataset_columns %d", st.MaxTenantColumns, st.MaxDatasetColumns)
	}
	if st.CompressionLevel == 0 {
		st.CompressionLevel = DefaultCompression
	}
	if st.CompressionLevel < 1 || st.CompressionLevel > 22 {
		return fmt.Errorf("storage.compression_level %d: want 1 to 22", st.CompressionLevel)
	}
	if st.Retention.MaxAge == 0 {
		st.Retention.MaxAge = DefaultRetentionAge
	}
	if st.Retention.MaxAge < 0 || st.Retention.MaxBytes < 0 {
		return errors.New("storage.retention: limits must not be negative")
	}
	for t, r := range st.Tenants {
		if err := event.ValidTenant(t); err != nil {
			return fmt.Errorf("storage.tenants: %w", err)
		}
		if r.MaxAge < 0 || r.MaxBytes < 0 {
			return fmt.Errorf("storage.tenants.%s: limits must not be negative", t)
		}
	}
	if err := c.ValidateOutputs(); err != nil {
		return err
	}
	if err := c.ValidateResponses(); err != nil {
		return err
	}
	if err := c.Patterns.validate(); err != nil {
		return err
	}
	if err := c.Enrich.Validate(); err != nil {
		return fmt.Errorf("enrich: %w", err)
	}
	if err := c.Analytics.Validate(); err != nil {
		return err
	}
	if err := c.Health.Validate(); err != nil {
		return err
	}
	if err := c.Usage.Validate(); err != nil {
		return err
	}
	return nil
}

// RetentionFor returns the retention of a tenant: its override, with unset
// limits taken from the global retention.
func (c *Config) RetentionFor(tenant string) Retention {
	r := c.Storage.Retention
	if o, ok := c.Storage.Tenants[tenant]; ok {
		if o.MaxAge != 0 {
			r.MaxAge = o.MaxAge
		}
		if o.MaxBytes != 0 {
			r.MaxBytes = o.MaxBytes
		}
	}
	return r
}

// decodeStrict decodes a YAML node into v, rejecting keys v has no field for.
func decodeStrict(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	d := yaml.NewDecoder(bytes.NewReader(b))
	d.KnownFields(true)
	return d.Decode(v)
}

func (ch *ClickHouse) validate() error {
	u, err := url.Parse(ch.URL)
	switch {
	case ch.URL == "":
		return errors.New("storage.clickhouse.url: required with backend clickhouse")
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return errors.New("storage.clickhouse.url: want http(s)://host:port")
	case u.User != nil:
		return errors.New("storage.clickhouse.url: must not carry credentials: use user and password_file")
	}
	if ch.Database == "" {
		ch.Database = "vigil"
	}
	if !clickhouseDatabaseRE.MatchString(ch.Database) {
		return fmt.Errorf("storage.clickhouse.database %q: want letters, digits and '_'", ch.Database)
	}
	if ch.Cluster == "" && (ch.Replicated || ch.ZooKeeperPath != "" || ch.Replica != "" || ch.ShardingKey != "" || len(ch.Nodes) > 0 || ch.InsertLocal) {
		return errors.New("storage.clickhouse: replicated, zookeeper_path, replica, sharding_key, nodes and insert_local need cluster")
	}
	if ch.InsertLocal && len(ch.Nodes) == 0 {
		return errors.New("storage.clickhouse.insert_local: needs nodes")
	}
	switch ch.ShardingKey {
	case "", "event", "host":
	default:
		return fmt.Errorf("storage.clickhouse.sharding_key %q: want event or host", ch.ShardingKey)
	}
	for _, n := range ch.Nodes {
		u, err := url.Parse(n)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return errors.New("storage.clickhouse.nodes: want http(s)://host:port, without credentials")
		}
	}
	return nil
}

var clickhouseDatabaseRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,63}$`)

// Password reads the password from PasswordFile ("" without one).
func (ch ClickHouse) Password() (string, error) {
	if ch.PasswordFile == "" {
		return "", nil
	}
	b, err := os.ReadFile(ch.PasswordFile)
	if err != nil {
		return "", fmt.Errorf("read storage.clickhouse.password_file: %w", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSpace(line), nil
}
