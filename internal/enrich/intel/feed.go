package intel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/enrich/internal/watch"
)

// Feed formats.
const (
	FormatCSV  = "csv"
	FormatSTIX = "stix"
	FormatMISP = "misp"
)

// Defaults.
const (
	// DefaultRefresh is how often a URL feed is fetched again: feeds
	// publish hourly at most, and a conditional GET of an unchanged feed
	// costs one round trip.
	DefaultRefresh = time.Hour
	// DefaultMaxBytes bounds one downloaded or read document: a million
	// indicators in CSV are ~50 MB; STIX is ~10× more verbose.
	DefaultMaxBytes = 1 << 30
	// fetchTimeout bounds one HTTP request.
	fetchTimeout = 5 * time.Minute
)

// Feed is one configured source of indicators: a file or an HTTP(S) URL.
type Feed struct {
	// Name identifies the feed in alerts and fields.
	Name string
	// Format is csv, stix or misp.
	Format string
	// Path is a file; for misp also a feed directory or its manifest.json.
	Path string
	// URL is fetched instead of Path; for misp a URL ending in
	// manifest.json or "/" is a feed whose events sit beside the manifest.
	URL string
	// Headers are sent with every request (an API key).
	Headers map[string]string
	// Refresh is how often the URL is fetched; default DefaultRefresh.
	// Files are polled for changes every Options.CheckInterval.
	Refresh time.Duration
	// Confidence (0–100) applies to indicators the document gives none;
	// ConfidenceUnknown for none.
	Confidence int
	// Provider applies to indicators whose document names none.
	Provider string
	// IncludeNonIDS loads MISP attributes without the to_ids flag.
	IncludeNonIDS bool
	// MaxBytes bounds one document; default DefaultMaxBytes.
	MaxBytes int64
}

// Validate checks a feed and fills its defaults.
func (f *Feed) Validate() error {
	if f.Name == "" {
		return errors.New("feed: a name is required")
	}
	switch f.Format {
	case FormatCSV, FormatSTIX, FormatMISP:
	default:
		return fmt.Errorf("feed %s: format %q: want csv, stix or misp", f.Name, f.Format)
	}
	if (f.Path == "") == (f.URL == "") {
		return fmt.Errorf("feed %s: set exactly one of path and url", f.Name)
	}
	if f.URL != "" {
		u, err := url.Parse(f.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("feed %s: url %q: want an http or https URL", f.Name, f.URL)
		}
	}
	if f.Refresh <= 0 {
		f.Refresh = DefaultRefresh
	}
	if f.MaxBytes <= 0 {
		f.MaxBytes = DefaultMaxBytes
	}
	if f.Confidence < ConfidenceUnknown || f.Confidence > 100 {
		return fmt.Errorf("feed %s: confidence %d: want 0–100", f.Name, f.Confidence)
	}
	return nil
}

// FeedStatus reports a feed's last load.
type FeedStatus struct {
	Name       string
	Indicators int
	Skipped    map[string]int
	LoadedAt   time.Time
	// Err is the last load's error; the indicators of the load before it
	// stay in use.
	Err error
}

// feedState is a feed with what was last loaded from it.
type feedState struct {
	Feed
	inds     []Indicator
	stats    Stats
	loadedAt time.Time
	err      error
	files    *watch.Files
	next     time.Time // when the URL is due
	etag     string
	modified string
	events   map[string]mispCached // MISP feed events by uuid
}

type mispCached struct {
	stamp string
	inds  []Indicator
}

func newFeedState(f Feed) *feedState {
	st := &feedState{Feed: f}
	if f.Path != "" {
		st.files = watch.New(f.Path)
	}
	return st
}

// due reports whether the feed should be loaded now.
func (s *feedState) due(now time.Time) bool {
	if s.files != nil {
		return s.files.Check()
	}
	return !now.Before(s.next)
}

// load reads the feed. It returns changed false when a URL answered "not
// modified"; on error the previous indicators stay.
func (s *feedState) load(ctx context.Context, client *http.Client, src Source) (changed bool, err error) {
	defer func() {
		s.err = err
		if s.files != nil && err == nil {
			s.files.Loaded()
		}
	}()
	if s.URL != "" {
		s.next = src.now().Add(s.Refresh)
		return s.loadURL(ctx, client, src)
	}
	if s.Format == FormatMISP {
		if fi, err := os.Stat(s.Path); err == nil && (fi.IsDir() || filepath.Base(s.Path) == "manifest.json") {
			dir := s.Path
			if !fi.IsDir() {
				dir = filepath.Dir(s.Path)
			}
			return true, s.loadMISPFeed(src, func(name string) ([]byte, error) {
				return readLimited(filepath.Join(dir, name), s.MaxBytes)
			})
		}
	}
	b, err := readLimited(s.Path, s.MaxBytes)
	if err != nil {
		return false, err
	}
	return true, s.parse(b, src)
}

func readLimited(p string, max int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read feed: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("read feed %s: %w", p, err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("read feed %s: larger than %d bytes", p, max)
	}
	return b, nil
}

func (s *feedState) parse(b []byte, src Source) error {
	var (
		inds []Indicator
		st   Stats
		err  error
	)
	switch s.Format {
	case FormatCSV:
		inds, st, err = ParseCSV(bytes.NewReader(b), src)
	case FormatSTIX:
		inds, st, err = ParseSTIX(bytes.NewReader(b), src)
	case FormatMISP:
		inds, st, err = ParseMISP(bytes.NewReader(b), src)
	}
	if err != nil {
		return fmt.Errorf("feed %s: %w", s.Name, err)
	}
	s.inds, s.stats, s.loadedAt = inds, st, src.now()
	return nil
}

// loadMISPFeed reads manifest.json and the events it lists through get,
// reusing the indicators of events whose manifest timestamp is unchanged.
func (s *feedState) loadMISPFeed(src Source, get func(name string) ([]byte, error)) error {
	b, err := get("manifest.json")
	if err != nil {
		return err
	}
	man, err := ParseMISPManifest(bytes.NewReader(b))
	if err != nil {
		return fmt.Errorf("feed %s: %w", s.Name, err)
	}
	events := make(map[string]mispCached, len(man))
	var all []Indicator
	var st Stats
	for uuid, meta := range man {
		stamp := string(meta.Timestamp)
		if c, ok := s.events[uuid]; ok && c.stamp == stamp && stamp != "" {
			events[uuid] = c
			all = append(all, c.inds...)
			st.Loaded += len(c.inds)
			continue
		}
		eb, err := get(uuid + ".json")
		if err != nil {
			st.skip("event unreadable")
			continue
		}
		inds, est, err := ParseMISP(bytes.NewReader(eb), src)
		if err != nil {
			st.skip("event invalid")
			continue
		}
		for r, n := range est.Skipped {
			for i := 0; i < n; i++ {
				st.skip(r)
			}
		}
		st.Loaded += len(inds)
		events[uuid] = mispCached{stamp: stamp, inds: inds}
		all = append(all, inds...)
	}
	s.events, s.inds, s.stats, s.loadedAt = events, all, st, src.now()
	return nil
}

func (s *feedState) loadURL(ctx context.Context, client *http.Client, src Source) (bool, error) {
	if s.Format == FormatMISP && (strings.HasSuffix(s.URL, "/") || strings.HasSuffix(s.URL, "/manifest.json")) {
		base, err := url.Parse(s.URL)
		if err != nil {
			return false, err
		}
		if !strings.HasSuffix(base.Path, "/") {
			base.Path = path.Dir(base.Path) + "/"
		}
		err = s.loadMISPFeed(src, func(name string) ([]byte, error) {
			u := *base
			u.Path += name
			b, _, err := s.fetch(ctx, client, u.String(), false)
			return b, err
		})
		return err == nil, err
	}
	b, notModified, err := s.fetch(ctx, client, s.URL, true)
	if err != nil || notModified {
		return false, err
	}
	return true, s.parse(b, src)
}

// fetch GETs a URL; conditional asks with the last ETag/Last-Modified.
func (s *feedState) fetch(ctx context.Context, client *http.Client, u string, conditional bool) ([]byte, bool, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("feed %s: %w", s.Name, err)
	}
	for k, v := range s.Headers {
		req.Header.Set(k, v)
	}
	if conditional {
		if s.etag != "" {
			req.Header.Set("If-None-Match", s.etag)
		}
		if s.modified != "" {
			req.Header.Set("If-Modified-Since", s.modified)
		}
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("feed %s: fetch: %w", s.Name, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified && conditional {
		return nil, true, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, false, fmt.Errorf("feed %s: fetch %s: %s", s.Name, u, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, s.MaxBytes+1))
	if err != nil {
		return nil, false, fmt.Errorf("feed %s: fetch %s: %w", s.Name, u, err)
	}
	if int64(len(b)) > s.MaxBytes {
		return nil, false, fmt.Errorf("feed %s: %s is larger than %d bytes", s.Name, u, s.MaxBytes)
	}
	if conditional {
		s.etag, s.modified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	}
	return b, false, nil
}
