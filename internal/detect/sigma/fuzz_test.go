package sigma

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

// FuzzCompile feeds arbitrary YAML to the parser and compiler: nothing may
// panic, every failure must be a *RuleError with a known reason, and a
// rule that compiles must evaluate on events without panicking.
func FuzzCompile(f *testing.F) {
	f.Add(ruleWith(sysmonPC, "  s:\n    Image|endswith: '\\x.exe'\n  condition: s"))
	f.Add(ruleWith(sysmonPC, "  s:\n    CommandLine|windash|contains|all: [' -a ', '/b']\n  f:\n    User: null\n  condition: s and not f"))
	f.Add(ruleWith("    product: linux\n", "  k:\n    - 'x'\n  condition: 1 of them"))
	f.Add(ruleWith(sysmonPC, "  s:\n    CommandLine|wide|base64offset|contains: 'iex'\n    P|re|i: 'a.+b'\n    D|cidr: 10.0.0.0/8\n  condition: all of s*"))
	f.Add("title: x\ncorrelation: {}\n")
	f.Add("a: &a [*a]\n")
	f.Add(ruleWith(sysmonPC, "  s:\n    User|watchlist: ['admins', 'failed[count>=3]', 'intel[value=hi*]']\n  condition: s\n") +
		"watchlist:\n  alert: false\n  actions:\n    - increment: failed\n      key: User\n      by: 2\n      ttl: 1h\n    - remove: x\n      key: Image\n")
	events := []*event.Event{
		sysmonEvent("Image", `C:\x.exe`, "CommandLine", "a -a /b", "User", "u", "D", "10.1.1.1"),
		func() *event.Event { e := &event.Event{Original: "x"}; e.SetString("host.os.type", "linux"); return e }(),
		{},
	}
	f.Fuzz(func(t *testing.T, doc string) {
		rules, errs := Parse([]byte(doc))
		for _, err := range errs {
			checkRuleError(t, err)
		}
		c := NewCompiler(Config{Placeholders: map[string][]string{"p": {"v"}},
			Watchlists: fakeLists{"/admins/u": {Value: "x"}, "default/failed/u": {Count: 3}}})
		var compiled []*Compiled
		for _, r := range rules {
			cr, err := c.Compile(r)
			if err != nil {
				checkRuleError(t, err)
				continue
			}
			compiled = append(compiled, cr)
		}
		rs := c.NewRuleSet(compiled)
		for _, e := range events {
			matched := map[*Rule]bool{}
			for _, r := range rs.Match(e, nil) {
				matched[r] = true
			}
			// a rule is explained exactly when it matched
			for _, cr := range compiled {
				if _, ok := rs.Explain(cr.Rule, e); ok != matched[cr.Rule] {
					t.Fatalf("rule %q: explained %v, matched %v", cr.Rule.Title, ok, matched[cr.Rule])
				}
			}
		}
	})
}

func checkRuleError(t *testing.T, err error) {
	t.Helper()
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("error is not a *RuleError: %v", err)
	}
	if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrInvalid) {
		t.Fatalf("error wraps neither ErrUnsupported nor ErrInvalid: %v", err)
	}
	if re.Reason == "" {
		t.Fatalf("rejection without a reason: %v", err)
	}
}

// FuzzCondition checks that the condition parser never panics and that what
// it accepts prints back to a condition that parses to the same tree.
func FuzzCondition(f *testing.F) {
	for _, s := range []string{"a", "a and not (b or c)", "1 of sel* and not all of filter*", "all of them", "(a", "a | count() > 3", "2 of x*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseCondition(s)
		if err != nil {
			checkRuleError(t, err)
			return
		}
		again, err := parseCondition(n.String())
		if err != nil {
			t.Fatalf("%q parsed to %s, which does not parse: %v", s, n, err)
		}
		if again.String() != n.String() {
			t.Fatalf("%q: %s reparses as %s", s, n, again)
		}
	})
}

// FuzzPattern checks the glob matcher against the shape-specific ones.
func FuzzPattern(f *testing.F) {
	f.Add("a*b?c", "aXXbYc")
	f.Add("*x*", "x")
	f.Fuzz(func(t *testing.T, pat, s string) {
		p := parsePattern(pat)
		m := compilePattern(p, true)
		got := m.match(s)
		if want := globMatch(normalized(p), s); got != want {
			t.Fatalf("pattern %q on %q: %v, glob says %v", pat, s, got, want)
		}
	})
}

func normalized(p pattern) pattern {
	var out pattern
	for _, t := range p {
		if t.wild == 0 && t.lit == "" {
			continue
		}
		out = append(out, t)
	}
	return out
}

// FuzzParseCorrelation feeds arbitrary correlation sections to the parser:
// nothing may panic, a rejection is a *RuleError, and a correlation that
// parses is consistent (a known type, rules, a positive timespan, a
// satisfiable condition) and survives a round trip through YAML unchanged.
func FuzzParseCorrelation(f *testing.F) {
	f.Add("type: event_count\nrules: [a]\ngroup-by: [u]\ntimespan: 5m\ncondition: {gte: 10}\n")
	f.Add("type: value_count\nrules: a\ngroup-by: u\ntimespan: 1d\ncondition: {field: x, gt: 1, lte: 9}\n")
	f.Add("type: temporal\nrules: [a, b]\ntimespan: 30s\naliases: {ip: {a: source.ip, b: destination.ip}}\ngenerate: true\n")
	f.Add("type: temporal_ordered\nrules: [a, b, c]\ngroup-by: [h, u]\ntimespan: 2h\n")
	f.Add("type: event_count\nrules: [a]\ntimespan: 1M\ncondition: {neq: 3, lt: 1e3}\n")
	f.Fuzz(func(t *testing.T, section string) {
		doc := "title: c\ncorrelation:\n" + indent(section)
		r, err := ParseRule([]byte(doc))
		if err != nil {
			if !strings.Contains(err.Error(), "document") || ReasonOf(err) == "" {
				t.Fatalf("unexpected error shape: %v", err)
			}
			var re *RuleError
			if errors.As(err, &re) {
				checkRuleError(t, err)
			}
			return
		}
		c := r.Correlation
		if c == nil {
			t.Fatalf("no correlation parsed from\n%s", doc)
		}
		switch c.Type {
		case EventCount, ValueCount, Temporal, TemporalOrdered:
		default:
			t.Fatalf("type %q accepted", c.Type)
		}
		if len(c.Rules) == 0 || c.Timespan <= 0 || len(c.Condition.Terms) == 0 {
			t.Fatalf("incomplete correlation accepted: %+v", c)
		}
		if _, hi, _, err := c.Condition.Bounds(); err != nil || hi < 1 {
			t.Fatalf("unsatisfiable condition accepted: %v (%v)", c.Condition, err)
		}
		back, err := yaml.Marshal(map[string]any{"title": "c", "correlation": renderCorrelation(c)})
		if err != nil {
			t.Fatal(err)
		}
		r2, err := ParseRule(back)
		if err != nil {
			t.Fatalf("re-parse of\n%s: %v", back, err)
		}
		if !reflect.DeepEqual(r2.Correlation, c) {
			t.Fatalf("round trip changed the correlation:\n %+v\n %+v\n%s", c, r2.Correlation, back)
		}
	})
}

func indent(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = "  " + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// renderCorrelation writes a correlation back as the YAML value of a
// correlation section.
func renderCorrelation(c *Correlation) map[string]any {
	m := map[string]any{"type": c.Type, "rules": c.Rules, "timespan": c.TimespanText}
	if len(c.GroupBy) > 0 {
		m["group-by"] = c.GroupBy
	}
	if !c.Condition.Default {
		cond := map[string]any{}
		for _, t := range c.Condition.Terms {
			cond[t.Op] = t.Value
		}
		if c.Field != "" {
			cond["field"] = c.Field
		}
		m["condition"] = cond
	}
	if len(c.Aliases) > 0 {
		al := yaml.Node{Kind: yaml.MappingNode}
		for _, a := range c.Aliases {
			var fields yaml.Node
			if err := fields.Encode(a.Fields); err != nil {
				panic(err)
			}
			al.Content = append(al.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: a.Name}, &fields)
		}
		m["aliases"] = &al
	}
	if c.Generate {
		m["generate"] = true
	}
	return m
}
