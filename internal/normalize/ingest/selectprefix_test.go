package ingest

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestSelectPrefix: selection's prefix of an anchored pattern accepts
// every text the pattern matches, goes on past optional parts and
// alternations of different widths, and turns away texts that differ in
// its positions.
func TestSelectPrefix(t *testing.T) {
	cases := []prefixCase{
		{`^2 \d+`, true, 3, []string{"2 1", "2 99x"}, []string{"3 1", "2x1", "2 "}},
		{`^(?:1|\d+),`, true, 2, []string{"1,", "19,", "12345,"}, []string{"a1", "1x"}},
		// An optional start: the first position is its class and the
		// class after it.
		{`^(?:1 )?\d{9,10}\.\d+ \S+`, true, 12, []string{"1 948077314.9 MX60", "1700000000.5 x"}, []string{"x1700000000", "1 94807731x"}},
		{`^(?:http|https|h2)? x`, true, 2, []string{" x", "h2 x", "https x"}, []string{"ftp x", "h3 x"}},
		{`^[A-Z]{3}\d`, true, 4, []string{"QZA1"}, []string{"QZa1", "QZA"}},
		{`^(?i)type=`, true, 5, []string{"TYPE=", "tYpe=x"}, []string{"typ=", "xtype="}},
		// k and s fold to non-ASCII runes (the Kelvin and long-s signs),
		// which take more bytes: the positions stop there.
		{`^(?i)ak=`, true, 1, []string{"AK=", "a\u212a="}, []string{"b"}},
		// The dated formats: past the time to what tells them apart.
		{`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ fail2ban\.`, true, 31, []string{"2024-05-10 11:37:47,123 fail2ban.filter"},
			[]string{"2024-05-10 11:37:47,123 INFO [main] x", "2024-05-10 11:37:47.123 fail2ban."}},
		{`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [+-]\d{4} \S+ (?:WF|TR|AUDIT) `, true, 26,
			[]string{"2024-05-10 11:37:47 +0200 x WF ", "2024-05-10 11:37:47.5 -0200 x TR "}, []string{"2024-05-10 11:37:47,123 INFO"}},
		// A match may end: no position after it.
		{`^ab(?:c|$)`, true, 2, []string{"ab", "abc"}, []string{"a", "ax"}},
		{`^ab\b`, true, 2, []string{"ab", "ab c"}, []string{"ax"}},
		{`^<\d+>1 \d{10}`, true, 15, []string{"<134>1 1700000000"}, []string{"134>", "<134> 1"}},
		{`^é`, false, 0, nil, nil},
		{`^.x`, false, 0, nil, nil},
		{`^a.x`, true, 1, []string{"aéx"}, []string{"bx"}},
		{`abc`, false, 0, nil, nil},
		{`^abc|x`, false, 0, nil, nil},
	}
	checkPrefixCases(t, selectPrefix, cases)
}

// builtinRegexes returns the anchored match regexes of the built-in
// pipelines and the inputs of their tests.
func builtinRegexes(t testing.TB) (regexes []string, inputs []string) {
	dir := filepath.Join("..", "pipelines")
	names, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no built-in pipelines in %s: %v", dir, err)
	}
	for _, n := range names {
		data, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		if IsTestFile(filepath.Base(n)) {
			tf, err := ParseTestFile(data)
			if err != nil {
				t.Fatalf("%s: %v", n, err)
			}
			for _, tc := range tf.Tests {
				inputs = append(inputs, tc.Input)
			}
			continue
		}
		var f struct {
			Match []matchSpec `yaml:"match"`
		}
		if err := yaml.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", n, err)
		}
		for _, m := range f.Match {
			if _, ok := selectPrefix(m.Regex); ok {
				regexes = append(regexes, m.Regex)
			}
		}
	}
	return regexes, inputs
}

// TestSelectPrefixBuiltin: the prefix of every anchored match regex of
// the built-in pipelines accepts every text of their tests it matches:
// each input, and what follows each space, > or ] of it (where a body
// after a syslog header starts).
func TestSelectPrefixBuiltin(t *testing.T) {
	regexes, inputs := builtinRegexes(t)
	var texts []string
	for _, in := range inputs {
		texts = append(texts, in)
		for i := 0; i < len(in); i++ {
			if in[i] == ' ' || in[i] == '>' || in[i] == ']' || in[i] == ':' {
				texts = append(texts, in[i+1:], strings.TrimLeft(in[i+1:], " "))
			}
		}
	}
	matched := 0
	for _, r := range regexes {
		p, _ := selectPrefix(r)
		re := regexp.MustCompile(r)
		for _, s := range texts {
			if re.MatchString(s) {
				matched++
				if !p.accepts(s) {
					t.Errorf("%s: %q turned away", r, s)
				}
			}
		}
	}
	if matched < len(regexes) {
		t.Fatalf("%d matches of %d regexes: the test reads too few texts", matched, len(regexes))
	}
}

// FuzzSelectPrefix: no text a built-in anchored regex matches is turned
// away by its prefix.
func FuzzSelectPrefix(f *testing.F) {
	regexes, inputs := builtinRegexes(f)
	for _, in := range inputs {
		f.Add(in)
	}
	f.Add("2024-05-10 11:37:47,123 fail2ban.filter [1]: x")
	res := make([]*regexp.Regexp, len(regexes))
	prefixes := make([]bytePrefix, len(regexes))
	for i, r := range regexes {
		res[i] = regexp.MustCompile(r)
		prefixes[i], _ = selectPrefix(r)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i, re := range res {
			if re.MatchString(s) && !prefixes[i].accepts(s) {
				t.Fatalf("%s: %q turned away", regexes[i], s)
			}
		}
	})
}

// TestPrefixGate: the prefix gate over all the built-in anchored
// regexes marks, for any text, exactly the selectors whose prefix
// accepts it: the test inputs, every start and truncation of them, and
// texts shorter than the prefixes.
func TestPrefixGate(t *testing.T) {
	regexes, inputs := builtinRegexes(t)
	entries := make([]int, len(regexes))
	prefixes := make([]bytePrefix, len(regexes))
	for i, r := range regexes {
		entries[i] = 3 * i // entries are not bits
		prefixes[i], _ = selectPrefix(r)
	}
	g := newPrefixGate("", entries, prefixes)
	texts := []string{"", "2", "2024-05-10 11:37:47,123 INFO [main] x", "2024-05-10 11:37:47,123 fail2ban.filter [1]: x"}
	for _, in := range inputs {
		for i := 0; i < len(in); i++ {
			if i == 0 || in[i-1] == ' ' || in[i-1] == '>' {
				for n := i; n <= len(in) && n <= i+maxSelectPrefix+1; n++ {
					texts = append(texts, in[i:n])
				}
				texts = append(texts, in[i:])
			}
		}
	}
	accepted := 0
	for _, s := range texts {
		c := &selCache{}
		c.reset(3*len(regexes), 0)
		g.mark(s, c)
		for j, p := range prefixes {
			want := p.accepts(s)
			if got := c.cand[entries[j]>>6]&(1<<(entries[j]&63)) != 0; got != want {
				t.Fatalf("%s: %q marked %v, its prefix accepts it: %v", regexes[j], s, got, want)
			}
			if want {
				accepted++
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no text accepted: the test reads too few texts")
	}
}

// prefixCase is a regex, whether a prefix analyser gives it a gate and of
// how many positions, texts the regex matches (the gate must pass them) and
// texts the gate must turn away.
type prefixCase struct {
	re      string
	ok      bool
	n       int // positions
	yes, no []string
}

// checkPrefixCases runs a prefix analyser (anchoredPrefix, selectPrefix)
// over cases.
func checkPrefixCases(t *testing.T, analyse func(string) (bytePrefix, bool), cases []prefixCase) {
	t.Helper()
	for _, c := range cases {
		p, ok := analyse(c.re)
		if ok != c.ok || len(p) != c.n {
			t.Errorf("%s: ok %v, %d positions; want %v, %d", c.re, ok, len(p), c.ok, c.n)
			continue
		}
		re := regexp.MustCompile(c.re)
		for _, s := range c.yes {
			if !re.MatchString(s) {
				t.Fatalf("%s: bad case %q", c.re, s)
			}
			if !p.accepts(s) {
				t.Errorf("%s: %q turned away", c.re, s)
			}
		}
		for _, s := range c.no {
			if p.accepts(s) {
				t.Errorf("%s: %q accepted", c.re, s)
			}
		}
	}
}
