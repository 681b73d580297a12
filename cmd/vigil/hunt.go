package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/hunt"
)

func init() {
	c := &command{name: "hunt", summary: "run Sigma rules over EVTX, NDJSON and zip/tar.gz files and print the detections",
		usage: "--rules DIR [--format table|json|ndjson|csv] [--workers N] PATH..."}
	c.run = func(args []string) error { return runHunt(c, args, os.Stdout, os.Stderr) }
	register(c)
}

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runHunt(c *command, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet(c)
	var rules stringList
	fs.Var(&rules, "rules", "Sigma rule directory or file (repeatable)")
	format := fs.String("format", "table", "output format: table, json, ndjson or csv")
	workers := fs.Int("workers", 0, "files scanned in parallel (0: one per CPU)")
	quiet := fs.Bool("quiet", false, "no progress bar and no rule-load report on stderr")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rules) == 0 || len(paths) == 0 {
		return errUsage
	}
	switch *format {
	case "table", "json", "ndjson", "csv":
	default:
		return fmt.Errorf("--format %q: want table, json, ndjson or csv", *format)
	}
	wl := watchlist.NewMemory()
	res, err := detect.LoadRules(sigma.Config{Watchlists: wl}, rules...)
	if err != nil {
		return err
	}
	if !*quiet {
		fmt.Fprintf(stderr, "vigil hunt: %d rules loaded (%d correlations), %d rejected (vigil rules check lists why)\n",
			res.Len(), res.Correlations.Len(), len(res.Rejected))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	out := newDetectionWriter(*format, stdout)
	procs, _, err := app.Processors(ctx, nil, slog.Default())
	if err != nil {
		return err
	}
	opts := hunt.Options{Workers: *workers, Processors: procs, Offline: detect.NewOffline(res, wl)}
	if !*quiet && isTerminal(stderr) {
		opts.Progress = progressBar(stderr)
	}
	sum, err := hunt.Scan(ctx, res.Set, paths, opts, out.write)
	if err != nil && sum == nil {
		return err
	}
	if err := out.close(); err != nil {
		return err
	}
	summaryTo := stderr
	if *format == "table" {
		summaryTo = stdout
	}
	printSummary(summaryTo, sum)
	for _, e := range sum.Errors {
		fmt.Fprintf(stderr, "vigil hunt: %v\n", e)
	}
	if err != nil {
		return err // interrupted
	}
	return nil
}

// detectionRecord is one detection as ndjson, json and csv print it.
func detectionRecord(d hunt.Detection) map[string]any {
	e := d.Event
	tags := d.Rule.Tags
	if tags == nil {
		tags = []string{}
	}
	rec := map[string]any{
		"rule_id":    d.Rule.ID,
		"rule_title": d.Rule.Title,
		"level":      d.Rule.Level,
		"tags":       tags,
		"@timestamp": e.Timestamp.UTC().Format(time.RFC3339Nano),
		"host.name":  e.GetString("host.name"),
		"event.code": e.GetString("event.code"),
		"event.id":   e.ID,
		"file":       d.File,
	}
	if f := d.Correlation; f != nil {
		group := map[string]string{}
		for _, g := range f.Group {
			group[g.Name] = g.Value
		}
		ids := f.EventIDs
		if ids == nil {
			ids = []string{}
		}
		rec["level"] = f.Corr.Level()
		rec["rule_id"] = f.Corr.Ref()
		rec["correlation"] = map[string]any{"type": f.Corr.Type().String(), "group": group, "value": f.Value,
			"count": f.Count, "first": f.First.UTC().Format(time.RFC3339Nano), "event_ids": ids}
	}
	for _, f := range []string{"winlog.channel", "winlog.provider_name", "winlog.record_id", "user.name", "source.ip", "process.command_line"} {
		if s := e.GetString(f); s != "" {
			rec[f] = s
		}
	}
	if d.Rule.Path != "" {
		rec["rule_path"] = d.Rule.Path
	}
	return rec
}

var csvColumns = []string{"@timestamp", "level", "rule_id", "rule_title", "host.name", "event.code", "event.id", "tags", "file"}

type detectionWriter struct {
	format string
	w      io.Writer
	mu     sync.Mutex
	n      int
	tw     *tabwriter.Writer
	cw     *csv.Writer
	err    error
}

func newDetectionWriter(format string, w io.Writer) *detectionWriter {
	d := &detectionWriter{format: format, w: w}
	switch format {
	case "table":
		d.tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(d.tw, "TIME\tLEVEL\tRULE\tHOST\tEVENT\tFILE")
	case "csv":
		d.cw = csv.NewWriter(w)
		d.err = d.cw.Write(csvColumns)
	case "json":
		_, d.err = io.WriteString(w, "[")
	}
	return d
}

func (d *detectionWriter) write(det hunt.Detection) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.err != nil {
		return
	}
	switch d.format {
	case "table":
		e := det.Event
		level, what := det.Rule.Level, e.GetString("event.code")
		if f := det.Correlation; f != nil {
			level, what = f.Corr.Level(), f.Corr.Type().String()
		}
		fmt.Fprintf(d.tw, "%s\t%s\t%s\t%s\t%s\t%s\n", e.Timestamp.UTC().Format(time.RFC3339), level,
			det.Rule.Title, e.GetString("host.name"), what, det.File)
	case "csv":
		rec := detectionRecord(det)
		row := make([]string, len(csvColumns))
		for i, c := range csvColumns {
			switch v := rec[c].(type) {
			case []string:
				row[i] = strings.Join(v, " ")
			case string:
				row[i] = v
			}
		}
		d.err = d.cw.Write(row)
	case "json", "ndjson":
		b, err := json.Marshal(detectionRecord(det))
		if err != nil {
			d.err = err
			return
		}
		if d.format == "json" {
			if d.n > 0 {
				b = append([]byte{','}, b...)
			}
			b = append([]byte("\n"), b...)
		} else {
			b = append(b, '\n')
		}
		_, d.err = d.w.Write(b)
	}
	d.n++
}

func (d *detectionWriter) close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch d.format {
	case "table":
		if err := d.tw.Flush(); err != nil && d.err == nil {
			d.err = err
		}
	case "csv":
		d.cw.Flush()
		if err := d.cw.Error(); err != nil && d.err == nil {
			d.err = err
		}
	case "json":
		if d.err == nil {
			_, d.err = io.WriteString(d.w, "\n]\n")
		}
	}
	if d.err != nil {
		return fmt.Errorf("write detections: %w", d.err)
	}
	return nil
}

func printSummary(w io.Writer, s *hunt.Summary) {
	secs := s.Duration.Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(s.Events) / secs
	}
	fmt.Fprintf(w, "\nScanned %d files, %d events in %.1fs (%.0f events/s): %d detections, %d read errors\n",
		s.Files, s.Events, secs, rate, s.Detections, len(s.Errors))
	fmt.Fprintln(w, "\nBy level:")
	for i := len(sigma.Levels) - 1; i >= 0; i-- {
		l := sigma.Levels[i]
		fmt.Fprintf(w, "  %-13s %d\n", l, s.ByLevel[l])
	}
	var other []string
	for l := range s.ByLevel {
		if !contains(sigma.Levels, l) {
			other = append(other, l)
		}
	}
	sort.Strings(other)
	for _, l := range other {
		name := l
		if name == "" {
			name = "(none)"
		}
		fmt.Fprintf(w, "  %-13s %d\n", name, s.ByLevel[l])
	}
	if len(s.ByRule) == 0 {
		return
	}
	fmt.Fprintln(w, "\nBy rule:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  COUNT\tLEVEL\tRULE\tID")
	for _, r := range s.ByRule {
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\n", r.Count, r.Level, r.Title, r.ID)
	}
	tw.Flush()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressBar draws a one-line progress bar, redrawn in place.
func progressBar(w io.Writer) func(hunt.Progress) {
	return func(p hunt.Progress) {
		const width = 30
		frac := 1.0
		if p.FilesTotal > 0 {
			frac = float64(p.FilesDone) / float64(p.FilesTotal)
		}
		n := int(frac * width)
		fmt.Fprintf(w, "\r[%s%s] %d/%d files  %d events  %d detections  %s ",
			strings.Repeat("#", n), strings.Repeat(".", width-n), p.FilesDone, p.FilesTotal,
			p.Events, p.Detections, p.Elapsed.Truncate(100*time.Millisecond))
		if p.FilesDone == p.FilesTotal {
			fmt.Fprintln(w)
		}
	}
}

func contextBackground() context.Context { return context.Background() }
