package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/patterns"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/file"
	"github.com/vigilsiem/vigil/internal/store"
)

func init() {
	c := &command{name: "parse", summary: "parse records from standard input, one per line, and print each as the event serve would store (NDJSON, flat ECS keys)", usage: "[OPTIONS] < FILE"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		format := fs.String("format", "auto", "record `format`: one of "+fmt.Sprint(parse.Names()))
		tz := fs.String("timezone", "", "IANA time `zone` of timestamps without one (default UTC)")
		tenant := fs.String("tenant", event.DefaultTenant, "`tenant` to stamp on the events")
		source := fs.String("source", "stdin", "source `name` to stamp on the events")
		cfgFile := fs.String("config", "", "vigil.yaml whose enrichment (GeoIP, assets, intel) to apply, as serve would")
		withPatterns := fs.Bool("patterns", false, "mine templates as serve does: add vigil.pattern.id and vigil.pattern.template (and count, new) to events no normaliser describes")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		loc := time.UTC
		if *tz != "" {
			var err error
			if loc, err = time.LoadLocation(*tz); err != nil {
				return fmt.Errorf("--timezone: %w", err)
			}
		}
		ps, err := parse.New(*format, parse.Options{Location: loc})
		if err != nil {
			return err
		}
		var cfg *config.Config
		if *cfgFile != "" {
			if cfg, err = config.Load(*cfgFile); err != nil {
				return err
			}
		}
		procs, _, err := app.Processors(context.Background(), cfg, slog.Default())
		if err != nil {
			return err
		}
		if *withPatterns {
			pc := config.Patterns{LearnEvents: config.DefaultPatternLearnEvents, LearnPeriod: config.DefaultPatternLearnPeriod}
			if cfg != nil {
				pc = cfg.Patterns
			}
			set, err := patterns.New(patterns.Options{
				Miner:    patterns.MinerOptions{Similarity: pc.Similarity, MaxPatterns: pc.MaxPatterns},
				Learning: patterns.Learning{Events: pc.LearnEvents, Period: pc.LearnPeriod.D()},
			})
			if err != nil {
				return err
			}
			procs = append(procs, set)
		}
		failed, err := parseStream(os.Stdin, os.Stdout, os.Stderr, ps, parse.Options{Location: loc}, procs, *tenant, *source, *format)
		if err != nil {
			return err
		}
		if failed > 0 {
			return &exitError{code: 1, err: fmt.Errorf("%d records could not be parsed (printed as the dead letters serve would keep)", failed)}
		}
		return nil
	}
	register(c)
}

// parseStream parses every line of r (a batch record split into its
// elements, as serve splits it, each parsed in parse.SplitFormat with
// opts), runs the processors and writes the
// events as NDJSON to w. Records that fail become the dead-letter event
// serve would store, with the reason on errw.
func parseStream(r io.Reader, w, errw io.Writer, ps parse.Parser, opts parse.Options, procs []pipeline.Processor, tenant, source, format string) (int, error) {
	out := bufio.NewWriter(w)
	defer out.Flush()
	failed, n := 0, 0
	var sps parse.Parser // the parser of split records, when their format differs
	// A Zeek TSV log (a first line "#separator …") is read as the file
	// source reads it: its header names each row's columns and is no event.
	var tsv file.TSVHeader
	// Lines are read as the file source reads them: a JSON value printed
	// over several lines is one record.
	err := file.ReadRecords(r, maxParseRecord, func(line []byte, start int64, cut bool) error {
		n++
		if cut {
			return fmt.Errorf("line %d: longer than %d bytes", n, maxParseRecord)
		}
		if tsv.HeaderLine(line, start) {
			return nil
		}
		now := time.Now().UTC()
		rec := &pipeline.Record{Data: append([]byte(nil), line...), Fields: tsv.AppendFields(nil, line)}
		recs, batch, err := pipeline.SplitRecord(format, tenant, source, rec, nil)
		if err != nil {
			failed++
			fmt.Fprintf(errw, "line %d: %v\n", n, err)
			e := store.DeadLetterEvent(pipeline.DeadLetter{Time: now, Tenant: tenant, Source: source, Format: format, Reason: err.Error(), Data: rec.Data})
			out.Write(e.AppendJSON(nil))
			out.WriteByte('\n')
			return nil
		}
		if !batch {
			recs = append(recs, *rec)
		}
		rps := ps
		if batch && parse.SplitFormat(format) != format {
			if sps == nil {
				if sps, err = parse.New(parse.SplitFormat(format), opts); err != nil {
					return err
				}
			}
			rps = sps
		}
		for i := range recs {
			rec := &recs[i]
			e := &event.Event{}
			err := pipeline.ParseRecord(rps, tenant, source, now, rec, e)
			if err == parse.ErrSkip {
				continue
			}
			if err != nil {
				failed++
				fmt.Fprintf(errw, "line %d: %v\n", n, err)
				e = store.DeadLetterEvent(pipeline.DeadLetter{Time: now, Tenant: tenant, Source: source, Format: format, Reason: err.Error(), Data: rec.Data})
			} else {
				evs := []*event.Event{e}
				for _, p := range procs {
					evs = p.Process(context.Background(), evs)
				}
				if len(evs) == 0 {
					continue
				}
				pipeline.MarkGuessedTimes(evs, now)
			}
			out.Write(e.AppendJSON(nil))
			out.WriteByte('\n')
		}
		return nil
	})
	if err != nil {
		return failed, fmt.Errorf("read input: %w", err)
	}
	return failed, nil
}

// maxParseRecord bounds one record of `vigil parse`'s input (a line, or a
// JSON value over several lines), as the scanner it replaced did.
const maxParseRecord = 16 << 20
