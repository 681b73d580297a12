package patterns

import (
	"context"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
)

// Names of the fields the miner sets.
const (
	FieldID       = "vigil.pattern.id"
	FieldTemplate = "vigil.pattern.template"
	FieldCount    = "vigil.pattern.count"
	FieldNew      = "vigil.pattern.new"
)

// Options configure a Set; zero values take the defaults.
type Options struct {
	Miner MinerOptions
	// MaxTables bounds the tenant and source pairs. Default DefaultMaxTables.
	MaxTables int
	Learning  Learning
	// File keeps the tables across restarts ("" keeps nothing).
	File string
	// SaveInterval is how often Run saves the tables. Default 1m.
	SaveInterval time.Duration
	Registerer   prometheus.Registerer
	Logger       *slog.Logger
}

// Set holds the pattern tables of every tenant and source and mines the
// events passing through it: it is the pipeline processor that sets
// vigil.pattern.* on events no normaliser described.
type Set struct {
	opts Options
	mu   sync.RWMutex
	tabs map[[2]string]*Table

	mined, skipped, created prometheus.Counter
}

// New returns a Set, with the tables of opts.File when it exists.
func New(opts Options) (*Set, error) {
	if opts.MaxTables <= 0 {
		opts.MaxTables = DefaultMaxTables
	}
	if opts.SaveInterval <= 0 {
		opts.SaveInterval = time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Set{opts: opts, tabs: map[[2]string]*Table{},
		mined:   prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_patterns_mined_total", Help: "Events given a pattern id."}),
		skipped: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_patterns_skipped_tables_total", Help: "Events not mined because the table limit was reached."}),
		created: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_patterns_created_total", Help: "Patterns created."}),
	}
	if opts.Registerer != nil {
		for _, c := range []prometheus.Collector{s.mined, s.skipped, s.created} {
			if err := opts.Registerer.Register(c); err != nil {
				return nil, err
			}
		}
	}
	if opts.File != "" {
		if err := s.load(opts.File); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Name implements pipeline.Processor.
func (s *Set) Name() string { return "patterns" }

// Process implements pipeline.Processor: it mines every event that has a
// message and that no normaliser described (no event.kind, no event.code).
func (s *Set) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		s.Annotate(e)
	}
	return events
}

// Eligible reports whether e is mined: it has a message, and no parser or
// normaliser recognised it (they set event.kind or event.code).
func Eligible(e *event.Event) bool {
	if e.Message() == "" || e.Has("event.kind") || e.Has("event.code") || e.Has(FieldID) {
		return false
	}
	return true
}

// Annotate mines e if it is eligible and sets its pattern fields.
func (s *Set) Annotate(e *event.Event) {
	if !Eligible(e) {
		return
	}
	t := s.Table(e.Tenant, e.Source, true)
	if t == nil {
		s.skipped.Inc()
		return
	}
	at := e.Timestamp
	if at.IsZero() {
		at = e.Ingested
	}
	r := t.Observe(e.Message(), at, e.ID)
	s.mined.Inc()
	e.Set(FieldID, event.String(r.ID))
	e.Set(FieldTemplate, event.String(r.Template))
	e.Set(FieldCount, event.Int(r.Count))
	if r.Count == 1 {
		s.created.Inc()
	}
	if r.New {
		e.Set(FieldNew, event.Bool(true))
	}
}

// Table returns the table of tenant and source, creating it when create
// and the table limit allows; nil otherwise.
func (s *Set) Table(tenant, source string, create bool) *Table {
	k := [2]string{tenant, source}
	s.mu.RLock()
	t := s.tabs[k]
	s.mu.RUnlock()
	if t != nil || !create {
		return t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t = s.tabs[k]; t != nil {
		return t
	}
	if len(s.tabs) >= s.opts.MaxTables {
		return nil
	}
	t = newTable(tenant, source, s.opts.Miner, s.opts.Learning)
	s.tabs[k] = t
	return t
}

// Tables returns the tables of tenant ("" for all), sorted by tenant and
// source.
func (s *Set) Tables(tenant string) []*Table {
	s.mu.RLock()
	var out []*Table
	for k, t := range s.tabs {
		if tenant == "" || k[0] == tenant {
			out = append(out, t)
		}
	}
	s.mu.RUnlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].Tenant != out[j].Tenant {
			return out[i].Tenant < out[j].Tenant
		}
		return out[i].Source < out[j].Source
	})
	return out
}

// Run saves the tables every SaveInterval until ctx ends.
func (s *Set) Run(ctx context.Context) {
	if s.opts.File == "" {
		return
	}
	tick := time.NewTicker(s.opts.SaveInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := s.Save(); err != nil {
				s.opts.Logger.Error("save pattern tables", "err", err)
			}
		}
	}
}

// Save writes the tables to the file (nothing when there is none).
func (s *Set) Save() error {
	if s.opts.File == "" {
		return nil
	}
	return s.save(s.opts.File)
}
