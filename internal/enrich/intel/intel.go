// Package intel owns threat-intelligence enrichment: it loads indicators
// (IP addresses and CIDRs, domains, URLs, MD5/SHA-1/SHA-256/SHA-512
// hashes) from CSV files, STIX 2.x bundles and MISP feeds, kept in files
// or fetched over HTTP(S) and refreshed on a schedule, matches every
// event's addresses, names, URLs and hashes against them, records each
// match in the event as ECS threat.enrichments, and turns matches into
// alerts (AlertSink).
//
// ECS makes threat.enrichments an array of objects; Vigil's events are
// flat, so each property is one list field and the i-th items of all the
// lists describe the i-th match (Elasticsearch stores an array of objects
// the same way unless it is mapped as nested):
//
//	threat.enrichments.matched.atomic      the event's value that matched
//	threat.enrichments.matched.field       the event field it was in
//	threat.enrichments.matched.id          the indicator's id (STIX id, MISP uuid, or feed:type:value)
//	threat.enrichments.matched.type        "indicator_match_rule"
//	threat.enrichments.indicator.type      ipv4-addr, ipv6-addr, domain-name, url, file
//	threat.enrichments.indicator.name      the indicator (an address, CIDR, domain, URL or hash)
//	threat.enrichments.indicator.provider  who published it
//	threat.enrichments.indicator.confidence  Not Specified, None, Low, Medium, High
//	threat.enrichments.indicator.description
//	threat.enrichments.indicator.reference
//	threat.enrichments.indicator.marking.tlp
//	vigil.threat.enrichments.feed          the configured feed
//	vigil.threat.enrichments.confidence    the confidence as 0–100 ("" when unknown)
//
// A search for threat.enrichments.indicator.name:198.51.100.7 finds the
// events that matched that indicator. At most MaxMatches matches are kept
// per event.
//
// Indicators sit in an Index (a prefix table for addresses, hash maps for
// the rest) built whole on every refresh and swapped in atomically;
// lookups never lock. A million indicators take about 200 MB.
package intel

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/enrich/internal/watch"
	"github.com/vigilsiem/vigil/internal/event"
)

// Field names written for a match.
const (
	FieldMatchedAtomic = "threat.enrichments.matched.atomic"
	FieldMatchedField  = "threat.enrichments.matched.field"
	FieldMatchedID     = "threat.enrichments.matched.id"
	FieldMatchedType   = "threat.enrichments.matched.type"
	FieldType          = "threat.enrichments.indicator.type"
	FieldName          = "threat.enrichments.indicator.name"
	FieldProvider      = "threat.enrichments.indicator.provider"
	FieldConfidence    = "threat.enrichments.indicator.confidence"
	FieldDescription   = "threat.enrichments.indicator.description"
	FieldReference     = "threat.enrichments.indicator.reference"
	FieldTLP           = "threat.enrichments.indicator.marking.tlp"
	FieldFeed          = "vigil.threat.enrichments.feed"
	FieldScore         = "vigil.threat.enrichments.confidence"
)

// MaxMatches bounds the matches recorded per event.
const MaxMatches = 16

// DefaultCheckInterval is how often Run polls feed files and checks
// whether a URL feed is due.
const DefaultCheckInterval = 30 * time.Second

// fieldKind says how an event field is matched.
type fieldKind uint8

const (
	kindIP fieldKind = iota + 1
	kindDomain
	kindURL
	kindHash
	kindSysmonHashes // "SHA1=…,MD5=…,SHA256=…,IMPHASH=…"
)

// DefaultFields are the event fields matched when Options.Fields is empty:
// ECS addresses, names, URLs and hashes, the Windows (Sysmon, Security)
// names for the same, and Zeek's connection and DNS fields.
var DefaultFields = []string{
	"source.ip", "destination.ip", "client.ip", "server.ip", "host.ip", "related.ip", "source.nat.ip", "destination.nat.ip",
	"dns.resolved_ip", "winlog.event_data.SourceIp", "winlog.event_data.DestinationIp", "winlog.event_data.IpAddress",
	"id.orig_h", "id.resp_h",
	"dns.question.name", "url.domain", "destination.domain", "source.domain", "server.domain", "client.domain",
	"tls.client.server_name", "winlog.event_data.QueryName", "winlog.event_data.DestinationHostname", "query",
	"url.full", "url.original",
	"file.hash.md5", "file.hash.sha1", "file.hash.sha256", "file.hash.sha512",
	"process.hash.md5", "process.hash.sha1", "process.hash.sha256", "process.hash.sha512",
	"dll.hash.md5", "dll.hash.sha1", "dll.hash.sha256",
	"winlog.event_data.Hashes", "related.hash",
}

// kindOf decides how a field is matched from its name.
func kindOf(name string) fieldKind {
	low := strings.ToLower(name)
	switch {
	case name == "winlog.event_data.Hashes":
		return kindSysmonHashes
	case strings.HasSuffix(low, ".ip") || strings.HasSuffix(low, "ip") || strings.HasSuffix(low, "ipaddress") ||
		strings.HasSuffix(low, "_h") || strings.HasSuffix(low, "resolved_ip"):
		return kindIP
	case strings.Contains(low, "hash"):
		return kindHash
	case strings.HasPrefix(low, "url.full") || strings.HasPrefix(low, "url.original") || strings.HasSuffix(low, ".url") || low == "url":
		return kindURL
	}
	return kindDomain
}

// Options configure an Intel.
type Options struct {
	Feeds []Feed
	// Fields are the event fields matched; default DefaultFields.
	Fields []string
	// CheckInterval is how often Run checks the feeds; default DefaultCheckInterval.
	CheckInterval time.Duration
	// HTTPClient fetches URL feeds; default http.DefaultClient (requests
	// carry their own timeout).
	HTTPClient *http.Client
	// Logger reports loads and failures; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Intel loads feeds and enriches events. It is safe for concurrent use.
type Intel struct {
	opts     Options
	feeds    []*feedState
	index    atomic.Pointer[Index]
	fields   map[string]fieldKind
	lenMask  uint64 // bit n set when a matched field name has length n (or ≥63)
	log      *slog.Logger
	refresh  sync.Mutex
	matched  atomic.Int64
	enriched atomic.Int64
}

// New validates the feeds and loads the file feeds. URL feeds are fetched
// by the first Refresh (Run does one at once), so a slow or unreachable
// feed server never delays start-up. A feed that fails to load is logged
// and retried; Status reports it.
func New(ctx context.Context, opts Options) (*Intel, error) {
	if opts.CheckInterval <= 0 {
		opts.CheckInterval = DefaultCheckInterval
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = http.DefaultClient
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if len(opts.Fields) == 0 {
		opts.Fields = DefaultFields
	}
	x := &Intel{opts: opts, fields: map[string]fieldKind{}, log: opts.Logger}
	if x.log == nil {
		x.log = slog.Default()
	}
	for _, f := range opts.Fields {
		if f == "" {
			return nil, errors.New("intel: empty field name")
		}
		x.fields[f] = kindOf(f)
		l := len(f)
		if l > 63 {
			l = 63
		}
		x.lenMask |= 1 << l
	}
	names := map[string]bool{}
	for i := range opts.Feeds {
		f := opts.Feeds[i]
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("intel: %w", err)
		}
		if names[f.Name] {
			return nil, fmt.Errorf("intel: feed name %q used twice", f.Name)
		}
		names[f.Name] = true
		x.feeds = append(x.feeds, newFeedState(f))
	}
	x.index.Store(Build(nil))
	x.reload(ctx, true)
	return x, nil
}

// Name implements pipeline.Processor.
func (x *Intel) Name() string { return "enrich_intel" }

// Index returns the index in use.
func (x *Intel) Index() *Index { return x.index.Load() }

// Run fetches the URL feeds at once, then refreshes the feeds until ctx
// ends: files when they change, URLs every Refresh.
func (x *Intel) Run(ctx context.Context) {
	x.Refresh(ctx)
	watch.Every(ctx, x.opts.CheckInterval, func() { x.Refresh(ctx) })
}

// Refresh loads the feeds that are due and swaps in a new index when any
// changed. It reports whether the index changed.
func (x *Intel) Refresh(ctx context.Context) bool { return x.reload(ctx, false) }

func (x *Intel) reload(ctx context.Context, all bool) bool {
	x.refresh.Lock()
	defer x.refresh.Unlock()
	now := x.opts.Now()
	changed := false
	for _, f := range x.feeds {
		if all && f.URL != "" {
			continue // fetched by the first Refresh
		}
		if !all && !f.due(now) {
			continue
		}
		if all && f.files != nil {
			f.files.Check()
		}
		src := Source{Feed: f.Name, Confidence: f.Confidence, Provider: f.Provider, Now: now, IncludeNonIDS: f.IncludeNonIDS}
		ok, err := f.load(ctx, x.opts.HTTPClient, src)
		if err != nil {
			if f.URL != "" && f.Refresh > time.Minute {
				f.next = now.Add(time.Minute) // retry a failed fetch soon
			}
			x.log.Error("threat intel feed failed to load; its previous indicators stay", "feed", f.Name, "err", err)
			continue
		}
		if ok {
			changed = true
			x.log.Info("threat intel feed loaded", "feed", f.Name, "indicators", len(f.inds),
				"skipped", f.stats.SkippedTotal(), "skipped_by_reason", f.stats.Skipped)
		}
	}
	if !changed {
		return false
	}
	n := 0
	for _, f := range x.feeds {
		n += len(f.inds)
	}
	all2 := make([]Indicator, 0, n)
	for _, f := range x.feeds {
		all2 = append(all2, f.inds...)
	}
	x.index.Store(Build(all2))
	return true
}

// Status reports every feed's last load.
func (x *Intel) Status() []FeedStatus {
	x.refresh.Lock()
	defer x.refresh.Unlock()
	out := make([]FeedStatus, 0, len(x.feeds))
	for _, f := range x.feeds {
		out = append(out, FeedStatus{Name: f.Name, Indicators: len(f.inds), Skipped: f.stats.Skipped, LoadedAt: f.loadedAt, Err: f.err})
	}
	return out
}

// Matches is the number of indicator matches recorded since start, and
// Enriched the number of events that had at least one.
func (x *Intel) Matches() (matches, enriched int64) { return x.matched.Load(), x.enriched.Load() }

// Process implements pipeline.Processor.
func (x *Intel) Process(_ context.Context, events []*event.Event) []*event.Event {
	idx := x.index.Load()
	if idx.Len() == 0 {
		return events
	}
	now := x.opts.Now()
	var m matches
	for _, e := range events {
		x.enrich(idx, now, e, &m)
	}
	return events
}

// Enrich matches one event and returns the number of matches recorded.
func (x *Intel) Enrich(e *event.Event) int {
	var m matches
	return x.enrich(x.index.Load(), x.opts.Now(), e, &m)
}

// matches collects one event's matches before they are written.
type matches struct {
	n                                                                         int
	atomic, field, id, typ, name, provider, conf, desc, ref, tlp, feed, score []string
	seen                                                                      [MaxMatches]*Indicator
}

func (m *matches) reset() {
	m.n = 0
	m.atomic, m.field, m.id, m.typ, m.name, m.provider, m.conf, m.desc, m.ref, m.tlp, m.feed, m.score =
		nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil
}

func (m *matches) add(ind *Indicator, field, value string) {
	if m.n >= MaxMatches {
		return
	}
	for j, s := range m.seen[:m.n] {
		if s == ind && m.field[j] == field {
			return
		}
	}
	m.seen[m.n] = ind
	m.n++
	m.atomic = append(m.atomic, value)
	m.field = append(m.field, field)
	id := ind.ID
	if id == "" {
		id = ind.Feed + ":" + ind.Type.String() + ":" + ind.Value
	}
	m.id = append(m.id, id)
	m.typ = append(m.typ, ind.Type.ECSType(ind.Value))
	m.name = append(m.name, ind.Value)
	m.provider = append(m.provider, ind.Provider)
	m.conf = append(m.conf, ConfidenceLabel(ind.Confidence))
	m.desc = append(m.desc, ind.Description)
	m.ref = append(m.ref, ind.Reference)
	m.tlp = append(m.tlp, ind.TLP)
	m.feed = append(m.feed, ind.Feed)
	score := ""
	if ind.Confidence >= 0 {
		score = fmt.Sprint(ind.Confidence)
	}
	m.score = append(m.score, score)
}

func (x *Intel) enrich(idx *Index, now time.Time, e *event.Event, m *matches) int {
	m.reset()
	for i := range e.Fields {
		name := e.Fields[i].Name
		l := len(name)
		if l > 63 {
			l = 63
		}
		if x.lenMask&(1<<l) == 0 {
			continue
		}
		kind, ok := x.fields[name]
		if !ok {
			continue
		}
		v := e.Fields[i].Value
		if v.Kind() == event.KindList {
			for _, s := range v.List() {
				x.match(idx, now, e, kind, name, s, m)
			}
			continue
		}
		if v.Kind() != event.KindString && v.Kind() != event.KindIP {
			continue
		}
		x.match(idx, now, e, kind, name, v.Str(), m)
	}
	if m.n == 0 {
		return 0
	}
	x.matched.Add(int64(m.n))
	x.enriched.Add(1)
	e.Set(FieldMatchedAtomic, event.List(m.atomic))
	e.Set(FieldMatchedField, event.List(m.field))
	e.Set(FieldMatchedID, event.List(m.id))
	types := make([]string, m.n)
	for i := range types {
		types[i] = "indicator_match_rule"
	}
	e.Set(FieldMatchedType, event.List(types))
	e.Set(FieldType, event.List(m.typ))
	e.Set(FieldName, event.List(m.name))
	e.Set(FieldProvider, event.List(m.provider))
	e.Set(FieldConfidence, event.List(m.conf))
	e.Set(FieldDescription, event.List(m.desc))
	e.Set(FieldReference, event.List(m.ref))
	e.Set(FieldTLP, event.List(m.tlp))
	e.Set(FieldFeed, event.List(m.feed))
	e.Set(FieldScore, event.List(m.score))
	return m.n
}

func (x *Intel) match(idx *Index, now time.Time, e *event.Event, kind fieldKind, field, s string, m *matches) {
	if s == "" || s == "-" {
		return
	}
	add := func(ind *Indicator) { m.add(ind, field, s) }
	switch kind {
	case kindIP:
		if !idx.HasIPs() {
			return
		}
		if a, ok := event.String(s).Addr(); ok {
			idx.MatchIP(a, now, add)
		}
	case kindDomain:
		if idx.HasDomains() {
			idx.MatchDomain(s, now, add)
		}
	case kindURL:
		if !idx.HasURLs() {
			return
		}
		if strings.HasPrefix(s, "/") {
			// A path as a web server logs it: the host is in url.domain.
			host := e.GetString("url.domain")
			if host == "" {
				host = e.GetString("destination.domain")
			}
			if host == "" {
				return
			}
			idx.MatchURL(host+s, now, func(ind *Indicator) { m.add(ind, field, host+s) })
			return
		}
		idx.MatchURL(s, now, add)
	case kindHash:
		if idx.HasHashes() {
			idx.MatchHash(s, now, add)
		}
	case kindSysmonHashes:
		if !idx.HasHashes() {
			return
		}
		for _, part := range strings.Split(s, ",") {
			if _, h, ok := strings.Cut(part, "="); ok {
				idx.MatchHash(strings.TrimSpace(h), now, func(ind *Indicator) { m.add(ind, field, strings.TrimSpace(h)) })
			}
		}
	}
}
