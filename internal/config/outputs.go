package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// Output defaults, with the reasoning behind them. The queue limits are
// those of DESIGN §7 (the delivery service Vigil replaces promised 7 days
// and 80 GB per customer); the queue package explains the arithmetic.
const (
	DefaultOutputMaxAge   = Duration(7 * 24 * time.Hour)
	DefaultOutputMaxBytes = ByteSize(80_000_000_000)
	// DefaultBatchEvents and DefaultBatchBytes match the pipeline's batch
	// (1000 records, 1 MiB): an output forwards about the batches it was
	// given, and a Kafka produce request or an HTTP POST of 1 MiB is well
	// inside every receiver's default limit (Kafka 1 MB per record batch
	// after compression, Splunk HEC 1 MB per request by default...).
	DefaultBatchEvents = 1000
	DefaultBatchBytes  = ByteSize(1 << 20)
	// DefaultBatchLinger waits at most 200 ms for a batch to fill: events
	// still reach the receiver well inside a second, and at a trickle the
	// output sends a request per 200 ms rather than one per event.
	DefaultBatchLinger = Duration(200 * time.Millisecond)
	// DefaultRetryInitial, DefaultRetryMax: the first retry after 500 ms
	// (a receiver restarting), doubling up to a minute, so a receiver that
	// is down for a day costs ~1,500 connection attempts, not millions.
	DefaultRetryInitial = Duration(500 * time.Millisecond)
	DefaultRetryMax     = Duration(time.Minute)
	// DefaultRetryJitter spreads the retries of many outputs (and of many
	// Vigil nodes) by ±20% so a receiver that comes back is not hit by all
	// of them at once.
	DefaultRetryJitter = 0.2
)

// OutputCommon holds the settings every output has.
type OutputCommon struct {
	// Name identifies the output in routes, metrics and the API; its
	// queue lives in DataDir/queue/<name>.
	Name string `yaml:"name"`
	// Type selects the output implementation ("folder", "kafka", "syslog", "http").
	Type string `yaml:"type"`
	// Queue limits the durable queue of undelivered events.
	Queue OutputQueue `yaml:"queue"`
	// Throttle limits the delivery rate. Default: no limit.
	Throttle Throttle `yaml:"throttle"`
	// Batch says how many events go out together.
	Batch OutputBatch `yaml:"batch"`
	// Retry says how failed deliveries are retried (forever, with backoff).
	Retry Retry `yaml:"retry"`
}

// OutputQueue limits an output's durable queue, per tenant.
type OutputQueue struct {
	// MaxAge drops undelivered events older than this. Default: 7d.
	MaxAge Duration `yaml:"max_age"`
	// MaxBytes drops the oldest undelivered events beyond this. Default: 80GB.
	MaxBytes ByteSize `yaml:"max_bytes"`
	// Sync is the fsync policy: batch (default: fsync before the pipeline
	// is answered), interval or never.
	Sync string `yaml:"sync"`
	// Tenants override the limits per tenant.
	Tenants map[string]OutputQueueLimits `yaml:"tenants"`
}

// OutputQueueLimits override the queue limits of one tenant.
type OutputQueueLimits struct {
	MaxAge   Duration `yaml:"max_age"`
	MaxBytes ByteSize `yaml:"max_bytes"`
}

// Throttle limits the delivery rate with token buckets. Zero is no limit.
type Throttle struct {
	EventsPerSecond float64  `yaml:"events_per_second"`
	BytesPerSecond  ByteSize `yaml:"bytes_per_second"`
}

// OutputBatch says when a batch goes out: when it holds MaxEvents events
// or MaxBytes bytes, or Linger after its first event was read.
type OutputBatch struct {
	MaxEvents int      `yaml:"max_events"`
	MaxBytes  ByteSize `yaml:"max_bytes"`
	Linger    Duration `yaml:"linger"`
}

// Retry is exponential backoff with jitter, capped.
type Retry struct {
	Initial Duration `yaml:"initial"`
	Max     Duration `yaml:"max"`
	// Jitter is the random fraction (0 to 1) added to or taken from each wait.
	Jitter *float64 `yaml:"jitter"`
}

// ClientTLS configures TLS for a connection Vigil makes (outputs, the
// Kafka and NATS sources). TLS is on when Enabled is true or any file is
// set.
type ClientTLS struct {
	Enabled bool `yaml:"enabled"`
	// CAFile verifies the server; default: the system's roots.
	CAFile string `yaml:"ca_file"`
	// CertFile and KeyFile are a client certificate, for servers that
	// require one.
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
	// ServerName overrides the name checked in the server's certificate.
	ServerName string `yaml:"server_name"`
	// InsecureSkipVerify accepts any server certificate: tests only.
	InsecureSkipVerify bool `yaml:"insecure_skip_verify"`
	// MinVersion is "1.2" (default) or "1.3".
	MinVersion string `yaml:"min_version"`
}

// On reports whether TLS is to be used.
func (t ClientTLS) On() bool { return t.Enabled || t.CAFile != "" || t.CertFile != "" }

// Validate checks the settings without reading the files.
func (t ClientTLS) Validate() error {
	if (t.CertFile == "") != (t.KeyFile == "") {
		return errors.New("tls: cert_file and key_file must be set together")
	}
	switch t.MinVersion {
	case "", "1.2", "1.3":
	default:
		return fmt.Errorf("tls: min_version %q: want 1.2 or 1.3", t.MinVersion)
	}
	return nil
}

// ClientConfig loads the files and returns a client tls.Config, or nil
// when TLS is off.
func (t ClientTLS) ClientConfig() (*tls.Config, error) {
	if !t.On() {
		return nil, nil
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	c := &tls.Config{ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // InsecureSkipVerify is an explicit, documented test setting
	if t.MinVersion == "1.3" {
		c.MinVersion = tls.VersionTLS13
	}
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read tls ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("read tls ca %s: no PEM certificates", t.CAFile)
		}
		c.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("load tls key pair %s: %w", t.CertFile, err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

// OutputConfig is the configuration of one output type. Implementations
// embed OutputCommon and register themselves with RegisterOutput; the
// forward package builds the output from it.
type OutputConfig interface {
	// CommonOutput returns the embedded common settings.
	CommonOutput() *OutputCommon
	// Validate checks the type's settings and fills their defaults (the
	// common settings are validated by Config.Validate).
	Validate() error
}

var (
	outputMu    sync.RWMutex
	outputTypes = map[string]func() OutputConfig{}
)

// RegisterOutput makes an output type known to the configuration. It is
// called from the init function of the output's package.
func RegisterOutput(typ string, newConfig func() OutputConfig) {
	outputMu.Lock()
	defer outputMu.Unlock()
	if _, dup := outputTypes[typ]; dup {
		panic("config: output type registered twice: " + typ)
	}
	outputTypes[typ] = newConfig
}

// OutputTypes lists the registered output types.
func OutputTypes() []string {
	outputMu.RLock()
	defer outputMu.RUnlock()
	var ts []string
	for t := range outputTypes {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}

// Output is one entry of the outputs list: it decodes into the config type
// its "type" names.
type Output struct {
	OutputConfig
}

// UnmarshalYAML decodes the entry into its registered type, rejecting
// unknown keys.
func (o *Output) UnmarshalYAML(n *yaml.Node) error {
	var head struct {
		Type string `yaml:"type"`
	}
	if err := n.Decode(&head); err != nil {
		return err
	}
	outputMu.RLock()
	newConfig, ok := outputTypes[head.Type]
	outputMu.RUnlock()
	if !ok {
		return fmt.Errorf("line %d: output type %q unknown (known: %v)", n.Line, head.Type, OutputTypes())
	}
	c := newConfig()
	if err := decodeStrict(n, c); err != nil {
		return fmt.Errorf("line %d: output of type %s: %w", n.Line, head.Type, err)
	}
	o.OutputConfig = c
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (o Output) MarshalYAML() (any, error) { return o.OutputConfig, nil }

// Route chooses events and alerts for outputs. An event goes to the
// route's outputs when its tenant and source are among those listed (an
// empty list takes all) and it matches the filter.
type Route struct {
	// Name identifies the route in logs and metrics. Default: route-<index>.
	Name string `yaml:"name"`
	// Events and Alerts say what the route takes. Default: events only
	// (both unset); set alerts: true (and events: false) for alerts only.
	Events *bool `yaml:"events"`
	Alerts bool  `yaml:"alerts"`
	// Tenants and Sources restrict the route; empty takes every one.
	// Alerts have the source "alert".
	Tenants []string `yaml:"tenants"`
	Sources []string `yaml:"sources"`
	// Filter is a search-language filter (no pipes); empty takes all.
	Filter string `yaml:"filter"`
	// Fields, when set, keeps only these fields (plus the envelope:
	// @timestamp, event.id, tenant and source); a name ending in ".*"
	// keeps every field under it.
	Fields []string `yaml:"fields"`
	// Outputs receive what the route takes; at least one.
	Outputs []string `yaml:"outputs"`
}

// TakesEvents reports whether the route takes events.
func (r *Route) TakesEvents() bool { return r.Events == nil || *r.Events }

// ValidateOutputs checks the outputs and routes, and fills their defaults.
func (c *Config) ValidateOutputs() error {
	names := map[string]bool{}
	for i := range c.Outputs {
		o := c.Outputs[i]
		if o.OutputConfig == nil {
			return fmt.Errorf("outputs[%d]: empty entry", i)
		}
		com := o.CommonOutput()
		if err := com.validate(); err != nil {
			return fmt.Errorf("outputs[%d]: %w", i, err)
		}
		if names[com.Name] {
			return fmt.Errorf("output %s: name used twice", com.Name)
		}
		names[com.Name] = true
		if err := o.Validate(); err != nil {
			return fmt.Errorf("output %s: %w", com.Name, err)
		}
	}
	routeNames := map[string]bool{}
	for i := range c.Routes {
		r := &c.Routes[i]
		if r.Name == "" {
			r.Name = fmt.Sprintf("route-%d", i)
		}
		if !nameRE.MatchString(r.Name) {
			return fmt.Errorf("routes[%d]: name %q: want 1-64 letters, digits, '_', '.', '-'", i, r.Name)
		}
		if routeNames[r.Name] {
			return fmt.Errorf("route %s: name used twice", r.Name)
		}
		routeNames[r.Name] = true
		if !r.TakesEvents() && !r.Alerts {
			return fmt.Errorf("route %s: takes neither events nor alerts", r.Name)
		}
		if len(r.Outputs) == 0 {
			return fmt.Errorf("route %s: no outputs", r.Name)
		}
		for _, o := range r.Outputs {
			if !names[o] {
				return fmt.Errorf("route %s: output %q is not configured", r.Name, o)
			}
		}
		if r.Filter != "" {
			p, err := query.Parse(r.Filter)
			if err != nil {
				return fmt.Errorf("route %s: filter: %w", r.Name, err)
			}
			if len(p.Pipes) > 0 {
				return fmt.Errorf("route %s: filter: a route takes a filter without pipes", r.Name)
			}
		}
		for _, f := range r.Fields {
			if f == "" {
				return fmt.Errorf("route %s: empty field name", r.Name)
			}
		}
	}
	return nil
}

func (c *OutputCommon) validate() error {
	if !nameRE.MatchString(c.Name) {
		return fmt.Errorf("output name %q: want 1-64 letters, digits, '_', '.', '-'", c.Name)
	}
	q := &c.Queue
	if q.MaxAge == 0 {
		q.MaxAge = DefaultOutputMaxAge
	}
	if q.MaxBytes == 0 {
		q.MaxBytes = DefaultOutputMaxBytes
	}
	if q.MaxAge < 0 || q.MaxBytes < 0 {
		return fmt.Errorf("output %s: queue limits must not be negative", c.Name)
	}
	switch q.Sync {
	case "":
		q.Sync = "batch"
	case "batch", "interval", "never":
	default:
		return fmt.Errorf("output %s: queue.sync %q: want batch, interval or never", c.Name, q.Sync)
	}
	for t, l := range q.Tenants {
		if err := event.ValidTenant(t); err != nil {
			return fmt.Errorf("output %s: queue.tenants: %w", c.Name, err)
		}
		if l.MaxAge < 0 || l.MaxBytes < 0 {
			return fmt.Errorf("output %s: queue.tenants.%s: limits must not be negative", c.Name, t)
		}
	}
	if c.Throttle.EventsPerSecond < 0 || c.Throttle.BytesPerSecond < 0 {
		return fmt.Errorf("output %s: throttle must not be negative", c.Name)
	}
	b := &c.Batch
	if b.MaxEvents == 0 {
		b.MaxEvents = DefaultBatchEvents
	}
	if b.MaxBytes == 0 {
		b.MaxBytes = DefaultBatchBytes
	}
	if b.Linger == 0 {
		b.Linger = DefaultBatchLinger
	}
	if b.MaxEvents < 0 || b.MaxBytes < 0 || b.Linger < 0 {
		return fmt.Errorf("output %s: batch settings must not be negative", c.Name)
	}
	r := &c.Retry
	if r.Initial == 0 {
		r.Initial = DefaultRetryInitial
	}
	if r.Max == 0 {
		r.Max = DefaultRetryMax
	}
	if r.Jitter == nil {
		j := DefaultRetryJitter
		r.Jitter = &j
	}
	if r.Initial < 0 || r.Max < r.Initial || *r.Jitter < 0 || *r.Jitter > 1 {
		return fmt.Errorf("output %s: retry: want 0 < initial <= max and jitter in [0, 1]", c.Name)
	}
	return nil
}
