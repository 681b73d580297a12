package ingest

import (
	_ "embed"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

//go:embed grok-patterns
var grokLibrary string

// maxGrokExpansion bounds the size of one expanded grok expression, so a
// pattern that refers to itself through others cannot grow without end.
const maxGrokExpansion = 64 << 10

var (
	libraryOnce sync.Once
	library     map[string]string
	libraryErr  error
)

// Patterns returns the built-in grok pattern library (name → expression).
func Patterns() (map[string]string, error) {
	libraryOnce.Do(func() { library, libraryErr = parsePatterns(grokLibrary) })
	return library, libraryErr
}

func parsePatterns(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, expr, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("grok patterns line %d: want NAME EXPRESSION", i+1)
		}
		out[name] = strings.TrimSpace(expr)
	}
	return out, nil
}

// grokRef matches %{SYNTAX}, %{SYNTAX:field} and %{SYNTAX:field:type}.
var grokRef = regexp.MustCompile(`%\{(\w+)(?::([\w.@\[\]-]+))?(?::(\w+))?\}`)

// onigNamed matches Oniguruma named groups (?<field>…), which grok allows
// and RE2 writes (?P<name>…).
var onigNamed = regexp.MustCompile(`\(\?<([\w.@\[\]-]+)>`)

// grokCapture is one named capture of a compiled grok expression.
type grokCapture struct {
	group int
	field string
	set   setter
}

type grokExpr struct {
	re   *regexp.Regexp
	caps []grokCapture
}

// compileGrok expands a grok expression into a Go regexp.
func compileGrok(pattern string, defs map[string]string) (*grokExpr, error) {
	lib, err := Patterns()
	if err != nil {
		return nil, err
	}
	var names []grokField
	expanded, err := expandGrok(pattern, lib, defs, &names, 0, map[string]bool{})
	if err != nil {
		return nil, err
	}
	re, err := regexp.Compile(expanded)
	if err != nil {
		return nil, fmt.Errorf("compile %q: %w", pattern, err)
	}
	g := &grokExpr{re: re}
	for i, name := range re.SubexpNames() {
		if !strings.HasPrefix(name, "g") || name == "" {
			continue
		}
		var k int
		if _, err := fmt.Sscanf(name, "g%d", &k); err != nil || k >= len(names) {
			continue
		}
		f := names[k]
		set := setterFor(f.name)
		if f.typ != "" {
			t, err := convertType(f.typ)
			if err != nil {
				return nil, fmt.Errorf("%%{…:%s:%s}: %w", f.name, f.typ, err)
			}
			inner := set
			set = func(e *event.Event, v event.Value) error {
				w, ok, err := typed(t, v)
				if err != nil || !ok {
					return err
				}
				return inner(e, w)
			}
		}
		g.caps = append(g.caps, grokCapture{group: i, field: f.name, set: set})
	}
	return g, nil
}

type grokField struct{ name, typ string }

func convertType(s string) (ecsType, error) {
	switch s {
	case "int", "long":
		return typeLong, nil
	case "float", "double":
		return typeFloat, nil
	case "boolean":
		return typeBool, nil
	case "ip":
		return typeIP, nil
	case "string", "keyword":
		return typeKeyword, nil
	}
	return 0, fmt.Errorf("type %q: want int, long, float, double, boolean, ip or string", s)
}

// fieldName turns Logstash's [a][b] into a.b.
func fieldName(s string) string {
	if !strings.HasPrefix(s, "[") {
		return s
	}
	s = strings.TrimPrefix(strings.TrimSuffix(s, "]"), "[")
	return strings.ReplaceAll(s, "][", ".")
}

func expandGrok(p string, lib, defs map[string]string, names *[]grokField, depth int, active map[string]bool) (string, error) {
	if depth > 32 {
		return "", errors.New("grok patterns nest more than 32 deep")
	}
	p = onigNamed.ReplaceAllStringFunc(p, func(m string) string {
		name := onigNamed.FindStringSubmatch(m)[1]
		*names = append(*names, grokField{name: fieldName(name)})
		return fmt.Sprintf("(?P<g%d>", len(*names)-1)
	})
	var firstErr error
	out := grokRef.ReplaceAllStringFunc(p, func(m string) string {
		if firstErr != nil {
			return ""
		}
		sub := grokRef.FindStringSubmatch(m)
		syntax, field, typ := sub[1], sub[2], sub[3]
		def, ok := defs[syntax]
		if !ok {
			def, ok = lib[syntax]
		}
		if !ok {
			firstErr = fmt.Errorf("unknown grok pattern %%{%s}", syntax)
			return ""
		}
		if active[syntax] {
			firstErr = fmt.Errorf("grok pattern %s refers to itself", syntax)
			return ""
		}
		active[syntax] = true
		inner, err := expandGrok(def, lib, defs, names, depth+1, active)
		delete(active, syntax)
		if err != nil {
			firstErr = err
			return ""
		}
		if field == "" {
			return "(?:" + inner + ")"
		}
		*names = append(*names, grokField{name: fieldName(field), typ: typ})
		return fmt.Sprintf("(?P<g%d>%s)", len(*names)-1, inner)
	})
	if firstErr != nil {
		return "", firstErr
	}
	if len(out) > maxGrokExpansion {
		return "", fmt.Errorf("grok expression expands to over %d bytes", maxGrokExpansion)
	}
	return out, nil
}

type grokOpts struct {
	Field              string            `yaml:"field"`
	Patterns           []string          `yaml:"patterns"`
	PatternDefinitions map[string]string `yaml:"pattern_definitions"`
	TraceMatch         bool              `yaml:"trace_match"`
}

func buildGrok(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o grokOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if o.Field == "" {
		o.Field = event.FieldMessage
	}
	if len(o.Patterns) == 0 {
		return nil, errors.New("patterns is required")
	}
	exprs := make([]*grokExpr, len(o.Patterns))
	for i, p := range o.Patterns {
		g, err := compileGrok(p, o.PatternDefinitions)
		if err != nil {
			return nil, fmt.Errorf("patterns[%d]: %w", i, err)
		}
		exprs[i] = g
	}
	field := o.Field
	return func(e *event.Event) error {
		s, ok := text(e, field)
		if !ok {
			return cm.missing(field)
		}
		for i, g := range exprs {
			m := g.re.FindStringSubmatchIndex(s)
			if m == nil {
				continue
			}
			var first error
			for _, c := range g.caps {
				a, b := m[2*c.group], m[2*c.group+1]
				if a < 0 {
					continue
				}
				if err := c.set(e, event.String(s[a:b])); err != nil && first == nil {
					first = err
				}
			}
			if o.TraceMatch {
				e.Set("_ingest._grok_match_index", event.Int(int64(i)))
			}
			return first
		}
		return fmt.Errorf("no pattern matched %s", field)
	}, nil
}
