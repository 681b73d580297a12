package ingest

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// maxFiles bounds the pipeline files of one directory.
const maxFiles = 4096

// Set is an ordered list of pipelines: the first whose match takes an
// event normalises it.
type Set struct {
	pipelines []*Pipeline
	stats     []pipelineStats
	index     selectIndex
	caches    sync.Pool // *selCache
}

type pipelineStats struct {
	handled, failed, dropped atomic.Int64
}

// IsPipelineFile reports whether a file name is a pipeline (NAME.yml or
// NAME.yaml, not a NAME_test.yml test file).
func IsPipelineFile(name string) bool {
	ext := path.Ext(name)
	if ext != ".yml" && ext != ".yaml" {
		return false
	}
	return !IsTestFile(name)
}

// IsTestFile reports whether a file name is a pipeline test file.
func IsTestFile(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(name, ".yml"), ".yaml")
	return strings.HasSuffix(base, "_test")
}

// LoadFS compiles every pipeline file at the top of fsys, ordered by
// priority, then name.
func LoadFS(fsys fs.FS) ([]*Pipeline, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("read pipelines: %w", err)
	}
	var out []*Pipeline
	for _, en := range entries {
		if en.IsDir() || !IsPipelineFile(en.Name()) {
			continue
		}
		if len(out) >= maxFiles {
			return nil, fmt.Errorf("read pipelines: more than %d files", maxFiles)
		}
		data, err := fs.ReadFile(fsys, en.Name())
		if err != nil {
			return nil, fmt.Errorf("read pipeline %s: %w", en.Name(), err)
		}
		p, err := Parse(en.Name(), data)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Priority < out[j].Priority })
	return out, nil
}

// LoadDir compiles the pipeline files of a directory.
func LoadDir(dir string) ([]*Pipeline, error) {
	ps, err := LoadFS(os.DirFS(dir))
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		p.File = filepath.Join(dir, p.File)
	}
	return ps, nil
}

// NewSet orders pipelines: the user's first (so they can replace a
// built-in of the same name or take its records), then the built-ins. A
// name may appear once; a later pipeline of the same name is left out.
func NewSet(user, builtin []*Pipeline) (*Set, error) {
	s := &Set{}
	seen := map[string]string{}
	for _, p := range user {
		if f, dup := seen[p.Name]; dup {
			return nil, fmt.Errorf("pipeline %s: defined in %s and %s", p.Name, f, p.File)
		}
		seen[p.Name] = p.File
		s.pipelines = append(s.pipelines, p)
	}
	for _, p := range builtin {
		if _, dup := seen[p.Name]; dup {
			continue
		}
		seen[p.Name] = p.File
		s.pipelines = append(s.pipelines, p)
	}
	s.stats = make([]pipelineStats, len(s.pipelines))
	s.index = buildIndex(s.pipelines)
	s.caches.New = func() any { return new(selCache) }
	return s, nil
}

// Pipelines returns the pipelines in selection order.
func (s *Set) Pipelines() []*Pipeline { return s.pipelines }

// Select returns the index of the pipeline that takes e, or -1. Only the
// selectors whose gate e passes are tried (selectindex.go), in the set's
// order.
func (s *Set) Select(e *event.Event) int {
	c := s.caches.Get().(*selCache)
	c.reset(len(s.index.entries), len(s.index.literals))
	i := s.index.selectFor(e, c)
	s.caches.Put(c)
	return i
}

// selectNew is Select for an event that has no event.kind (-1 for one
// that has): the check comes from selection's pass over the fields. For
// an event a pipeline takes it also returns the syslog header in front of
// a JSON body ("" when there is none: jsonheader.go).
func (s *Set) selectNew(e *event.Event) (int, string) {
	c := s.caches.Get().(*selCache)
	c.reset(len(s.index.entries), len(s.index.literals))
	i, header := -1, ""
	if _, normalised := c.field(e, specKind); !normalised {
		i = s.index.selectFor(e, c)
	}
	if i >= 0 {
		if raw, ok := c.body(e); ok {
			header = jsonBehindHeader(c.record(e), raw)
		}
	}
	s.caches.Put(c)
	return i, header
}

// Stat is what one pipeline has done since start.
type Stat struct {
	Pipeline string
	Handled  int64
	Failed   int64
	Dropped  int64
}

// Stats returns the counts of each pipeline.
func (s *Set) Stats() []Stat {
	out := make([]Stat, len(s.pipelines))
	for i, p := range s.pipelines {
		out[i] = Stat{Pipeline: p.Name, Handled: s.stats[i].handled.Load(), Failed: s.stats[i].failed.Load(), Dropped: s.stats[i].dropped.Load()}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Pipeline < out[j].Pipeline })
	return out
}

// Run selects and runs the pipeline of one event. It returns the pipeline
// that ran ("" when none took it), whether the event was dropped, and the
// step error when it failed. An event that already has event.kind was
// normalised before (by a Go normaliser, or it came as ECS) and is left
// alone.
func (s *Set) Run(e *event.Event) (name string, dropped bool, err error) {
	i, header := s.selectNew(e)
	if i < 0 {
		return "", false, nil
	}
	p := s.pipelines[i]
	if header != "" {
		var a asideHeader
		a.moveAside(e, header)
		dropped, err = p.Run(e)
		a.restore(e)
	} else {
		dropped, err = p.Run(e)
	}
	switch {
	case err != nil:
		s.stats[i].failed.Add(1)
	case dropped:
		s.stats[i].dropped.Add(1)
	default:
		s.stats[i].handled.Add(1)
	}
	return p.Name, dropped, err
}

// Processor runs a Set as a pipeline stage. Events no pipeline takes pass
// unchanged; dropped events are counted; an event whose pipeline failed
// goes to the dead letters, with the pipeline and step in the reason.
type Processor struct {
	set  *Set
	dead atomic.Pointer[deadSink]
	log  *slog.Logger
}

type deadSink struct{ pipeline.DeadLetterSink }

// NewProcessor returns the stage of set. Until SetDeadLetters is called,
// a failed event is kept, marked with error.message and
// vigil.pipeline_error (what `vigil parse` shows).
func NewProcessor(set *Set, log *slog.Logger) *Processor {
	if log == nil {
		log = slog.Default()
	}
	return &Processor{set: set, log: log}
}

// SetDeadLetters sets where failed events go.
func (p *Processor) SetDeadLetters(d pipeline.DeadLetterSink) {
	p.dead.Store(&deadSink{d})
}

// Set returns the processor's pipelines.
func (p *Processor) Set() *Set { return p.set }

// Name implements pipeline.Processor.
func (p *Processor) Name() string { return "pipelines" }

// FieldError is set on an event whose pipeline failed and that was kept.
const FieldError = "vigil.pipeline_error"

// Process implements pipeline.Processor.
func (p *Processor) Process(ctx context.Context, events []*event.Event) []*event.Event {
	out := events[:0]
	var failed []*event.Event
	var letters []pipeline.DeadLetter
	dead := p.dead.Load()
	for _, e := range events {
		_, dropped, err := p.set.Run(e)
		if dropped {
			continue
		}
		if err != nil {
			if dead != nil {
				failed = append(failed, e)
				letters = append(letters, pipeline.DeadLetter{Time: e.Ingested, Tenant: e.Tenant, Source: e.Source,
					Format: "pipeline", Reason: err.Error(), Data: []byte(e.Original)})
				if letters[len(letters)-1].Time.IsZero() {
					letters[len(letters)-1].Time = time.Now().UTC()
				}
				continue
			}
			markFailed(e, err)
		}
		out = append(out, e)
	}
	if len(letters) > 0 {
		if err := dead.WriteDeadLetters(ctx, letters); err != nil {
			// Nothing is lost: the events go on, marked.
			p.log.Error("write pipeline dead letters", "events", len(letters), "err", err)
			for i, e := range failed {
				markFailed(e, fmt.Errorf("%s", letters[i].Reason))
				out = append(out, e)
			}
		}
	}
	return out
}

func markFailed(e *event.Event, err error) {
	e.Set(FieldError, event.String(err.Error()))
	e.Set("error.message", event.String(err.Error()))
}
