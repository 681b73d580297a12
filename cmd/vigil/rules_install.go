package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"text/tabwriter"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/detect/rulepack"
)

// runRulesInstall is `vigil rules install [--data DIR] [--config FILE]
// [--name NAME] [--format text|json] PATH|URL`.
func runRulesInstall(c *command, args []string, stdout io.Writer) error {
	fs := newFlagSet(c)
	cfgPath := fs.String("config", "", "configuration `file` (vigil.yaml), for its data_dir")
	data := fs.String("data", "", "data `dir`ectory (default: the configuration's, else ./data)")
	name := fs.String("name", "", "package `name`, its directory under <data>/rules (default: from the file name)")
	format := fs.String("format", "text", "output format: text or json")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errUsage
	}
	if *format != "text" && *format != "json" {
		return fmt.Errorf("--format %q: want text or json", *format)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	if *data != "" {
		cfg.DataDir = *data
	}
	if cfg.DataDir == "" {
		cfg.DataDir = config.DefaultDataDir
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := rulepack.Install(ctx, pos[0], app.InstalledRulesDir(cfg.DataDir), rulepack.Options{Name: *name})
	if rep != nil {
		if perr := printInstall(rep, *format, stdout); perr != nil && err == nil {
			err = perr
		}
	}
	return err
}

func printInstall(rep *rulepack.Report, format string, w io.Writer) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(w, "%s: %d rule files, %d rules compiled (%d correlations), %d rejected\n",
		rep.Source, rep.Files, rep.Compiled, rep.Correlations, len(rep.Rejected))
	if rep.Compiled > 0 {
		fmt.Fprintf(w, "installed as %q in %s (vigil serve loads it, and picks up a reinstall within seconds)\n", rep.Name, rep.Dir)
	}
	if len(rep.Rejected) == 0 {
		return nil
	}
	reasons := map[string]int{}
	for _, r := range rep.Rejected {
		reasons[r.Reason]++
	}
	keys := make([]string, 0, len(reasons))
	for k := range reasons {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		return reasons[keys[i]] > reasons[keys[j]] || (reasons[keys[i]] == reasons[keys[j]] && keys[i] < keys[j])
	})
	fmt.Fprintln(w, "\nRejected by reason:")
	for _, k := range keys {
		fmt.Fprintf(w, "  %-24s %d\n", k, reasons[k])
	}
	fmt.Fprintf(w, "\nRejected rules (%d files with no rule that compiled were not installed):\n", rep.Removed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range rep.Rejected {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Reason, r.Path, r.Error)
	}
	return tw.Flush()
}
