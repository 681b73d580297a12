package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// agree checks that bt finds in s what Go's regexp finds.
func agree(t *testing.T, re *regexp.Regexp, bt *backtracker, s string) {
	t.Helper()
	want := re.FindStringSubmatchIndex(s)
	if got := bt.FindStringSubmatchIndex(s); !reflect.DeepEqual(got, want) {
		t.Fatalf("%q on %q: backtracker %v, regexp %v", re, s, got, want)
	}
	if got, want := bt.MatchString(s), re.MatchString(s); got != want {
		t.Fatalf("%q on %q: backtracker matches %v, regexp %v", re, s, got, want)
	}
	// The matcher alone, without the fallback, must not be wrong either.
	m := getBtState()
	defer putBtState(m)
	if bt.exec(m, s) {
		if !reflect.DeepEqual(m.caps, want) {
			t.Fatalf("%q on %q: matcher %v, regexp %v", re, s, m.caps, want)
		}
	} else if !m.aborted && want != nil {
		t.Fatalf("%q on %q: matcher finds no match, regexp %v", re, s, want)
	}
}

var btPatterns = []string{
	`a+b`, `^(a|ab)(c|bcd)(d*)$`, `(?i)HeLLo (\w+)`, `x(?:ab){2,4}?y`, `(\d{1,3})\.(\d{1,3})`,
	`(?P<a>.*?)=(?P<b>[^ ]*)`, `\bfoo\b`, `\Bfoo`, `(?m)^b$`, `(?s)a.b`, `a.b`, `(a)|b`, `x*`, `(x?)*`,
	`(a+)+$`, `(?:a|b)*?c`, `^$`, `[[:alpha:]]+`, `(?U)a+`, `é+`, `a{0}`, `(?:(a)|b){3}`,
	`\S+ (\w+)`, `(?i)ok`, `(?i)s+`, `[^,]*,x`, `.+?b`, `x\b`, `\d+\D`, `^.{2}(.)`, `[^a-z]{1,3}$`,
}

var btTexts = []string{
	"", "a", "ab", "aab", "abcd", "abbcd", "hello World", "HELLO x", "xababy", "xabababababy", "1.2.3.4",
	"k=v x=y", "foo bar", "a foo", "afoo", "a\nb\nc", "a\nb", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "aaaaaaaaaaaaaaaaaaaaaaaaaaaa!",
	"ccc", "é", "ééa", "ab\x80c", "bab", "abba", "\u212a", "o\u212a x", "é y", "a,é,x", "é,x", "xé", "1é2 ",
	"\u017fs", "ab\xffb", "\xe2\x82 x",
}

func TestBacktrackerAgreesWithRegexp(t *testing.T) {
	for _, p := range btPatterns {
		re := regexp.MustCompile(p)
		bt := compileBacktracker(re)
		if bt == nil {
			continue
		}
		for _, s := range btTexts {
			agree(t, re, bt, s)
		}
	}
}

// TestBacktrackerOnBuiltinPipelines compares the matcher with Go's regexp
// on every grok pattern and selection regex of the built-in pipelines,
// on every input of their test files and on pieces of them.
func TestBacktrackerOnBuiltinPipelines(t *testing.T) {
	files, err := filepath.Glob("../pipelines/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no pipeline files: %v", err)
	}
	var grokPatterns, regexes []string
	var inputs []string
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walkYAML(doc, func(key string, v any) {
			switch key {
			case "patterns":
				for _, p := range v.([]any) {
					grokPatterns = append(grokPatterns, p.(string))
				}
			case "regex":
				regexes = append(regexes, v.(string))
			case "input":
				inputs = append(inputs, v.(string))
			}
		})
	}
	// Bodies after a syslog header, and pieces cut at a few spaces.
	var texts []string
	for _, in := range inputs {
		texts = append(texts, in, bodyOf(in, false, "", ""))
		for i, cuts := 0, 0; i < len(in) && cuts < 2; i++ {
			if in[i] == ' ' {
				texts = append(texts, in[i+1:], in[:len(in)-i])
				cuts++
			}
		}
	}
	n, left := 0, 0
	check := func(re *regexp.Regexp) {
		bt := compileBacktracker(re)
		if bt == nil {
			left++
			return
		}
		n++
		for _, s := range texts {
			agree(t, re, bt, s)
		}
	}
	for _, p := range grokPatterns {
		g, err := compileGrok(p, nil)
		if err != nil {
			continue // a pattern of its own definitions
		}
		check(g.re)
		if g.fast != nil {
			check(g.fast)
		}
	}
	for _, r := range regexes {
		check(regexp.MustCompile(r))
	}
	if n < len(grokPatterns)/2 {
		t.Errorf("the matcher takes %d of %d patterns", n, len(grokPatterns)+len(regexes))
	}
	t.Logf("%d patterns compiled, %d left to Go's regexp, %d texts", n, left, len(texts))
}

func walkYAML(v any, fn func(key string, v any)) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			fn(k, c)
			walkYAML(c, fn)
		}
	case []any:
		for _, c := range x {
			walkYAML(c, fn)
		}
	}
}

// TestBacktrackerBudget: a pattern that backtracks without end on a text
// is decided by Go's regexp, in linear time.
func TestBacktrackerBudget(t *testing.T) {
	re := regexp.MustCompile(`^(a+)+b$`)
	bt := compileBacktracker(re)
	if bt == nil {
		t.Fatal("not compiled")
	}
	s := strings.Repeat("a", 40) + "!"
	m := getBtState()
	defer putBtState(m)
	if bt.exec(m, s) || !m.aborted {
		t.Fatalf("exponential backtracking was not cut: aborted=%v", m.aborted)
	}
	agree(t, re, bt, s)
}

func FuzzBacktracker(f *testing.F) {
	for _, p := range btPatterns {
		for _, s := range btTexts[:6] {
			f.Add(p, s)
		}
	}
	f.Fuzz(func(t *testing.T, p, s string) {
		re, err := regexp.Compile(p)
		if err != nil || len(p) > 200 {
			return
		}
		bt := compileBacktracker(re)
		if bt == nil {
			return
		}
		agree(t, re, bt, s)
	})
}
