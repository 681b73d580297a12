package ingest

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"

	// A test case names any format, so every one must be registered.
	_ "github.com/vigilsiem/vigil/internal/parse/all"
)

// TestFile is a pipeline test file (NAME_test.yml): input lines and the
// fields expected from them. docs/pipelines.md describes it.
type TestFile struct {
	// Pipeline is the pipeline every test expects to handle its input,
	// unless the test names another.
	Pipeline string     `yaml:"pipeline"`
	Tests    []TestCase `yaml:"tests"`
}

// TestCase is one input and what must come out of it.
type TestCase struct {
	Name string `yaml:"name"`
	// Input is the record as received (a syslog line, a JSON object …).
	Input string `yaml:"input"`
	// Format is the parser format, default auto.
	Format string `yaml:"format"`
	// Pipeline overrides the file's pipeline; "none" expects no pipeline.
	Pipeline string `yaml:"pipeline"`
	// Expect maps field names to values: scalars compare as text, lists
	// item by item, @timestamp as an instant.
	Expect map[string]yaml.Node `yaml:"expect"`
	// Absent lists fields that must not be set.
	Absent []string `yaml:"absent"`
	// Error, when set, expects the pipeline to fail with a reason that
	// contains it (the record would go to the dead letters); "dropped"
	// expects a drop.
	Error string `yaml:"error"`
}

// TestResult is the outcome of one test.
type TestResult struct {
	Name     string
	Failures []string
	// ECS lists what of the output ECS does not allow (CheckECS): the
	// built-in pipelines' tests fail on it, other test files report it.
	ECS []ECSViolation
}

// ParseTestFile reads a test file.
func ParseTestFile(data []byte) (*TestFile, error) {
	var tf TestFile
	if err := strictYAML(data, &tf); err != nil {
		return nil, fmt.Errorf("parse pipeline test file: %w", err)
	}
	if len(tf.Tests) == 0 {
		return nil, fmt.Errorf("parse pipeline test file: no tests")
	}
	return &tf, nil
}

// testNow is the receive time of test records: year-less timestamps
// resolve against it, so results do not depend on the day tests run.
var testNow = time.Date(2026, 6, 15, 12, 0, 0, 0, time.UTC)

// Run runs the tests of tf through the processors before (the Go
// normalisers serve runs first) and then set.
func (tf *TestFile) Run(set *Set, before []pipeline.Processor) []TestResult {
	out := make([]TestResult, 0, len(tf.Tests))
	for i, tc := range tf.Tests {
		name := tc.Name
		if name == "" {
			name = fmt.Sprintf("test %d", i+1)
		}
		r := TestResult{Name: name}
		want := tc.Pipeline
		if want == "" {
			want = tf.Pipeline
		}
		r.Failures, r.ECS = tc.run(set, before, want)
		out = append(out, r)
	}
	return out
}

func (tc *TestCase) run(set *Set, before []pipeline.Processor, wantPipeline string) ([]string, []ECSViolation) {
	format := tc.Format
	if format == "" {
		format = "auto"
	}
	ps, err := parse.New(format, parse.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		return []string{err.Error()}, nil
	}
	e := &event.Event{}
	rec := &pipeline.Record{Data: []byte(strings.TrimRight(tc.Input, "\r\n"))}
	if err := pipeline.ParseRecord(ps, event.DefaultTenant, "test", testNow, rec, e); err != nil {
		return []string{fmt.Sprintf("parse input: %v", err)}, nil
	}
	evs := []*event.Event{e}
	for _, p := range before {
		if evs = p.Process(context.Background(), evs); len(evs) == 0 {
			return []string{fmt.Sprintf("processor %s dropped the event", p.Name())}, nil
		}
	}
	restore := now
	now = func() time.Time { return testNow }
	name, dropped, err := set.Run(e)
	now = restore
	var fails []string
	switch {
	case wantPipeline == "none" && name != "":
		fails = append(fails, fmt.Sprintf("pipeline %s took the record, want none", name))
	case wantPipeline != "" && wantPipeline != "none" && name != wantPipeline:
		if name == "" {
			name = "none"
		}
		fails = append(fails, fmt.Sprintf("pipeline %s took the record, want %s", name, wantPipeline))
	}
	switch {
	case tc.Error == "dropped":
		if !dropped {
			fails = append(fails, "event was not dropped")
		}
		return fails, nil
	case tc.Error != "":
		if err == nil {
			fails = append(fails, fmt.Sprintf("no error, want one containing %q", tc.Error))
		} else if !strings.Contains(err.Error(), tc.Error) {
			fails = append(fails, fmt.Sprintf("error %q, want one containing %q", err, tc.Error))
		}
		return fails, nil
	case dropped:
		return append(fails, "event was dropped"), nil
	case err != nil:
		return append(fails, err.Error(), "event: "+string(e.AppendJSON(nil))), nil
	}
	for field, n := range tc.Expect {
		got, ok := e.Get(field)
		if !ok {
			fails = append(fails, fmt.Sprintf("%s: missing, want %s", field, nodeText(&n)))
			continue
		}
		if msg := compare(field, got, &n); msg != "" {
			fails = append(fails, msg)
		}
	}
	for _, field := range tc.Absent {
		if v, ok := e.Get(field); ok {
			fails = append(fails, fmt.Sprintf("%s: %q is set, want it absent", field, v.Text()))
		}
	}
	sortStrings(fails)
	if len(fails) > 0 {
		fails = append(fails, "event: "+string(e.AppendJSON(nil)))
	}
	ecs := CheckECS(e, testNow)
	if name != "" && e.Timestamp.Equal(testNow) && carriesTime.MatchString(tc.Input) {
		ecs = append(ecs, ECSViolation{Rule: "timestamp_guessed", Field: "@timestamp",
			Msg: "the record carries a time, but @timestamp is the receive time"})
	}
	return fails, ecs
}

// carriesTime matches the times records commonly carry: an ISO 8601 or
// similar date, a syslog (RFC 3164) time, an Apache/CLF time, or Unix
// epoch seconds or milliseconds of this century.
var carriesTime = regexp.MustCompile(`\d{4}[-/]\d\d[-/]\d\d[T ]\d\d:\d\d|\b[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d|\d\d/[A-Z][a-z]{2}/\d{4}:\d\d|\b1[4-9]\d{8}(?:\d{3})?(?:\.\d+)?\b`)

func nodeText(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", n.Value)
	}
	b, _ := yaml.Marshal(n)
	return strings.TrimSpace(string(b))
}

func compare(field string, got event.Value, n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		var want []string
		if err := n.Decode(&want); err != nil {
			return fmt.Sprintf("%s: expected value: %v", field, err)
		}
		var have []string
		if got.Kind() == event.KindList {
			have = got.List()
		} else {
			have = []string{got.Text()}
		}
		if strings.Join(have, "\x00") != strings.Join(want, "\x00") {
			return fmt.Sprintf("%s: got %q, want %q", field, have, want)
		}
		return ""
	case yaml.ScalarNode:
		if got.Kind() == event.KindTime {
			wt, err := event.ParseTime(n.Value)
			if err != nil {
				return fmt.Sprintf("%s: expected time %q: %v", field, n.Value, err)
			}
			if !wt.Equal(got.Time()) {
				return fmt.Sprintf("%s: got %s, want %s", field, got.Time().Format(time.RFC3339Nano), wt.Format(time.RFC3339Nano))
			}
			return ""
		}
		if got.Text() != n.Value {
			return fmt.Sprintf("%s: got %q, want %q", field, got.Text(), n.Value)
		}
		return ""
	}
	return fmt.Sprintf("%s: expected value must be a scalar or a list", field)
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}
