package objstore

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// Layouts of an object's content.
const (
	// LayoutAuto chooses per object from its first bytes (Detect).
	LayoutAuto = "auto"
	// LayoutLines hands each line to the source's parser.
	LayoutLines = "lines"
	// LayoutCloudTrail decodes CloudTrail records (awslog.CloudTrail).
	LayoutCloudTrail = "cloudtrail"
	// LayoutVPCFlow decodes VPC Flow Log lines (awslog.FlowFormat).
	LayoutVPCFlow = "vpcflow"
)

// Defaults and limits, with the reasoning behind them.
const (
	// DefaultPollInterval for object stores: a LIST request every 10 s
	// costs cents a month and keeps new objects a few seconds from import.
	DefaultPollInterval = 10 * time.Second
	// DefaultFullScanInterval: how often an object store is listed from
	// its first key, to find objects whose keys sort before the highest
	// key seen (other regions and accounts in CloudTrail paths, late
	// deliveries). Between full scans, a poll lists only the keys after
	// the highest one seen.
	DefaultFullScanInterval = 5 * time.Minute
	// DefaultMaxLineBytes cuts longer lines, as the file source does.
	DefaultMaxLineBytes = 256 << 10
	// MaxMaxLineBytes keeps one line inside one pipeline batch.
	MaxMaxLineBytes = 1 << 20
	// DefaultMaxAttempts: an object whose reading fails this many times in
	// a row (network errors, a store that refuses it) is recorded as
	// failed, with the reason, instead of being retried for ever. Failures
	// of the pipeline behind the source are always retried.
	DefaultMaxAttempts = 5
	// MinPollInterval keeps a misconfiguration from hammering a store.
	MinPollInterval = 10 * time.Millisecond
)

// Import holds the settings every import source has, inlined into its
// configuration.
type Import struct {
	// Include are glob patterns (path.Match) of the keys to import,
	// matched against the whole key and, for patterns without '/',
	// against its last element. Default: every key.
	Include []string `yaml:"include"`
	// Exclude are patterns of keys not to import, matched the same way.
	Exclude []string `yaml:"exclude"`
	// Layout is auto (default), lines, cloudtrail or vpcflow.
	Layout string `yaml:"layout"`
	// PollInterval is how often the store is listed.
	PollInterval config.Duration `yaml:"poll_interval"`
	// FullScanInterval is how often the listing starts from the first
	// key; 0 lists everything on every poll.
	FullScanInterval config.Duration `yaml:"full_scan_interval"`
	// Settle is how long an object must go unmodified before it is
	// imported: a file still being written changes its modification time.
	Settle config.Duration `yaml:"settle"`
	// DoneMarker, when set, is a suffix: an object is imported only once
	// an object named key+DoneMarker exists ("data.log" after
	// "data.log.done"). Marker objects are never imported.
	DoneMarker string `yaml:"done_marker"`
	// IgnoreOlderThan skips objects last modified longer ago; 0 imports
	// every object. It also bounds the state file.
	IgnoreOlderThan config.Duration `yaml:"ignore_older_than"`
	// MaxLineBytes cuts longer lines. Default: 256KiB.
	MaxLineBytes config.ByteSize `yaml:"max_line_bytes"`
	// MaxAttempts bounds the reads of an object that keep failing.
	MaxAttempts int `yaml:"max_attempts"`
}

// Defaults holds the defaults that differ between import sources.
type Defaults struct {
	PollInterval     time.Duration
	FullScanInterval time.Duration
	Settle           time.Duration
}

// Validate checks the settings and fills defaults.
func (c *Import) Validate(d Defaults) error {
	for _, p := range append(append([]string(nil), c.Include...), c.Exclude...) {
		if _, err := path.Match(p, ""); err != nil {
			return fmt.Errorf("pattern %q: %w", p, err)
		}
	}
	switch c.Layout {
	case "":
		c.Layout = LayoutAuto
	case LayoutAuto, LayoutLines, LayoutCloudTrail, LayoutVPCFlow:
	default:
		return fmt.Errorf("layout %q: want auto, lines, cloudtrail or vpcflow", c.Layout)
	}
	if c.PollInterval == 0 {
		c.PollInterval = config.Duration(d.PollInterval)
	}
	if c.PollInterval.D() < MinPollInterval {
		return fmt.Errorf("poll_interval %s: want at least %s", c.PollInterval, MinPollInterval)
	}
	if c.FullScanInterval == 0 {
		c.FullScanInterval = config.Duration(d.FullScanInterval)
	}
	if c.Settle == 0 {
		c.Settle = config.Duration(d.Settle)
	}
	if c.FullScanInterval < 0 || c.Settle < 0 || c.IgnoreOlderThan < 0 {
		return errors.New("full_scan_interval, settle and ignore_older_than must not be negative")
	}
	if strings.Contains(c.DoneMarker, "/") {
		return fmt.Errorf("done_marker %q: a suffix, without '/'", c.DoneMarker)
	}
	if c.MaxLineBytes == 0 {
		c.MaxLineBytes = DefaultMaxLineBytes
	}
	if c.MaxLineBytes < 1 || c.MaxLineBytes > MaxMaxLineBytes {
		return fmt.Errorf("max_line_bytes %d: want 1 to %d", c.MaxLineBytes, MaxMaxLineBytes)
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = DefaultMaxAttempts
	}
	if c.MaxAttempts < 1 {
		return fmt.Errorf("max_attempts %d: want at least 1", c.MaxAttempts)
	}
	return nil
}

// matches reports whether key is imported under the include and exclude
// patterns.
func (c *Import) matches(key string) bool {
	if c.DoneMarker != "" && strings.HasSuffix(key, c.DoneMarker) {
		return false
	}
	if len(c.Include) > 0 && !matchAny(c.Include, key) {
		return false
	}
	return !matchAny(c.Exclude, key)
}

func matchAny(patterns []string, key string) bool {
	base := path.Base(key)
	for _, p := range patterns {
		if ok, _ := path.Match(p, key); ok {
			return true
		}
		if !strings.Contains(p, "/") {
			if ok, _ := path.Match(p, base); ok {
				return true
			}
		}
	}
	return false
}
