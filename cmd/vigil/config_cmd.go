package main

import (
	"fmt"
)

func init() {
	c := &command{name: "config", summary: "check a configuration file: `vigil config check [FILE]`", usage: "check [FILE]"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() < 1 || fs.Arg(0) != "check" || fs.NArg() > 2 {
			return errUsage
		}
		f := serveFlags{config: fs.Arg(1)}
		cfg, err := f.load()
		if err != nil {
			return &exitError{code: 1, err: err}
		}
		name := f.config
		if name == "" {
			name = "(defaults)"
		}
		fmt.Printf("%s: ok\n  data_dir: %s\n  http: %s\n", name, cfg.DataDir, cfg.HTTP.Listen)
		for _, s := range cfg.Sources {
			com := s.Common()
			fmt.Printf("  source %s: type %s, tenant %s, format %s\n", com.Name, com.Type, com.Tenant, com.Format)
		}
		if len(cfg.Rules.Dirs) > 0 {
			fmt.Printf("  rules: %v\n", cfg.Rules.Dirs)
		}
		return nil
	}
	register(c)
}
