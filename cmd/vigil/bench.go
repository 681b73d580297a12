package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/vigilsiem/vigil/internal/bench"
)

func init() {
	c := &command{name: "bench", summary: "the reproducible end-to-end benchmark: start vigil serve, send a realistic log mix over TCP, measure ingest, storage and queries", usage: "[OPTIONS]"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		events := fs.Int("events", 10_000_000, "`number` of events to send")
		conns := fs.Int("conns", 4, "TCP `connections` to send over")
		dir := fs.String("data", "", "data `dir`ectory for the server (default: a temporary one, removed after)")
		repeat := fs.Int("repeat", 5, "runs of each query (the median is reported); with --compare, also the number of runs of each system unless --runs is given")
		compare := fs.String("compare", "", "also run VictoriaLogs (`victoria-logs=PATH`) on the same mix, alternating runs, and print the side-by-side table")
		runs := fs.Int("runs", 0, "with --compare: runs of each system, alternated (default: --repeat)")
		queries := fs.String("queries", "", "comma-separated `names` of the queries to run (default all: "+queryNames()+")")
		jsonOut := fs.String("json", "", "also write the report as JSON to this `file`")
		deferFreeze := fs.Bool("defer-freeze", false, "keep all data hot while events arrive, so ingest and freezing are measured apart")
		var serverArgs multiFlag
		fs.Var(&serverArgs, "server-arg", "extra `argument` for vigil serve (repeatable)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		bin, err := os.Executable()
		if err != nil {
			return err
		}
		var names []string
		if *queries != "" {
			names = strings.Split(*queries, ",")
		}
		qs, err := bench.QueriesNamed(names)
		if err != nil {
			return err
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		o := bench.Options{Bin: bin, Events: *events, Conns: *conns, Dir: *dir, Repeat: *repeat,
			ServerArgs: serverArgs, DeferFreeze: *deferFreeze, Queries: qs, Log: os.Stderr}
		if *runs != 0 && *compare == "" {
			return fmt.Errorf("bench: --runs needs --compare")
		}
		var out any
		if *compare != "" {
			name, peerBin, err := bench.ParsePeer(*compare)
			if err != nil {
				return err
			}
			if *dir != "" {
				return fmt.Errorf("bench: --data and --compare do not go together (each run of --compare has a temporary directory)")
			}
			n := *runs
			if n <= 0 {
				n = *repeat
			}
			c, err := bench.Compare(ctx, o, name, peerBin, n)
			if err != nil {
				return err
			}
			printComparison(c, serverArgs)
			out = c
		} else {
			rep, err := bench.Run(ctx, o)
			if err != nil {
				return err
			}
			printReport(rep)
			out = rep
		}
		if *jsonOut != "" {
			b, _ := json.MarshalIndent(out, "", "  ")
			if err := os.WriteFile(*jsonOut, append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
	register(c)
}

func printReport(r *bench.Report) {
	fmt.Printf("\nVigil end-to-end benchmark (%d CPUs, %s)\n", r.CPUs, time.Now().UTC().Format(time.RFC3339))
	fmt.Printf("  events sent                  %d (%.0f bytes each on the wire)\n", r.Events, float64(r.BytesSent)/float64(r.Events))
	fmt.Printf("  stored / dead-lettered       %d / %d\n", r.Stored, r.DeadLettered)
	fmt.Printf("  sustained ingest             %.0f events/s (TCP to fsynced storage)\n", r.EventsPerSecond)
	fmt.Printf("  server CPU                   %.1f CPU-s per million events = %.0f events per CPU-second (per core)\n", r.CPUSecondsPerM, r.EventsPerCPUSec)
	fmt.Printf("  hot log                      %.0f bytes/event\n", r.HotBytesPerEvent)
	fmt.Printf("  freeze to Parquet            %.1f s (%.1f CPU-s)\n", r.FreezeSeconds, r.FreezeCPUSeconds)
	fmt.Printf("  end to end                   %.0f events per CPU-second (ingest and freeze)\n", r.EndToEndEventsPerCPUSec)
	fmt.Printf("  on disk once cold            %.1f bytes/event\n", r.ColdBytesPerEvent)
	fmt.Printf("  peak RSS                     %.0f MiB (%.0f MiB before the queries)\n", float64(r.PeakRSSBytes)/(1<<20), float64(r.PeakRSSSettledBytes)/(1<<20))
	fmt.Printf("  queries over the day (median of runs):\n")
	for _, q := range r.Queries {
		fmt.Printf("    %-16s %9.1f ms   %-55s total %d\n", q.Name, q.Median, q.Query, q.Total)
	}
}

func queryNames() string {
	var names []string
	for _, q := range bench.Queries() {
		names = append(names, q.Name)
	}
	return strings.Join(names, ",")
}

func printComparison(c *bench.Comparison, serverArgs []string) {
	v := c.Vigil[0]
	fmt.Printf("\nVigil and %s side by side (%d CPUs, %s): %d events, one TCP connection each, %d runs each alternated, vigil serve %s\n\n",
		c.Table.Peer, v.CPUs, time.Now().UTC().Format(time.RFC3339), v.Events, c.Table.Runs, strings.Join(serverArgs, " "))
	_ = c.Table.Write(os.Stdout)
	fmt.Printf("\nQueries (Vigil / LogsQL):\n")
	for i, q := range v.Queries {
		fmt.Printf("  %-16s %s\n  %-16s %s\n", q.Name, q.Query, "", c.Peer[0].Queries[i].Query)
	}
}
