package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/syslog"
)

// multiFlag is a flag that may be given several times.
type multiFlag []string

func (s *multiFlag) String() string     { return strings.Join(*s, ",") }
func (s *multiFlag) Set(v string) error { *s = append(*s, v); return nil }

// serveFlags are the flags that override vigil.yaml.
type serveFlags struct {
	config, data, http, syslogUDP, syslogTCP, logLevel, logFormat string
	rules                                                         multiFlag
	pprof, noBuiltin, demo                                        bool
	demoSpeed                                                     float64
	role                                                          string
}

func (f *serveFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "configuration `file` (vigil.yaml); none: the defaults")
	fs.StringVar(&f.data, "data", "", "data `dir`ectory (default ./data)")
	fs.StringVar(&f.http, "http", "", "HTTP API `addr`ess (default 127.0.0.1:8080)")
	fs.StringVar(&f.syslogUDP, "syslog-udp", "", "syslog UDP listen `addr`ess of the source syslog-udp (default 127.0.0.1:5514; \"off\" disables it)")
	fs.StringVar(&f.syslogTCP, "syslog-tcp", "", "syslog TCP listen `addr`ess of the source syslog-tcp (default 127.0.0.1:5514; \"off\" disables it)")
	fs.Var(&f.rules, "rules", "`dir`ectory of Sigma rules to run on every event (repeatable)")
	fs.BoolVar(&f.noBuiltin, "no-builtin-rules", false, "do not load Vigil's built-in rule pack (rules.builtin: false)")
	fs.BoolVar(&f.demo, "demo", false, "generate a small company's logs and an attack story every few minutes into tenant demo (docs/demo.md)")
	fs.Float64Var(&f.demoSpeed, "demo-speed", 1, "with --demo: compress the demo's schedule by this `factor` (60: a story every 3 s)")
	fs.StringVar(&f.logLevel, "log-level", "", "log level: debug, info, warn or error")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fs.BoolVar(&f.pprof, "pprof", false, "serve Go's profiler under /debug/pprof/ on the HTTP listener")
	fs.StringVar(&f.role, "role", "all", "`roles` of this node, comma-separated: ingest, detect, store, forward, query (or all)")
}

// load reads the configuration and applies the flags.
func (f *serveFlags) load() (*config.Config, error) {
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, err
	}
	if len(cfg.Sources) == 0 {
		cfg.Sources = syslog.DefaultSources()
	}
	if f.data != "" {
		cfg.DataDir = f.data
	}
	if f.http != "" {
		cfg.HTTP.Listen = f.http
	}
	if f.logLevel != "" {
		cfg.LogLevel = f.logLevel
	}
	cfg.Rules.Dirs = append(cfg.Rules.Dirs, f.rules...)
	if f.noBuiltin {
		off := false
		cfg.Rules.Builtin = &off
	}
	for _, o := range []struct{ name, proto, addr string }{{"syslog-udp", syslog.ProtoUDP, f.syslogUDP}, {"syslog-tcp", syslog.ProtoTCP, f.syslogTCP}} {
		if o.addr == "" {
			continue
		}
		cfg.Sources = overrideSyslog(cfg.Sources, o.name, o.proto, o.addr)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// overrideSyslog sets the address of the named syslog source, adding it
// when missing, or removes it for "off".
func overrideSyslog(srcs []config.Source, name, proto, addr string) []config.Source {
	for i, s := range srcs {
		if s.Common().Name != name {
			continue
		}
		if addr == "off" {
			return append(srcs[:i], srcs[i+1:]...)
		}
		if c, ok := s.SourceConfig.(*syslog.Config); ok {
			c.Listen = addr
		}
		return srcs
	}
	if addr == "off" {
		return srcs
	}
	c := &syslog.Config{SourceCommon: config.SourceCommon{Name: name, Type: "syslog"}, Protocol: proto, Listen: addr}
	return append(srcs, config.Source{SourceConfig: c})
}

func newLogger(level, format string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts))
}

func init() {
	c := &command{name: "serve", summary: "run Vigil: listeners, pipeline, detection, storage and the HTTP API", usage: "[OPTIONS]"}
	c.run = func(args []string) error {
		fs := newFlagSet(c)
		var f serveFlags
		f.register(fs)
		if err := fs.Parse(args); err != nil {
			return err
		}
		if fs.NArg() > 0 {
			return errUsage
		}
		roles, err := app.ParseRoles(f.role)
		if err != nil {
			return err
		}
		cfg, err := f.load()
		if err != nil {
			return err
		}
		log := newLogger(cfg.LogLevel, f.logFormat)
		slog.SetDefault(log)
		setGoMemoryLimit(cfg.GoMemoryLimit, log)
		a, err := app.New(cfg, app.Options{Version: versionString(), Logger: log, Pprof: f.pprof, Roles: roles})
		if err != nil {
			return err
		}
		// Signals are taken before the listeners open: a SIGHUP or SIGTERM
		// sent as soon as the API answers must reload or stop gracefully,
		// not kill the process by the signal's default action.
		sig := make(chan os.Signal, 2)
		signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(sig)
		defer signal.Stop(hup)
		if err := a.Start(); err != nil {
			a.Stop()
			return err
		}
		stopDemo := func() {}
		if f.demo {
			if stopDemo, err = startDemo(a, f.demoSpeed, log); err != nil {
				a.Stop()
				return err
			}
		}
		var runErr error
	wait:
		for {
			select {
			case <-hup:
				reload(a, &f, log)
			case s := <-sig:
				log.Info("stopping", "signal", s.String())
				break wait
			case runErr = <-a.Errors():
				log.Error("stopping after a fatal error", "err", runErr)
				break wait
			}
		}
		signal.Stop(hup)
		go func() {
			<-sig
			log.Warn("second signal: exiting without a clean stop; acknowledged data is safe on disk")
			os.Exit(1)
		}()
		stopDemo()
		a.Stop()
		if runErr != nil {
			return fmt.Errorf("%w", runErr)
		}
		return nil
	}
	register(c)
}

// reload reads vigil.yaml again, with the same flags, and applies it to
// the running node (app.App.ApplyConfig): what can change while running
// does, and the log says what needs a restart. A file that does not load
// or validate changes nothing.
func reload(a *app.App, f *serveFlags, log *slog.Logger) {
	log.Info("reloading the configuration", "signal", "SIGHUP")
	cfg, err := f.load()
	if err != nil {
		log.Error("reload: configuration not applied", "err", err)
		return
	}
	if err := a.ApplyConfig(cfg); err != nil {
		log.Warn("reload: applied in part", "err", err)
		return
	}
	log.Info("reload: configuration applied")
}
