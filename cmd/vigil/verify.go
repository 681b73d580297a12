package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/store/embedded"
)

func init() {
	c := &command{name: "verify", summary: "check the hash chains of the stored data: exit 0 when intact, 1 naming each edited, missing, truncated or reordered batch or file", usage: "[--data DIR] [--tenant T] [--format text|json]"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		data := fs.String("data", config.DefaultDataDir, "data `dir`ectory of the server (running or stopped)")
		tenant := fs.String("tenant", "", "check only this `tenant`'s cold files (hot segments hold every tenant and are always checked)")
		format := fs.String("format", "text", "output: text or json")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		if *format != "text" && *format != "json" {
			return fmt.Errorf("--format %q: want text or json", *format)
		}
		rep, err := embedded.Verify(*data, *tenant)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		if *format == "json" {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else {
			printVerify(rep)
		}
		if len(rep.Problems) > 0 {
			return &exitError{code: 1}
		}
		return nil
	}
	register(c)
}

func printVerify(rep *embedded.VerifyReport) {
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "DATASET\tMANIFEST\tHOT SEGMENTS\tHOT BATCHES\tCOLD FILES\tCOLD BYTES\tMANIFEST HEAD\tHOT HEAD")
	for _, d := range rep.Datasets {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%.16s\t%.16s\n", d.Dataset, d.ManifestEntries, d.HotSegments, d.HotBatches, d.ColdFiles, d.ColdBytes, d.ManifestHead, d.HotHead)
	}
	w.Flush()
	for _, n := range rep.Notes {
		fmt.Printf("note: %s\n", n)
	}
	for _, p := range rep.Problems {
		fmt.Printf("PROBLEM: %s\n", p)
	}
	if len(rep.Problems) == 0 {
		fmt.Println("intact")
	} else {
		fmt.Printf("%d problems\n", len(rep.Problems))
	}
}
