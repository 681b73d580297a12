package ingest

import (
	_ "embed"
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"regexp/syntax"
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
	group   int
	field   string
	set     setter
	conv    ecsType // %{…:field:type}: the type the text is converted to first
	hasConv bool
}

// store converts the captured text when the capture names a type, then
// sets it.
func (c *grokCapture) store(x *fieldIndex, v event.Value) error {
	if c.hasConv {
		w, ok, err := typed(c.conv, v)
		if err != nil || !ok {
			return err
		}
		v = w
	}
	return c.set.setIn(x, v)
}

type grokExpr struct {
	re   *regexp.Regexp
	caps []grokCapture
	// fast is re with each captured %{IP}, %{IPV4} and %{IPV6} replaced by
	// a short pattern that matches a superset of addresses (nil when re
	// has none). The IPv6 pattern alone is some 700 instructions, which
	// sends Go's regexp to its slowest engine; the short ones keep it on
	// the backtracker. fastCaps and ipGroups index fast's groups: a match
	// of fast whose address captures parse as addresses of their kind is
	// a match of re; otherwise re decides.
	fast     *regexp.Regexp
	fastCaps []grokCapture
	ipGroups []ipGroup
	// What every match holds, checked before the engine runs (so a
	// pattern of a list that does not fit the line costs a byte search):
	// the byte classes of an anchored start, and a literal.
	prefix bytePrefix
	lit    string
	plan   searchPlan
	// reHead and fastHead are re and fast without a last group that
	// takes the rest of the line ((?<f>.*)$, %{GREEDYDATA:f}$), nil when
	// they have none: the engine would walk the rest byte by byte, while
	// on a line without a newline the group is simply what follows the
	// head's match.
	reHead, fastHead *regexp.Regexp
	// bt and fastBt are re and fast compiled into closures
	// (backtrack.go), nil when the pattern has what the matcher does not
	// implement: they decide the texts they take.
	bt, fastBt *backtracker
}

// headOf returns re without a last group that takes the rest of the text
// ((?P<g>.*)$ at the end of the pattern), or nil.
func headOf(re *regexp.Regexp) *regexp.Regexp {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil || t.Op != syntax.OpConcat || len(t.Sub) < 3 {
		return nil
	}
	n := len(t.Sub)
	end, c := t.Sub[n-1], t.Sub[n-2]
	if end.Op != syntax.OpEndText || c.Op != syntax.OpCapture || c.Cap != re.NumSubexp() {
		return nil
	}
	if star := c.Sub[0]; star.Op != syntax.OpStar || star.Flags&syntax.NonGreedy != 0 || star.Sub[0].Op != syntax.OpAnyCharNotNL {
		return nil
	}
	head, err := regexp.Compile((&syntax.Regexp{Op: syntax.OpConcat, Flags: t.Flags, Sub: t.Sub[:n-2]}).String())
	if err != nil || head.NumSubexp() != re.NumSubexp()-1 {
		return nil
	}
	return head
}

// find is re.FindStringSubmatchIndex, by head when re has one: on a text
// without a newline the last group takes what follows head's match (the
// head's leftmost-first match is re's, since .*$ takes any rest).
func find(re, head *regexp.Regexp, s string) []int {
	if head == nil || strings.IndexByte(s, '\n') >= 0 {
		return re.FindStringSubmatchIndex(s)
	}
	m := head.FindStringSubmatchIndex(s)
	if m == nil {
		return nil
	}
	return append(m, m[1], len(s))
}

// ipGroup is a group of fast that holds an address of a kind.
type ipGroup struct {
	group int
	kind  string // IP, IPV4 or IPV6
}

// Supersets of the library's IPV4 and IPV6 (every address they match,
// these match, at the same place); the captured text is then checked.
const (
	fastIPV4 = `\d{1,3}(?:\.\d{1,3}){3}`
	fastIPV6 = `(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?:%[0-9A-Za-z]+)?`
)

// match returns the submatch indexes of s and the captures they index;
// the indexes may be st's, valid until st is reused.
func (g *grokExpr) match(s string, st *btState) ([]int, []grokCapture) {
	if g.prefix != nil && !g.prefix.accepts(s) || g.lit != "" && !containsPlan(s, g.lit, &g.plan) {
		return nil, nil
	}
	if g.fast == nil {
		return findWith(g.bt, g.re, g.reHead, s, st), g.caps
	}
	m := findWith(g.fastBt, g.fast, g.fastHead, s, st)
	if m == nil {
		return nil, nil // no superset match: no match
	}
	for _, ig := range g.ipGroups {
		a, b := m[2*ig.group], m[2*ig.group+1]
		if a >= 0 && !isAddr(s[a:b], ig.kind) {
			return findWith(g.bt, g.re, g.reHead, s, st), g.caps
		}
	}
	return m, g.fastCaps
}

// findWith is find by bt when bt takes s (the indexes are then st's).
func findWith(bt *backtracker, re, head *regexp.Regexp, s string, st *btState) []int {
	if bt != nil {
		if bt.exec(st, s) {
			return st.caps
		}
		if !st.aborted {
			return nil
		}
	}
	return find(re, head, s)
}

func isAddr(s, kind string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	switch kind {
	case "IPV4":
		return a.Is4()
	case "IPV6":
		return a.Is6()
	}
	return true
}

// compileGrok expands a grok expression into a Go regexp.
func compileGrok(pattern string, defs map[string]string) (*grokExpr, error) {
	lib, err := Patterns()
	if err != nil {
		return nil, err
	}
	g := &grokExpr{}
	if g.re, g.caps, _, err = compileGrokRE(pattern, lib, defs, false); err != nil {
		return nil, err
	}
	if p, ok := anchoredPrefix(g.re.String()); ok {
		g.prefix = p
	}
	if lit := requiredLiteral(g.re.String()); len(lit) >= 2 {
		g.lit, g.plan = lit, planFor(lit)
	}
	fast, caps, ips, err := compileGrokRE(pattern, lib, defs, true)
	if err == nil && len(ips) > 0 {
		g.fast, g.fastCaps, g.ipGroups = fast, caps, ips
		g.fastHead = headOf(fast)
		g.fastBt = compileBacktracker(fast)
	}
	g.reHead = headOf(g.re)
	g.bt = compileBacktracker(g.re)
	return g, nil
}

// compileGrokRE expands and compiles a grok expression; with fast, each
// captured IP, IPV4 and IPV6 is the short superset, and ips lists their
// groups.
func compileGrokRE(pattern string, lib, defs map[string]string, fast bool) (*regexp.Regexp, []grokCapture, []ipGroup, error) {
	var names []grokField
	x := &grokExpander{lib: lib, defs: defs, names: &names, fast: fast}
	expanded, err := x.expand(pattern, 0, map[string]bool{})
	if err != nil {
		return nil, nil, nil, err
	}
	re, err := regexp.Compile(expanded)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compile %q: %w", pattern, err)
	}
	var caps []grokCapture
	var ips []ipGroup
	for i, name := range re.SubexpNames() {
		if !strings.HasPrefix(name, "g") || name == "" {
			continue
		}
		var k int
		if _, err := fmt.Sscanf(name, "g%d", &k); err != nil || k >= len(names) {
			continue
		}
		f := names[k]
		if f.ip != "" {
			ips = append(ips, ipGroup{group: i, kind: f.ip})
		}
		c := grokCapture{group: i, field: f.name, set: setterFor(f.name)}
		if f.typ != "" {
			t, err := convertType(f.typ)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%%{…:%s:%s}: %w", f.name, f.typ, err)
			}
			c.conv, c.hasConv = t, true
		}
		caps = append(caps, c)
	}
	return re, caps, ips, nil
}

// grokField is a named capture: the field, the type to convert to, and
// for a fast IP capture its kind.
type grokField struct{ name, typ, ip string }

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

// grokExpander expands grok references.
type grokExpander struct {
	lib, defs map[string]string
	names     *[]grokField
	fast      bool
}

func (x *grokExpander) expand(p string, depth int, active map[string]bool) (string, error) {
	if depth > 32 {
		return "", errors.New("grok patterns nest more than 32 deep")
	}
	names := x.names
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
		def, ok := x.defs[syntax]
		if !ok {
			def, ok = x.lib[syntax]
		}
		if !ok {
			firstErr = fmt.Errorf("unknown grok pattern %%{%s}", syntax)
			return ""
		}
		if active[syntax] {
			firstErr = fmt.Errorf("grok pattern %s refers to itself", syntax)
			return ""
		}
		ip := ""
		if _, own := x.defs[syntax]; !own && x.fast && field != "" {
			switch syntax {
			case "IPV4":
				def, ip = fastIPV4, syntax
			case "IPV6":
				def, ip = fastIPV6, syntax
			case "IP":
				def, ip = fastIPV6+"|"+fastIPV4, syntax
			}
		}
		active[syntax] = true
		inner, err := x.expand(def, depth+1, active)
		delete(active, syntax)
		if err != nil {
			firstErr = err
			return ""
		}
		if field == "" {
			return "(?:" + inner + ")"
		}
		*names = append(*names, grokField{name: fieldName(field), typ: typ, ip: ip})
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
		st := getBtState()
		defer putBtState(st)
		for i, g := range exprs {
			m, caps := g.match(s, st)
			if m == nil {
				continue
			}
			var first error
			var x fieldIndex
			x.reset(e)
			for ci := range caps {
				c := &caps[ci]
				a, b := m[2*c.group], m[2*c.group+1]
				if a < 0 {
					continue
				}
				if err := c.store(&x, event.String(s[a:b])); err != nil && first == nil {
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
