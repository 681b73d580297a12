package hunt

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/windows"
	"github.com/vigilsiem/vigil/internal/parse"
	jsonparse "github.com/vigilsiem/vigil/internal/parse/json"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Limits on what one archive member may decompress to: EVTX and NDJSON
// members are read into memory (EVTX needs random access), so a hostile
// archive must not exhaust it.
const maxMemberBytes = 2 << 30

// Options configure a scan.
type Options struct {
	// Workers scan files in parallel; zero means GOMAXPROCS.
	Workers int
	// Tenant is given to events that have none; "" means the default.
	Tenant string
	// Progress, when set, is called about every 200 ms and at the end.
	Progress func(Progress)
	// Processors run on every event before the rules, as in serve (vendor
	// normalisers, enrichment). Nil means the Windows normaliser alone,
	// which maps Winlogbeat and NXLog JSON to the EVTX field layout.
	// Processors are shared by the workers, as the pipeline shares them.
	Processors []pipeline.Processor
	// Offline, when set, runs the correlation rules and watch-list
	// actions of the loaded rules (detect.Offline): the hits of correlated
	// rules are collected during the scan, their correlations evaluated in
	// event-time order after the last file, and the rules a correlation
	// does not generate report no detections of their own.
	Offline *detect.Offline
}

// Progress is how far a scan is.
type Progress struct {
	FilesDone, FilesTotal int
	Events, Detections    int64
	Elapsed               time.Duration
}

// Detection is one event that matched one rule, or one correlation that
// fired.
type Detection struct {
	Rule  *sigma.Rule
	Event *event.Event
	// File is the file (and archive member) the event came from.
	File string
	// Correlation is set for a correlation rule: Event then stands for
	// the correlation (its time is the last contributing event's, its id
	// the alert id, host.name, user.name and source.ip its group's
	// entities) and File is empty.
	Correlation *correlate.Firing
}

// Summary is the outcome of a scan.
type Summary struct {
	Files      int
	Events     int64
	Detections int64
	// Errors lists files or records that could not be read; the scan goes
	// on past them.
	Errors   []error
	ByLevel  map[string]int64
	ByRule   []RuleCount
	Duration time.Duration
}

// RuleCount is how often one rule fired.
type RuleCount struct {
	ID, Title, Level string
	Count            int64
}

// Scan reads every EVTX, NDJSON, zip and tar.gz file below paths, matches
// each event against rs and calls emit for each detection (from one
// goroutine at a time). It returns when every file was read or ctx ended.
func Scan(ctx context.Context, rs *sigma.RuleSet, paths []string, opts Options, emit func(Detection)) (*Summary, error) {
	start := time.Now()
	files, err := listFiles(paths)
	if err != nil {
		return nil, err
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	s := &scan{rs: rs, opts: opts, emit: emit, byRule: map[*sigma.Rule]int64{}, procs: opts.Processors, started: start.UTC()}
	if s.procs == nil {
		s.procs = []pipeline.Processor{windows.New()}
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{s: s, m: rs.NewMatcher()}
			for f := range jobs {
				if err := w.file(ctx, f); err != nil {
					s.fail(err)
				}
				s.filesDone.Add(1)
			}
		}()
	}
	stopProgress := s.progress(len(files), start)
	go func() {
		defer close(jobs)
		for _, f := range files {
			select {
			case jobs <- f:
			case <-ctx.Done():
				return
			}
		}
	}()
	wg.Wait()
	if opts.Offline != nil && ctx.Err() == nil {
		if err := s.correlations(); err != nil {
			s.fail(err)
		}
	}
	stopProgress()
	sum := &Summary{Files: len(files), Events: s.events.Load(), Detections: s.detections.Load(),
		Errors: s.errs, ByLevel: map[string]int64{}, Duration: time.Since(start)}
	for r, n := range s.byRule {
		level, id := r.Level, r.ID
		if c, ok := s.corrs[r]; ok {
			level, id = c.Level(), c.Ref()
		}
		sum.ByLevel[level] += n
		sum.ByRule = append(sum.ByRule, RuleCount{ID: id, Title: r.Title, Level: level, Count: n})
	}
	sort.Slice(sum.ByRule, func(i, j int) bool {
		a, b := sum.ByRule[i], sum.ByRule[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Title < b.Title
	})
	return sum, ctx.Err()
}

type scan struct {
	rs    *sigma.RuleSet
	opts  Options
	emit  func(Detection)
	procs []pipeline.Processor
	// started stands in for the time of a record that carries none, as
	// the receive time does in the pipeline.
	started time.Time

	filesDone          atomic.Int64
	events, detections atomic.Int64

	mu     sync.Mutex
	errs   []error
	byRule map[*sigma.Rule]int64
	// corrs are the correlations that fired, for their level and reference
	corrs map[*sigma.Rule]*correlate.Corr
}

func (s *scan) fail(err error) {
	s.mu.Lock()
	s.errs = append(s.errs, err)
	s.mu.Unlock()
}

func (s *scan) progress(total int, start time.Time) func() {
	if s.opts.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	report := func() {
		s.opts.Progress(Progress{FilesDone: int(s.filesDone.Load()), FilesTotal: total,
			Events: s.events.Load(), Detections: s.detections.Load(), Elapsed: time.Since(start)})
	}
	go func() {
		defer close(finished)
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				report()
				return
			case <-t.C:
				report()
			}
		}
	}()
	return func() { close(done); <-finished }
}

type worker struct {
	s     *scan
	m     *sigma.Matcher
	rules []*sigma.Rule
	json  parse.Parser
	one   [1]*event.Event
}

// listFiles expands directories into the files below them, sorted.
func listFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("hunt %s: %w", p, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(f string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && kindOf(f) != kindUnknown {
				out = append(out, f)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
	}
	sort.Strings(out)
	return out, nil
}

type fileKind int

const (
	kindUnknown fileKind = iota
	kindEVTX
	kindNDJSON
	kindZip
	kindTarGz
)

func kindOf(name string) fileKind {
	n := strings.ToLower(name)
	switch {
	case strings.HasSuffix(n, ".evtx"):
		return kindEVTX
	case strings.HasSuffix(n, ".json"), strings.HasSuffix(n, ".ndjson"), strings.HasSuffix(n, ".jsonl"):
		return kindNDJSON
	case strings.HasSuffix(n, ".zip"):
		return kindZip
	case strings.HasSuffix(n, ".tar.gz"), strings.HasSuffix(n, ".tgz"):
		return kindTarGz
	}
	return kindUnknown
}

func (w *worker) file(ctx context.Context, path string) error {
	switch kindOf(path) {
	case kindEVTX:
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return w.evtx(ctx, f, path)
	case kindNDJSON:
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		return w.ndjson(ctx, f, path)
	case kindZip:
		return w.zip(ctx, path)
	case kindTarGz:
		return w.tarGz(ctx, path)
	}
	return fmt.Errorf("hunt %s: not an EVTX, NDJSON, zip or tar.gz file", path)
}

func (w *worker) evtx(ctx context.Context, r io.ReadSeeker, name string) error {
	return ReadEVTX(r, name, func(e *event.Event) error {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		id, _ := e.Get("winlog.record_id")
		w.event(e, name, name+":"+id.Text())
		return nil
	})
}

// maxLine bounds one NDJSON record.
const maxLine = 16 << 20

func (w *worker) ndjson(ctx context.Context, r io.Reader, name string) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxLine)
	line := 0
	var bad int
	var firstBad error
	for sc.Scan() {
		line++
		if ctx.Err() != nil {
			return ctx.Err()
		}
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		e, err := w.decodeJSON(b)
		if err != nil {
			bad++
			if firstBad == nil {
				firstBad = fmt.Errorf("%s:%d: %w", name, line, err)
			}
			continue
		}
		w.event(e, name, name+":"+strconv.Itoa(line))
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read %s: %w", name, err)
	}
	if bad > 0 {
		return fmt.Errorf("%d records of %s are not JSON objects (first: %w)", bad, name, firstBad)
	}
	return nil
}

// decodeJSON decodes one NDJSON record with the JSON parser, and normalises
// Windows records to the EVTX field layout.
func (w *worker) decodeJSON(b []byte) (*event.Event, error) {
	e := &event.Event{}
	if w.json == nil {
		w.json = jsonparse.New()
	}
	e.Original = string(b)
	if err := w.json.Parse(b, e); err != nil {
		return nil, err
	}
	return e, nil
}

func (w *worker) zip(ctx context.Context, path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("open zip %s: %w", path, err)
	}
	defer zr.Close()
	var errs []error
	for _, f := range zr.File {
		if f.FileInfo().IsDir() || kindOf(f.Name) == kindUnknown {
			continue
		}
		name := path + "!" + f.Name
		if f.UncompressedSize64 > maxMemberBytes {
			errs = append(errs, fmt.Errorf("%s: %d bytes uncompressed, over the %d limit", name, f.UncompressedSize64, maxMemberBytes))
			continue
		}
		rc, err := f.Open()
		if err != nil {
			errs = append(errs, fmt.Errorf("open %s: %w", name, err))
			continue
		}
		err = w.member(ctx, rc, f.Name, name)
		rc.Close()
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (w *worker) tarGz(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("open tar.gz %s: %w", path, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var errs []error
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("read tar.gz %s: %w", path, err))
			break
		}
		if h.Typeflag != tar.TypeReg || kindOf(h.Name) == kindUnknown {
			continue
		}
		name := path + "!" + h.Name
		if h.Size > maxMemberBytes {
			errs = append(errs, fmt.Errorf("%s: %d bytes, over the %d limit", name, h.Size, maxMemberBytes))
			continue
		}
		if err := w.member(ctx, tr, h.Name, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// member scans one archive member; nested archives are not opened.
func (w *worker) member(ctx context.Context, r io.Reader, inner, name string) error {
	switch kindOf(inner) {
	case kindEVTX:
		b, err := io.ReadAll(io.LimitReader(r, maxMemberBytes))
		if err != nil {
			return fmt.Errorf("read %s: %w", name, err)
		}
		return w.evtx(ctx, bytes.NewReader(b), name)
	case kindNDJSON:
		return w.ndjson(ctx, r, name)
	}
	return nil
}

func (w *worker) event(e *event.Event, file, position string) {
	s := w.s
	if e.Tenant == "" {
		e.Tenant = s.opts.Tenant
		if e.Tenant == "" {
			e.Tenant = event.DefaultTenant
		}
	}
	if e.ID == "" {
		e.ID = event.NewID(e.Tenant, "hunt", position, 0, []byte(e.Original))
	}
	s.events.Add(1)
	if len(s.procs) > 0 {
		w.one[0] = e
		evs := w.one[:]
		for _, p := range s.procs {
			evs = p.Process(context.Background(), evs)
		}
		if len(evs) == 0 {
			return
		}
	}
	if e.Timestamp.IsZero() {
		e.Timestamp = s.started
		e.Set(event.FieldTimeGuessed, event.Bool(true))
	}
	if s.opts.Offline != nil {
		w.rules = s.opts.Offline.Match(w.m, e, w.rules[:0])
	} else {
		w.rules = w.m.Match(e, w.rules[:0])
	}
	if len(w.rules) == 0 {
		return
	}
	s.detections.Add(int64(len(w.rules)))
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range w.rules {
		s.byRule[r]++
		if s.emit != nil {
			s.emit(Detection{Rule: r, Event: e, File: file})
		}
	}
}

// correlations evaluates the correlations over the hits of the scan and
// reports their firings.
func (s *scan) correlations() error {
	fs, err := s.opts.Offline.Finish()
	if err != nil {
		return fmt.Errorf("correlations: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range fs {
		f := &fs[i]
		r := f.Corr.Rule
		s.detections.Add(1)
		s.byRule[r]++
		if s.corrs == nil {
			s.corrs = map[*sigma.Rule]*correlate.Corr{}
		}
		s.corrs[r] = f.Corr
		if s.emit != nil {
			s.emit(Detection{Rule: r, Event: firingEvent(f), Correlation: f})
		}
	}
	return nil
}

// firingEvent is the event a correlation detection stands on.
func firingEvent(f *correlate.Firing) *event.Event {
	e := &event.Event{ID: f.ID, Tenant: f.Tenant, Timestamp: f.Last}
	en := f.Entities()
	set := func(name string, vals []string) {
		if len(vals) > 0 {
			e.SetString(name, vals[0])
		}
	}
	set("host.name", en.Hosts)
	set("user.name", en.Users)
	set("source.ip", en.SourceIPs)
	set("destination.ip", en.DestinationIPs)
	return e
}
