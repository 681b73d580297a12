package main

import (
	"encoding/json"
	"fmt"
	"os"
	"text/tabwriter"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/store/embedded"
)

func init() {
	c := &command{name: "retention", summary: "show per tenant the cold data kept (receive times, bytes, files), its retention policy and the next deletion", usage: "[--config FILE] [--data DIR] [--tenant T] [--format text|json]"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		cfgPath := fs.String("config", "", "configuration `file` of the server, for the policy (none: the defaults)")
		data := fs.String("data", "", "data `dir`ectory (default: the configuration's data_dir)")
		tenant := fs.String("tenant", "", "show only this `tenant`")
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
		cfg, err := config.Load(*cfgPath)
		if err != nil {
			return err
		}
		if *data != "" {
			cfg.DataDir = *data
		}
		policy := func(t string) (time.Duration, int64) {
			r := cfg.RetentionFor(t)
			return r.MaxAge.D(), int64(r.MaxBytes)
		}
		list, err := embedded.RetentionOverview(cfg.DataDir, *tenant, policy, time.Now())
		if err != nil {
			return err
		}
		if *format == "json" {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			if list == nil {
				list = []embedded.RetentionStatus{}
			}
			return enc.Encode(list)
		}
		w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "TENANT\tDATASET\tFILES\tBYTES\tOLDEST RECEIVED\tNEWEST RECEIVED\tOLDEST EVENT\tMAX AGE\tMAX BYTES\tNEXT DELETION")
		for _, s := range list {
			next := "never"
			if !s.NextDeletion.IsZero() {
				next = s.NextDeletion.UTC().Format(time.RFC3339) + " (" + s.NextReason + ")"
			}
			maxAge, maxBytes := "none", "none"
			if s.MaxAge > 0 {
				maxAge = s.MaxAge.String()
			}
			if s.MaxBytes > 0 {
				maxBytes = fmt.Sprint(s.MaxBytes)
			}
			fmt.Fprintf(w, "%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Tenant, s.Dataset, s.Files, s.Bytes,
				s.OldestReceived.UTC().Format(time.RFC3339), s.NewestReceived.UTC().Format(time.RFC3339), s.OldestEvent.UTC().Format(time.RFC3339), maxAge, maxBytes, next)
		}
		return w.Flush()
	}
	register(c)
}
