package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/hunt"
)

func init() {
	c := &command{name: "rules", summary: "check Sigma rules (rules check) and run rule unit tests (rules test)",
		usage: "check DIR... [--format text|json] | test FILE|DIR..."}
	c.run = func(args []string) error {
		if len(args) == 0 {
			return errUsage
		}
		switch args[0] {
		case "check":
			return runRulesCheck(c, args[1:], os.Stdout)
		case "test":
			return runRulesTest(c, args[1:], os.Stdout)
		case "-h", "--help", "help":
			newFlagSet(c).Usage()
			return nil
		}
		return errUsage
	}
	register(c)
}

// checkReport is `vigil rules check --format json`.
type checkReport struct {
	Files    int                `json:"files"`
	Compiled int                `json:"compiled"`
	Rejected int                `json:"rejected"`
	Reasons  map[string]int     `json:"reasons"`
	Errors   []detect.Rejection `json:"rejections"`
}

func runRulesCheck(c *command, args []string, stdout io.Writer) error {
	fs := newFlagSet(c)
	format := fs.String("format", "text", "output format: text or json")
	dirs, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(dirs) == 0 {
		return errUsage
	}
	res, err := sigma.Load(sigma.Config{}, dirs...)
	if err != nil {
		return err
	}
	rep := checkReport{Files: res.Files, Compiled: res.Set.Len(), Rejected: len(res.Rejected), Reasons: map[string]int{},
		Errors: []detect.Rejection{}}
	for _, e := range res.Rejected {
		r := detect.RejectionOf(e)
		rep.Reasons[r.Reason]++
		rep.Errors = append(rep.Errors, r)
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "text":
	default:
		return fmt.Errorf("--format %q: want text or json", *format)
	}
	total := rep.Compiled + rep.Rejected
	pct := 100.0
	if total > 0 {
		pct = 100 * float64(rep.Compiled) / float64(total)
	}
	fmt.Fprintf(stdout, "%d files: %d rules compiled, %d rejected (%.2f%% compiled)\n", rep.Files, rep.Compiled, rep.Rejected, pct)
	if rep.Rejected == 0 {
		return nil
	}
	reasons := make([]string, 0, len(rep.Reasons))
	for r := range rep.Reasons {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool { return rep.Reasons[reasons[i]] > rep.Reasons[reasons[j]] })
	fmt.Fprintln(stdout, "\nRejections by reason:")
	for _, r := range reasons {
		fmt.Fprintf(stdout, "  %-24s %d\n", r, rep.Reasons[r])
	}
	fmt.Fprintln(stdout, "\nRejected rules:")
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	for _, e := range rep.Errors {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", e.Reason, e.Path, e.Error)
	}
	return tw.Flush()
}

// ruleTestFile is the rule unit-test format (docs/rules.md).
type ruleTestFile struct {
	// RuleFiles are rule files or directories, relative to the test file.
	RuleFiles []string `yaml:"rule_files"`
	// Placeholders resolve `expand` placeholders of the rules under test.
	Placeholders map[string][]string `yaml:"placeholders"`
	Tests        []ruleTest          `yaml:"tests"`
}

type ruleTest struct {
	Name string `yaml:"name"`
	// Events are flat ECS (or Windows layout) objects; nested objects are
	// flattened with dots.
	Events []map[string]any `yaml:"events"`
	// Files are EVTX, NDJSON, zip or tar.gz files relative to the test file.
	Files []string `yaml:"files"`
	// Expect lists the rules that must fire, by id or title, with how
	// often (count, default 1). Any other rule firing fails the test
	// unless allow_other is set.
	Expect     []expectation `yaml:"expect"`
	AllowOther bool          `yaml:"allow_other"`
}

type expectation struct {
	Rule  string `yaml:"rule"`
	Count *int   `yaml:"count"`
}

func runRulesTest(c *command, args []string, stdout io.Writer) error {
	fs := newFlagSet(c)
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(paths) == 0 {
		return errUsage
	}
	var files []string
	for _, p := range paths {
		fl, err := sigma.RuleFiles(p)
		if err != nil {
			return err
		}
		for _, f := range fl {
			if strings.HasSuffix(strings.TrimSuffix(strings.TrimSuffix(f, ".yml"), ".yaml"), "_test") || len(paths) == 1 && p == f {
				files = append(files, f)
			}
		}
	}
	if len(files) == 0 {
		return fmt.Errorf("no rule test files (*_test.yml) in %s", strings.Join(paths, ", "))
	}
	passed, failed := 0, 0
	for _, f := range files {
		p, fl, err := runTestFile(f, stdout)
		if err != nil {
			fmt.Fprintf(stdout, "FAIL %s: %v\n", f, err)
			failed++
			continue
		}
		passed += p
		failed += fl
	}
	fmt.Fprintf(stdout, "\n%d passed, %d failed\n", passed, failed)
	if failed > 0 {
		return &exitError{code: 1}
	}
	return nil
}

func runTestFile(path string, out io.Writer) (passed, failed int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, err
	}
	var tf ruleTestFile
	d := yaml.NewDecoder(strings.NewReader(string(b)))
	d.KnownFields(true)
	if err := d.Decode(&tf); err != nil {
		return 0, 0, fmt.Errorf("parse rule test file: %w", err)
	}
	if len(tf.RuleFiles) == 0 || len(tf.Tests) == 0 {
		return 0, 0, errors.New("a rule test file needs rule_files and tests")
	}
	base := filepath.Dir(path)
	var ruleDirs []string
	for _, r := range tf.RuleFiles {
		ruleDirs = append(ruleDirs, filepath.Join(base, r))
	}
	res, err := sigma.Load(sigma.Config{Placeholders: tf.Placeholders}, ruleDirs...)
	if err != nil {
		return 0, 0, err
	}
	if len(res.Rejected) > 0 {
		return 0, 0, fmt.Errorf("rules rejected: %w", errors.Join(res.Rejected...))
	}
	for i, t := range tf.Tests {
		name := t.Name
		if name == "" {
			name = fmt.Sprintf("test %d", i+1)
		}
		problems, err := runRuleTest(res.Set, base, t)
		if err != nil {
			problems = append(problems, err.Error())
		}
		if len(problems) == 0 {
			fmt.Fprintf(out, "PASS %s: %s\n", path, name)
			passed++
			continue
		}
		fmt.Fprintf(out, "FAIL %s: %s\n", path, name)
		for _, p := range problems {
			fmt.Fprintf(out, "     %s\n", p)
		}
		failed++
	}
	return passed, failed, nil
}

func runRuleTest(rs *sigma.RuleSet, base string, t ruleTest) ([]string, error) {
	got := map[*sigma.Rule]int{}
	m := rs.NewMatcher()
	var matched []*sigma.Rule
	for i, raw := range t.Events {
		b, err := json.Marshal(raw)
		if err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
		e := &event.Event{}
		if err := e.UnmarshalJSON(b); err != nil {
			return nil, fmt.Errorf("event %d: %w", i+1, err)
		}
		for _, r := range m.Match(e, matched[:0]) {
			got[r]++
		}
	}
	if len(t.Files) > 0 {
		var paths []string
		for _, f := range t.Files {
			paths = append(paths, filepath.Join(base, f))
		}
		sum, err := hunt.Scan(contextBackground(), rs, paths, hunt.Options{Workers: 1}, func(d hunt.Detection) { got[d.Rule]++ })
		if err != nil {
			return nil, err
		}
		if len(sum.Errors) > 0 {
			return nil, errors.Join(sum.Errors...)
		}
	}
	var problems []string
	expected := map[*sigma.Rule]bool{}
	for _, ex := range t.Expect {
		want := 1
		if ex.Count != nil {
			want = *ex.Count
		}
		var rule *sigma.Rule
		for _, c := range rs.Rules() {
			if c.Rule.ID == ex.Rule || c.Rule.Title == ex.Rule {
				rule = c.Rule
				break
			}
		}
		if rule == nil {
			problems = append(problems, fmt.Sprintf("expected rule %q is not loaded", ex.Rule))
			continue
		}
		expected[rule] = true
		if got[rule] != want {
			problems = append(problems, fmt.Sprintf("rule %q fired %d times, want %d", rule.Title, got[rule], want))
		}
	}
	if !t.AllowOther {
		var extra []string
		for r, n := range got {
			if !expected[r] && n > 0 {
				extra = append(extra, fmt.Sprintf("rule %q fired %d times, want 0 (not in expect)", r.Title, n))
			}
		}
		sort.Strings(extra)
		problems = append(problems, extra...)
	}
	return problems, nil
}
