package sigma

import (
	"errors"
	"testing"

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
		c := NewCompiler(Config{Placeholders: map[string][]string{"p": {"v"}}})
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
			rs.Match(e, nil)
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
