// Package geoip owns GeoIP and ASN enrichment: it looks the IP addresses
// of an event (source.ip, destination.ip, client.ip, server.ip by default)
// up in MaxMind-format databases (GeoIP2/GeoLite2 City or Country, and ASN
// or ISP) and adds the ECS geo and as fields beside each:
//
//	source.geo.continent_code, continent_name, country_iso_code, country_name,
//	region_iso_code, region_name, city_name, postal_code, timezone,
//	location.lat, location.lon (floats)
//	source.as.number (int), source.as.organization.name
//
// (destination.*, client.*, server.* likewise). ECS's geo.location is a
// geo_point; the flat event model keeps it as two float fields.
//
// The databases are read with github.com/oschwald/maxminddb-golang/v2.
// They are read into memory whole (not mmapped), checked with the
// library's verifier, and swapped in atomically when their files change:
// a lookup always sees one complete database, and a replaced one is freed
// by the garbage collector once no lookup holds it (unmapping a file that
// a lookup still reads would crash the process). Decoded records are cached
// per database by their data offset, which many networks share.
package geoip

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/oschwald/maxminddb-golang/v2"

	"github.com/vigilsiem/vigil/internal/enrich/internal/watch"
	"github.com/vigilsiem/vigil/internal/event"
)

// DefaultFields are the address fields looked up when Options.Fields is empty.
var DefaultFields = []string{"source.ip", "destination.ip", "client.ip", "server.ip"}

// Defaults.
const (
	// DefaultCheckInterval is how often the database files are polled for
	// changes: MaxMind publishes at most twice a week, so a minute is prompt
	// and costs two stats.
	DefaultCheckInterval = time.Minute
	// maxCached bounds the decoded records kept per database. GeoLite2-City
	// has about 600k distinct records; 200k cover the active part of most
	// networks' traffic at ~300 B each (60 MB worst case).
	maxCached = 200_000
)

// Options configure an Enricher.
type Options struct {
	// City is a GeoIP2/GeoLite2 City or Country database (or any database
	// with the same layout). Empty: no geo fields.
	City string
	// ASN is a GeoLite2-ASN or GeoIP2-ISP database. Empty: no as fields.
	ASN string
	// Fields are the IP fields to look up; each gets the geo and as fields
	// under its own prefix (source.ip → source.geo.*). Default DefaultFields.
	Fields []string
	// Language of the names; default "en".
	Language string
	// CheckInterval is how often Run polls the files; default DefaultCheckInterval.
	CheckInterval time.Duration
	// Logger reports reloads and reload failures; nil means slog.Default().
	Logger *slog.Logger
}

// The geo fields, in the order they are set.
const (
	fContinentCode = iota
	fContinentName
	fCountryISO
	fCountryName
	fRegionISO
	fRegionName
	fCityName
	fPostal
	fTimezone
	fLat
	fLon
	fASNumber
	fASOrg
	nFields
)

var fieldSuffix = [nFields]string{
	".geo.continent_code", ".geo.continent_name", ".geo.country_iso_code", ".geo.country_name",
	".geo.region_iso_code", ".geo.region_name", ".geo.city_name", ".geo.postal_code", ".geo.timezone",
	".geo.location.lat", ".geo.location.lon", ".as.number", ".as.organization.name",
}

// record is a decoded lookup result: the values of the fields it has.
type record struct {
	vals [nFields]event.Value
}

// database is one loaded database with its record cache.
type database struct {
	r      *maxminddb.Reader
	path   string
	cache  sync.Map // uintptr (data offset) → *record
	cached atomic.Int64
}

// databases is what a lookup sees: swapped whole on reload.
type databases struct {
	city, asn *database
}

// Enricher adds GeoIP and ASN fields to events. It is safe for concurrent use.
type Enricher struct {
	opts   Options
	dbs    atomic.Pointer[databases]
	files  *watch.Files
	names  [][nFields]string // per configured field: the full output names
	fields map[string]int    // configured IP field → index into names
	log    *slog.Logger
	mu     sync.Mutex // serialises reloads
}

// New opens the configured databases. It fails when a configured file
// cannot be read or is not a valid database.
func New(opts Options) (*Enricher, error) {
	if opts.City == "" && opts.ASN == "" {
		return nil, errors.New("geoip: neither a city nor an asn database is configured")
	}
	if len(opts.Fields) == 0 {
		opts.Fields = DefaultFields
	}
	if opts.Language == "" {
		opts.Language = "en"
	}
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	g := &Enricher{opts: opts, fields: map[string]int{}, log: opts.Logger}
	if g.log == nil {
		g.log = slog.Default()
	}
	for _, f := range opts.Fields {
		prefix, ok := strings.CutSuffix(f, ".ip")
		if !ok || prefix == "" {
			return nil, fmt.Errorf("geoip: field %q: want a name ending in .ip", f)
		}
		var n [nFields]string
		for i, s := range fieldSuffix {
			n[i] = prefix + s
		}
		g.fields[f] = len(g.names)
		g.names = append(g.names, n)
	}
	var paths []string
	for _, p := range []string{opts.City, opts.ASN} {
		if p != "" {
			paths = append(paths, p)
		}
	}
	g.files = watch.New(paths...)
	g.files.MarkCurrent()
	dbs, err := g.load()
	if err != nil {
		return nil, err
	}
	g.dbs.Store(dbs)
	return g, nil
}

// load reads and verifies the configured databases.
func (g *Enricher) load() (*databases, error) {
	dbs := &databases{}
	var err error
	if g.opts.City != "" {
		if dbs.city, err = open(g.opts.City); err != nil {
			return nil, err
		}
	}
	if g.opts.ASN != "" {
		if dbs.asn, err = open(g.opts.ASN); err != nil {
			return nil, err
		}
	}
	return dbs, nil
}

func open(path string) (*database, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("geoip: read %s: %w", path, err)
	}
	r, err := maxminddb.OpenBytes(b)
	if err != nil {
		return nil, fmt.Errorf("geoip: open %s: %w", path, err)
	}
	if err := r.Verify(); err != nil {
		return nil, fmt.Errorf("geoip: verify %s: %w", path, err)
	}
	return &database{r: r, path: path}, nil
}

// Name implements pipeline.Processor.
func (g *Enricher) Name() string { return "enrich_geoip" }

// Run polls the database files every CheckInterval and reloads them when
// they change, until ctx ends.
func (g *Enricher) Run(ctx context.Context) {
	watch.Every(ctx, g.opts.CheckInterval, func() { _, _ = g.Reload() })
}

// Reload reloads the databases when their files changed and have stayed
// unchanged for one poll (so two calls are needed to see a change). It
// reports whether it swapped in new databases; a failed load keeps the old
// ones and is logged and returned.
func (g *Enricher) Reload() (bool, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.files.Check() {
		return false, nil
	}
	dbs, err := g.load()
	if err != nil {
		g.log.Error("geoip reload failed; keeping the loaded databases", "err", err)
		return false, err
	}
	g.files.Loaded()
	g.dbs.Store(dbs)
	g.log.Info("geoip databases reloaded", "city", g.opts.City, "asn", g.opts.ASN)
	return true, nil
}

// Process implements pipeline.Processor.
func (g *Enricher) Process(_ context.Context, events []*event.Event) []*event.Event {
	dbs := g.dbs.Load()
	for _, e := range events {
		g.enrich(dbs, e)
	}
	return events
}

// Enrich adds the fields to one event.
func (g *Enricher) Enrich(e *event.Event) { g.enrich(g.dbs.Load(), e) }

func (g *Enricher) enrich(dbs *databases, e *event.Event) {
	// Collect first: setting fields appends to e.Fields.
	var found [4]struct {
		idx  int
		addr netip.Addr
	}
	n := 0
	for i := range e.Fields {
		name := e.Fields[i].Name
		if len(name) < 4 || name[len(name)-3:] != ".ip" {
			continue
		}
		idx, ok := g.fields[name]
		if !ok {
			continue
		}
		a, ok := e.Fields[i].Value.Addr()
		if !ok || !routable(a) {
			continue
		}
		if n < len(found) {
			found[n].idx, found[n].addr = idx, a
			n++
		}
	}
	for _, f := range found[:n] {
		names := &g.names[f.idx]
		if dbs.city != nil {
			if rec := dbs.city.lookup(f.addr, g.opts.Language, decodeCity); rec != nil {
				set(e, names, rec)
			}
		}
		if dbs.asn != nil {
			if rec := dbs.asn.lookup(f.addr, g.opts.Language, decodeASN); rec != nil {
				set(e, names, rec)
			}
		}
	}
}

// routable reports whether a lookup can find anything: public databases
// hold no private, loopback, link-local or multicast networks, but a
// custom one may hold private ranges, so only the never-located kinds are
// skipped.
func routable(a netip.Addr) bool {
	return !a.IsLoopback() && !a.IsUnspecified() && !a.IsMulticast() && !a.IsLinkLocalUnicast()
}

func set(e *event.Event, names *[nFields]string, rec *record) {
	for i := range rec.vals {
		if !rec.vals[i].IsNull() {
			e.Set(names[i], rec.vals[i])
		}
	}
}

func (d *database) lookup(a netip.Addr, lang string, decode func(maxminddb.Result, string) (*record, error)) *record {
	res := d.r.Lookup(a)
	if !res.Found() {
		return nil
	}
	off := res.Offset()
	if v, ok := d.cache.Load(off); ok {
		return v.(*record)
	}
	rec, err := decode(res, lang)
	if err != nil || rec == nil {
		return nil
	}
	if d.cached.Load() < maxCached {
		if _, loaded := d.cache.LoadOrStore(off, rec); !loaded {
			d.cached.Add(1)
		}
	}
	return rec
}

type names map[string]string

func (n names) get(lang string) string {
	if s, ok := n[lang]; ok {
		return s
	}
	return n["en"]
}

type cityRecord struct {
	City struct {
		Names names `maxminddb:"names"`
	} `maxminddb:"city"`
	Continent struct {
		Code  string `maxminddb:"code"`
		Names names  `maxminddb:"names"`
	} `maxminddb:"continent"`
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   names  `maxminddb:"names"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   names  `maxminddb:"names"`
	} `maxminddb:"registered_country"`
	Location struct {
		Latitude  *float64 `maxminddb:"latitude"`
		Longitude *float64 `maxminddb:"longitude"`
		TimeZone  string   `maxminddb:"time_zone"`
	} `maxminddb:"location"`
	Postal struct {
		Code string `maxminddb:"code"`
	} `maxminddb:"postal"`
	Subdivisions []struct {
		ISOCode string `maxminddb:"iso_code"`
		Names   names  `maxminddb:"names"`
	} `maxminddb:"subdivisions"`
}

func decodeCity(res maxminddb.Result, lang string) (*record, error) {
	var c cityRecord
	if err := res.Decode(&c); err != nil {
		return nil, err
	}
	rec := &record{}
	str := func(i int, s string) {
		if s != "" {
			rec.vals[i] = event.String(s)
		}
	}
	str(fContinentCode, c.Continent.Code)
	str(fContinentName, c.Continent.Names.get(lang))
	iso, name := c.Country.ISOCode, c.Country.Names.get(lang)
	if iso == "" {
		iso, name = c.RegisteredCountry.ISOCode, c.RegisteredCountry.Names.get(lang)
	}
	str(fCountryISO, iso)
	str(fCountryName, name)
	if len(c.Subdivisions) > 0 {
		sub := c.Subdivisions[0]
		if sub.ISOCode != "" && iso != "" {
			str(fRegionISO, iso+"-"+sub.ISOCode)
		}
		str(fRegionName, sub.Names.get(lang))
	}
	str(fCityName, c.City.Names.get(lang))
	str(fPostal, c.Postal.Code)
	str(fTimezone, c.Location.TimeZone)
	if c.Location.Latitude != nil && c.Location.Longitude != nil {
		rec.vals[fLat] = event.Float(*c.Location.Latitude)
		rec.vals[fLon] = event.Float(*c.Location.Longitude)
	}
	return rec, nil
}

type asnRecord struct {
	Number uint32 `maxminddb:"autonomous_system_number"`
	Org    string `maxminddb:"autonomous_system_organization"`
}

func decodeASN(res maxminddb.Result, _ string) (*record, error) {
	var a asnRecord
	if err := res.Decode(&a); err != nil {
		return nil, err
	}
	if a.Number == 0 && a.Org == "" {
		return nil, nil
	}
	rec := &record{}
	if a.Number != 0 {
		rec.vals[fASNumber] = event.Int(int64(a.Number))
	}
	if a.Org != "" {
		rec.vals[fASOrg] = event.String(a.Org)
	}
	return rec, nil
}
