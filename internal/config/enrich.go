package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Enrich configures the enrichment processors (DESIGN §2): GeoIP/ASN,
// threat intelligence and asset/identity context. Each part is off until
// its files or feeds are configured. docs/enrichment.md describes the
// fields they add and the formats they read.
//
//	enrich:
//	  geoip:
//	    city: /var/lib/GeoIP/GeoLite2-City.mmdb
//	    asn: /var/lib/GeoIP/GeoLite2-ASN.mmdb
//	  intel:
//	    feeds:
//	      - {name: cert-stix, format: stix, url: "https://cert.example/taxii/bundle.json", refresh: 1h}
//	      - {name: blocklist, format: csv, path: /etc/vigil/blocklist.csv, confidence: 70}
//	  assets:
//	    hosts: [/etc/vigil/hosts.csv]
//	    users: [/etc/vigil/users.json]
type Enrich struct {
	GeoIP  EnrichGeoIP  `yaml:"geoip"`
	Intel  EnrichIntel  `yaml:"intel"`
	Assets EnrichAssets `yaml:"assets"`
}

// EnrichGeoIP configures GeoIP and ASN lookups in MaxMind-format databases.
type EnrichGeoIP struct {
	// City is a GeoIP2/GeoLite2 City or Country database.
	City string `yaml:"city"`
	// ASN is a GeoLite2-ASN or GeoIP2-ISP database.
	ASN string `yaml:"asn"`
	// Fields are the IP fields looked up. Default: source.ip,
	// destination.ip, client.ip, server.ip.
	Fields []string `yaml:"fields"`
	// Language of place names. Default: en.
	Language string `yaml:"language"`
	// CheckInterval is how often the files are checked for a new version.
	// Default: 1m.
	CheckInterval Duration `yaml:"check_interval"`
}

// Enabled reports whether a database is configured.
func (g *EnrichGeoIP) Enabled() bool { return g.City != "" || g.ASN != "" }

// EnrichIntel configures threat-intelligence feeds.
type EnrichIntel struct {
	Feeds []IntelFeed `yaml:"feeds"`
	// Fields are the event fields matched against the indicators. Default:
	// the ECS address, domain, URL and hash fields and their Windows and
	// Zeek equivalents (see docs/enrichment.md).
	Fields []string `yaml:"fields"`
	// CheckInterval is how often feed files are polled and URL feeds checked
	// for being due. Default: 30s.
	CheckInterval Duration `yaml:"check_interval"`
	// AlertWindow folds repeated matches of one indicator on the same
	// entities into one alert. Default: 10m.
	AlertWindow Duration `yaml:"alert_window"`
}

// Enabled reports whether any feed is configured.
func (i *EnrichIntel) Enabled() bool { return len(i.Feeds) > 0 }

// IntelFeed is one source of indicators.
type IntelFeed struct {
	// Name identifies the feed in alerts and fields.
	Name string `yaml:"name"`
	// Format is csv, stix or misp.
	Format string `yaml:"format"`
	// Path is a file (for misp also a feed directory or its manifest.json).
	Path string `yaml:"path"`
	// URL is an http(s) URL fetched instead of a path (for misp, a URL
	// ending in manifest.json or "/" is a feed directory).
	URL string `yaml:"url"`
	// Headers are sent with every request (an API key).
	Headers map[string]string `yaml:"headers"`
	// Refresh is how often a URL is fetched again. Default: 1h.
	Refresh Duration `yaml:"refresh"`
	// Confidence (0–100) for indicators the feed gives none. Default: none
	// ("Not Specified").
	Confidence *int `yaml:"confidence"`
	// Provider names the publisher for indicators that name none.
	Provider string `yaml:"provider"`
	// IncludeNonIDS loads MISP attributes whose to_ids flag is off.
	IncludeNonIDS bool `yaml:"include_non_ids"`
	// MaxBytes bounds one downloaded or read document. Default: 1GiB.
	MaxBytes ByteSize `yaml:"max_bytes"`
}

// EnrichAssets configures asset and identity inventories.
type EnrichAssets struct {
	// Hosts are host inventories (CSV or JSON).
	Hosts []string `yaml:"hosts"`
	// Users are user inventories (CSV or JSON).
	Users []string `yaml:"users"`
	// CheckInterval is how often the files are checked for changes. Default: 30s.
	CheckInterval Duration `yaml:"check_interval"`
}

// Enabled reports whether any inventory is configured.
func (a *EnrichAssets) Enabled() bool { return len(a.Hosts) > 0 || len(a.Users) > 0 }

// Enrichment defaults.
const (
	DefaultGeoIPCheck       = Duration(time.Minute)
	DefaultIntelCheck       = Duration(30 * time.Second)
	DefaultIntelRefresh     = Duration(time.Hour)
	DefaultIntelAlertWindow = Duration(10 * time.Minute)
	DefaultIntelMaxBytes    = ByteSize(1 << 30)
	DefaultAssetsCheck      = Duration(30 * time.Second)
)

// Validate checks the enrichment settings and fills defaults.
func (e *Enrich) Validate() error {
	g := &e.GeoIP
	if g.CheckInterval <= 0 {
		g.CheckInterval = DefaultGeoIPCheck
	}
	if g.Language == "" {
		g.Language = "en"
	}
	for _, f := range g.Fields {
		if !strings.HasSuffix(f, ".ip") || f == ".ip" {
			return fmt.Errorf("geoip.fields: %q: want a field name ending in .ip", f)
		}
	}
	if !g.Enabled() && len(g.Fields) > 0 {
		return errors.New("geoip: fields are set but neither city nor asn names a database")
	}
	in := &e.Intel
	if in.CheckInterval <= 0 {
		in.CheckInterval = DefaultIntelCheck
	}
	if in.AlertWindow <= 0 {
		in.AlertWindow = DefaultIntelAlertWindow
	}
	names := map[string]bool{}
	for i := range in.Feeds {
		f := &in.Feeds[i]
		if !nameRE.MatchString(f.Name) {
			return fmt.Errorf("intel.feeds[%d]: name %q: want 1-64 letters, digits, '_', '.', '-'", i, f.Name)
		}
		if names[f.Name] {
			return fmt.Errorf("intel.feeds[%d]: name %q used twice", i, f.Name)
		}
		names[f.Name] = true
		switch f.Format {
		case "csv", "stix", "misp":
		default:
			return fmt.Errorf("intel feed %s: format %q: want csv, stix or misp", f.Name, f.Format)
		}
		if (f.Path == "") == (f.URL == "") {
			return fmt.Errorf("intel feed %s: set exactly one of path and url", f.Name)
		}
		if f.URL != "" {
			u, err := url.Parse(f.URL)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return fmt.Errorf("intel feed %s: url %q: want an http or https URL", f.Name, f.URL)
			}
		}
		if f.Confidence != nil && (*f.Confidence < 0 || *f.Confidence > 100) {
			return fmt.Errorf("intel feed %s: confidence %d: want 0-100", f.Name, *f.Confidence)
		}
		if f.Refresh <= 0 {
			f.Refresh = DefaultIntelRefresh
		}
		if f.MaxBytes <= 0 {
			f.MaxBytes = DefaultIntelMaxBytes
		}
		if f.IncludeNonIDS && f.Format != "misp" {
			return fmt.Errorf("intel feed %s: include_non_ids applies to misp feeds only", f.Name)
		}
	}
	for _, f := range in.Fields {
		if f == "" {
			return errors.New("intel.fields: empty field name")
		}
	}
	a := &e.Assets
	if a.CheckInterval <= 0 {
		a.CheckInterval = DefaultAssetsCheck
	}
	for _, p := range append(append([]string(nil), a.Hosts...), a.Users...) {
		if p == "" {
			return errors.New("assets: empty file name")
		}
	}
	return nil
}
