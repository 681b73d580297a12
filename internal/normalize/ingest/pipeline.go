package ingest

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query/filter"
)

// FieldPipeline names the pipeline that normalised an event.
const FieldPipeline = "vigil.pipeline"

// Limits of a pipeline file, so a bad or hostile file cannot exhaust memory
// at load time.
const (
	maxFileBytes = 1 << 20 // a pipeline file; the biggest built-in is a few KiB
	maxSteps     = 512     // steps of one pipeline, nested on_failure steps included
)

// Pipeline is one compiled pipeline.
type Pipeline struct {
	// Name identifies the pipeline (vigil.pipeline, dead-letter reasons).
	Name string
	// Description says what it parses.
	Description string
	// File is where it was loaded from.
	File string
	// Priority orders pipelines of one directory: lower first, then by
	// file name. Default 50; catch-all pipelines use more.
	Priority int

	match []selector
	steps []step
}

// step is one compiled processor.
type step struct {
	index  int    // 1-based position, for errors
	kind   string // grok, kv …
	tag    string
	cond   filter.Predicate
	ignore bool // ignore_failure
	run    func(e *event.Event) error
}

// errDrop ends a pipeline and drops the event (the drop processor).
var errDrop = errors.New("dropped")

// StepError is a failure of one step of a pipeline.
type StepError struct {
	Pipeline string
	Step     int
	Kind     string
	Tag      string
	Err      error
}

func (e *StepError) Error() string {
	tag := ""
	if e.Tag != "" {
		tag = " " + strconvQuote(e.Tag)
	}
	return fmt.Sprintf("pipeline %s step %d (%s%s): %v", e.Pipeline, e.Step, e.Kind, tag, e.Err)
}

func (e *StepError) Unwrap() error { return e.Err }

func strconvQuote(s string) string { return fmt.Sprintf("%q", s) }

// Run runs the pipeline on e. It returns dropped when a drop step matched,
// and a *StepError when a step failed.
func (p *Pipeline) Run(e *event.Event) (dropped bool, err error) {
	// The envelope's identity is Vigil's, never a record's: a step that
	// writes event.id, vigil.tenant, vigil.source, event.ingested or
	// event.original changes nothing once the run ends. A vendor's own id
	// in event.id would let records choose their id, and so what the
	// store's replay check takes for a duplicate.
	id, tenant, source, ingested, original := e.ID, e.Tenant, e.Source, e.Ingested, e.Original
	defer func() { e.ID, e.Tenant, e.Source, e.Ingested, e.Original = id, tenant, source, ingested, original }()
	for i := range p.steps {
		s := &p.steps[i]
		if s.cond != nil && !s.cond(e) {
			continue
		}
		if err := s.run(e); err != nil {
			if err == errDrop {
				return true, nil
			}
			if s.ignore {
				continue
			}
			return false, &StepError{Pipeline: p.Name, Step: s.index, Kind: s.kind, Tag: s.tag, Err: err}
		}
	}
	e.Set(FieldPipeline, event.String(p.Name))
	return false, nil
}

// Matches reports whether the pipeline takes e.
func (p *Pipeline) Matches(e *event.Event) bool {
	c := &selCache{}
	for i := range p.match {
		if p.match[i].matches(e, c) {
			return true
		}
	}
	return false
}

// file is the YAML form of a pipeline.
type file struct {
	Name        string      `yaml:"name"`
	Description string      `yaml:"description"`
	OnTypeError string      `yaml:"on_type_error"`
	Priority    *int        `yaml:"priority"`
	Match       []matchSpec `yaml:"match"`
	Steps       []yaml.Node `yaml:"steps"`
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,99}$`)

// Parse compiles one pipeline file.
func Parse(name string, data []byte) (*Pipeline, error) {
	if len(data) > maxFileBytes {
		return nil, fmt.Errorf("parse pipeline %s: file is over %d bytes", name, maxFileBytes)
	}
	var f file
	if err := strictYAML(data, &f); err != nil {
		return nil, fmt.Errorf("parse pipeline %s: %w", name, err)
	}
	if !nameRE.MatchString(f.Name) {
		return nil, fmt.Errorf("parse pipeline %s: name %q: want lower-case letters, digits and . _ -", name, f.Name)
	}
	p := &Pipeline{Name: f.Name, Description: f.Description, File: name, Priority: 50}
	if f.Priority != nil {
		p.Priority = *f.Priority
	}
	if len(f.Match) == 0 {
		return nil, fmt.Errorf("parse pipeline %s: no match: a pipeline must say which records it takes", name)
	}
	for i, m := range f.Match {
		s, err := compileSelector(m)
		if err != nil {
			return nil, fmt.Errorf("parse pipeline %s: match %d: %w", name, i+1, err)
		}
		p.match = append(p.match, s)
	}
	c := &compiler{}
	switch f.OnTypeError {
	case "", "fail":
	case "skip":
		c.skipTypeErrors = true
	default:
		return nil, fmt.Errorf("parse pipeline %s: on_type_error %q: want fail or skip", name, f.OnTypeError)
	}
	steps, err := c.steps(f.Steps)
	if err != nil {
		return nil, fmt.Errorf("parse pipeline %s: %w", name, err)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("parse pipeline %s: no steps", name)
	}
	p.steps = steps
	return p, nil
}

// strictYAML decodes data into v, refusing unknown keys.
func strictYAML(data []byte, v any) error {
	d := yaml.NewDecoder(bytes.NewReader(data))
	d.KnownFields(true)
	if err := d.Decode(v); err != nil {
		return err
	}
	return nil
}

// decodeNode decodes a node strictly (unknown keys are errors).
func decodeNode(n *yaml.Node, v any) error {
	b, err := yaml.Marshal(n)
	if err != nil {
		return err
	}
	return strictYAML(b, v)
}

type compiler struct {
	n              int  // steps compiled so far
	skipTypeErrors bool // on_type_error: skip
}

// common are the options every step has.
type common struct {
	If            string      `yaml:"if"`
	Tag           string      `yaml:"tag"`
	Description   string      `yaml:"description"`
	IgnoreFailure bool        `yaml:"ignore_failure"`
	IgnoreMissing bool        `yaml:"ignore_missing"`
	OnFailure     []yaml.Node `yaml:"on_failure"`
}

func (c *compiler) steps(nodes []yaml.Node) ([]step, error) {
	var out []step
	for i := range nodes {
		n := &nodes[i]
		if n.Kind != yaml.MappingNode || len(n.Content) != 2 {
			return nil, fmt.Errorf("step %d: want one processor name with its options (grok: {…})", c.n+1)
		}
		kind := n.Content[0].Value
		c.n++
		if c.n > maxSteps {
			return nil, fmt.Errorf("more than %d steps", maxSteps)
		}
		idx := c.n
		build, ok := processors[kind]
		if !ok {
			return nil, fmt.Errorf("step %d: unknown processor %q (known: %s)", idx, kind, strings.Join(processorNames(), ", "))
		}
		opts := n.Content[1]
		if opts.Kind == yaml.ScalarNode && opts.Value == "" {
			opts = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		var cm common
		if err := decodeCommon(opts, &cm); err != nil {
			return nil, fmt.Errorf("step %d (%s): %w", idx, kind, err)
		}
		run, err := build(opts, cm)
		if err != nil {
			return nil, fmt.Errorf("step %d (%s): %w", idx, kind, err)
		}
		if c.skipTypeErrors {
			inner := run
			run = func(e *event.Event) error {
				err := inner(e)
				if err == nil {
					return nil
				}
				// te is declared after the nil check: errors.As makes it
				// escape, which would cost an allocation per step.
				var te *TypeError
				if errors.As(err, &te) {
					// The steps set every other field before they report
					// the first type error: leave this one out, say so.
					appendList(e, FieldTypeErrors, te.Field)
					return nil
				}
				return err
			}
		}
		s := step{index: idx, kind: kind, tag: cm.Tag, ignore: cm.IgnoreFailure, run: run}
		if cm.If != "" {
			if s.cond, err = filter.Parse(cm.If); err != nil {
				return nil, fmt.Errorf("step %d (%s): if: %w", idx, kind, err)
			}
		}
		if len(cm.OnFailure) > 0 {
			handlers, err := c.steps(cm.OnFailure)
			if err != nil {
				return nil, fmt.Errorf("step %d (%s): on_failure: %w", idx, kind, err)
			}
			inner := s.run
			s.run = func(e *event.Event) error {
				err := inner(e)
				if err == nil || err == errDrop {
					return err
				}
				for j := range handlers {
					h := &handlers[j]
					if h.cond != nil && !h.cond(e) {
						continue
					}
					if herr := h.run(e); herr != nil && !h.ignore {
						return herr
					}
				}
				return nil
			}
		}
		out = append(out, s)
	}
	return out, nil
}

// decodeCommon reads the common options out of a step's options and
// removes them, so the processor's own strict decoding sees only its keys.
func decodeCommon(n *yaml.Node, cm *common) error {
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("options: want a mapping")
	}
	keep := n.Content[:0:0]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		switch k.Value {
		case "if":
			err = v.Decode(&cm.If)
		case "tag":
			err = v.Decode(&cm.Tag)
		case "description":
			err = v.Decode(&cm.Description)
		case "ignore_failure":
			err = v.Decode(&cm.IgnoreFailure)
		case "ignore_missing":
			err = v.Decode(&cm.IgnoreMissing)
		case "on_failure":
			err = v.Decode(&cm.OnFailure)
		default:
			keep = append(keep, k, v)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", k.Value, err)
		}
	}
	n.Content = keep
	return nil
}

func appendList(e *event.Event, name, item string) {
	var items []string
	if v, ok := e.Get(name); ok {
		items = append(items, v.List()...)
	}
	e.Set(name, event.List(append(items, item)))
}
