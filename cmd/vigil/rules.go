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
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/hunt"
)

func init() {
	c := &command{name: "rules", summary: "check Sigma rules (rules check), run rule unit tests (rules test), install a rule package (rules install)",
		usage: "check DIR... [--format text|json] | test FILE|DIR... | install [--data DIR] [--name NAME] [--format text|json] PATH|URL"}
	c.run = func(args []string) error {
		if len(args) == 0 {
			return errUsage
		}
		switch args[0] {
		case "check":
			return runRulesCheck(c, args[1:], os.Stdout)
		case "test":
			return runRulesTest(c, args[1:], os.Stdout)
		case "install":
			return runRulesInstall(c, args[1:], os.Stdout)
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
	Files int `json:"files"`
	// Compiled counts detection and correlation rules; Correlations the
	// latter.
	Compiled     int                `json:"compiled"`
	Correlations int                `json:"correlations"`
	Rejected     int                `json:"rejected"`
	Reasons      map[string]int     `json:"reasons"`
	Errors       []detect.Rejection `json:"rejections"`
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
	res, err := detect.LoadRules(sigma.Config{Watchlists: watchlist.NewMemory()}, dirs...)
	if err != nil {
		return err
	}
	rep := checkReport{Files: res.Files, Compiled: res.Len(), Correlations: res.Correlations.Len(), Rejected: len(res.Rejected),
		Reasons: map[string]int{}, Errors: []detect.Rejection{}}
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
	fmt.Fprintf(stdout, "%d files: %d rules compiled (%d correlations), %d rejected (%.2f%% compiled)\n",
		rep.Files, rep.Compiled, rep.Correlations, rep.Rejected, pct)
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
	// Watchlists fill watch-lists (of the events' tenant, default) before
	// the events: list name → entries, each a key or {key, value, count}.
	Watchlists map[string][]watchlistEntry `yaml:"watchlists"`
	// Events are flat ECS (or Windows layout) objects; nested objects are
	// flattened with dots. Correlations see them in @timestamp order.
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

// watchlistEntry is a key, or a mapping with key, value and count.
type watchlistEntry struct {
	Key   string `yaml:"key"`
	Value string `yaml:"value"`
	Count *int64 `yaml:"count"`
}

func (w *watchlistEntry) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		w.Key = n.Value
		return nil
	}
	type plain watchlistEntry
	return n.Decode((*plain)(w))
}

// testLists lets every test of a file start from empty watch-lists while
// the rules, compiled once, keep reading through it.
type testLists struct{ cur *watchlist.Store }

func (l *testLists) Lookup(tenant, list, key string) (sigma.WatchlistEntry, bool) {
	return l.cur.Lookup(tenant, list, key)
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
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		if !st.IsDir() {
			files = append(files, p)
			continue
		}
		err = filepath.WalkDir(p, func(f string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && f != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && sigma.IsRuleTestFile(f) {
				files = append(files, f)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("walk %s: %w", p, err)
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
	lists := &testLists{}
	res, err := detect.LoadRules(sigma.Config{Placeholders: tf.Placeholders, Watchlists: lists}, ruleDirs...)
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
		lists.cur = watchlist.NewMemory()
		problems, err := runRuleTest(res, lists.cur, base, t)
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

// runRuleTest runs one test: the events in order (watch-list actions
// apply as they match), then the files, then the correlations over all of
// them in event-time order. A correlation's count is the number of alerts
// it raised.
func runRuleTest(rules *detect.Rules, wl *watchlist.Store, base string, t ruleTest) ([]string, error) {
	for name, entries := range t.Watchlists {
		in := make([]watchlist.EntryInput, 0, len(entries))
		for _, e := range entries {
			in = append(in, watchlist.EntryInput{Key: e.Key, Value: e.Value, Count: e.Count})
		}
		if err := wl.PutEntries("", name, in); err != nil {
			return nil, fmt.Errorf("watchlists: %w", err)
		}
	}
	got := map[*sigma.Rule]int{}
	off := detect.NewOffline(rules, wl)
	m := rules.Set.NewMatcher()
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
		if e.ID == "" {
			e.ID = fmt.Sprintf("event-%d", i+1)
		}
		for _, r := range off.Match(m, e, matched[:0]) {
			got[r]++
		}
	}
	if len(t.Files) > 0 {
		var paths []string
		for _, f := range t.Files {
			paths = append(paths, filepath.Join(base, f))
		}
		// the scan runs the correlations at its end, over the events too
		sum, err := hunt.Scan(contextBackground(), rules.Set, paths, hunt.Options{Workers: 1, Offline: off}, func(d hunt.Detection) { got[d.Rule]++ })
		if err != nil {
			return nil, err
		}
		if len(sum.Errors) > 0 {
			return nil, errors.Join(sum.Errors...)
		}
	} else {
		fs, err := off.Finish()
		if err != nil {
			return nil, err
		}
		for _, f := range fs {
			got[f.Corr.Rule]++
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
		for _, c := range rules.Set.Rules() {
			if c.Rule.ID == ex.Rule || c.Rule.Name == ex.Rule && ex.Rule != "" || c.Rule.Title == ex.Rule {
				rule = c.Rule
				break
			}
		}
		for _, c := range rules.Correlations.Correlations() {
			if rule == nil && (c.Rule.ID == ex.Rule || c.Rule.Name == ex.Rule || c.Rule.Title == ex.Rule) {
				rule = c.Rule
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
