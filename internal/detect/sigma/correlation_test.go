package sigma

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCorrelation(t *testing.T) {
	f := func(body string, want *Correlation) {
		t.Helper()
		r, err := ParseRule([]byte("title: C\nid: c-1\ncorrelation:\n" + body))
		if err != nil {
			t.Errorf("parse\n%s: %v", body, err)
			return
		}
		if !reflect.DeepEqual(r.Correlation, want) {
			t.Errorf("parse\n%s\n got %+v\nwant %+v", body, r.Correlation, want)
		}
	}
	gte := func(n float64) Condition { return Condition{Terms: []CondTerm{{Op: "gte", Value: n}}} }
	f("  type: event_count\n  rules: failed_login\n  group-by: User\n  timespan: 5m\n  condition: {gte: 10}\n",
		&Correlation{Type: EventCount, Rules: []string{"failed_login"}, GroupBy: []string{"User"},
			Timespan: 5 * time.Minute, TimespanText: "5m", Condition: gte(10)})
	f("  type: value_count\n  rules: [a]\n  group-by: [src, dst]\n  timespan: 1d\n  condition:\n    field: User\n    gt: 100\n    lte: 200\n",
		&Correlation{Type: ValueCount, Rules: []string{"a"}, GroupBy: []string{"src", "dst"},
			Timespan: 24 * time.Hour, TimespanText: "1d", Field: "User",
			Condition: Condition{Terms: []CondTerm{{Op: "gt", Value: 100}, {Op: "lte", Value: 200}}}})
	// temporal without a condition: every rule must be seen
	f("  type: temporal\n  rules: [a, b, c]\n  group-by: [h]\n  timespan: 30s\n",
		&Correlation{Type: Temporal, Rules: []string{"a", "b", "c"}, GroupBy: []string{"h"},
			Timespan: 30 * time.Second, TimespanText: "30s",
			Condition: Condition{Terms: []CondTerm{{Op: "gte", Value: 3}}, Default: true}})
	f("  type: temporal_ordered\n  rules: [a, b]\n  timespan: 1h\n  generate: true\n",
		&Correlation{Type: TemporalOrdered, Rules: []string{"a", "b"}, Timespan: time.Hour, TimespanText: "1h",
			Condition: Condition{Terms: []CondTerm{{Op: "gte", Value: 2}}, Default: true}, Generate: true})
	f("  type: temporal\n  rules: [a, b]\n  group-by: [ip]\n  timespan: 2w\n  aliases:\n    ip:\n      a: source.ip\n      b: destination.ip\n",
		&Correlation{Type: Temporal, Rules: []string{"a", "b"}, GroupBy: []string{"ip"}, Timespan: 14 * 24 * time.Hour,
			TimespanText: "2w", Condition: Condition{Terms: []CondTerm{{Op: "gte", Value: 2}}, Default: true},
			Aliases: []Alias{{Name: "ip", Fields: map[string]string{"a": "source.ip", "b": "destination.ip"}}}})
	// terms come out in a fixed order whatever the YAML order
	f("  type: event_count\n  rules: [a]\n  timespan: 1m\n  condition: {lt: 5, gt: 1}\n",
		&Correlation{Type: EventCount, Rules: []string{"a"}, Timespan: time.Minute, TimespanText: "1m",
			Condition: Condition{Terms: []CondTerm{{Op: "gt", Value: 1}, {Op: "lt", Value: 5}}}})
}

func TestParseCorrelationRejects(t *testing.T) {
	f := func(body, reason, detail string) {
		t.Helper()
		_, err := ParseRule([]byte("title: C\ncorrelation:\n" + body))
		if err == nil {
			t.Errorf("parse\n%s: no error, want %s", body, reason)
			return
		}
		if got := ReasonOf(err); got != reason || !strings.Contains(err.Error(), detail) {
			t.Errorf("parse\n%s: %v (reason %s), want %s with %q", body, err, got, reason, detail)
		}
	}
	const ok = "  rules: [a]\n  group-by: [u]\n  timespan: 5m\n"
	f("  type: event_count\n"+ok, ReasonCorrelation, "needs a condition")
	f("  type: count\n"+ok+"  condition: {gte: 1}\n", ReasonCorrelation, "unknown correlation type")
	f("  type: value_sum\n"+ok+"  condition: {gte: 1, field: x}\n", ReasonCorrelation, "pySigma extension")
	f(ok+"  condition: {gte: 1}\n", ReasonCorrelation, "no type")
	f("  type: value_count\n"+ok+"  condition: {gte: 1}\n", ReasonCorrelation, "condition.field")
	f("  type: event_count\n"+ok+"  condition: {gte: 1, field: x}\n", ReasonCorrelation, "belongs to value_count")
	f("  type: event_count\n  rules: [a]\n  timespan: 5\n  condition: {gte: 1}\n", ReasonCorrelation, "timespan")
	f("  type: event_count\n  rules: [a]\n  timespan: 0m\n  condition: {gte: 1}\n", ReasonCorrelation, "positive")
	f("  type: event_count\n  rules: [a]\n  timespan: 5x\n  condition: {gte: 1}\n", ReasonCorrelation, "unknown unit")
	f("  type: event_count\n  rules: [a]\n  timespan: 9999y\n  condition: {gte: 1}\n", ReasonCorrelation, "longer than")
	f("  type: event_count\n  rules: [a]\n  condition: {gte: 1}\n", ReasonCorrelation, "no timespan")
	f("  type: event_count\n  timespan: 5m\n  condition: {gte: 1}\n", ReasonCorrelation, "no rules")
	f("  type: event_count\n  rules: [a, a]\n  timespan: 5m\n  condition: {gte: 1}\n", ReasonCorrelation, "twice")
	f("  type: event_count\n"+ok+"  condition: {gt: 10, lt: 5}\n", ReasonCorrelation, "no count satisfies")
	f("  type: event_count\n"+ok+"  condition: {lt: 1}\n", ReasonCorrelation, "can never hold")
	f("  type: event_count\n"+ok+"  condition: {eq: 2.5}\n", ReasonCorrelation, "whole number")
	f("  type: event_count\n"+ok+"  condition: {about: 3}\n", ReasonCorrelation, "want gt, gte")
	f("  type: event_count\n"+ok+"  condition: {gte: many}\n", ReasonCorrelation, "not a count")
	f("  type: temporal\n"+ok+"  condition: {gte: 2}\n", ReasonCorrelation, "never hold with 1 rules")
	f("  type: temporal\n"+ok+"  condition: 'a and b'\n", ReasonCorrelation, "expression condition")
	f("  type: temporal_ordered\n  rules: [a, b]\n  timespan: 5m\n  condition: {gte: 1}\n", ReasonCorrelation, "in order")
	f("  type: temporal\n"+ok+"  aliases:\n    ip:\n      zz: source.ip\n", ReasonCorrelation, "does not name")
	f("  type: temporal\n"+ok+"  aliases: [x]\n", ReasonCorrelation, "must be a mapping")
	f("  type: temporal\n"+ok+"  generate: maybe\n", ReasonCorrelation, "true or false")
	f("  type: temporal\n"+ok+"  ordered: true\n", ReasonCorrelation, "not part of the correlation specification")
	f("  - a\n", ReasonCorrelation, "must be a mapping")
	_, err := ParseRule([]byte("title: x\ncorrelation:\n  type: temporal\n" + ok + "logsource: {product: windows}\ndetection: {s: {a: 1}, condition: s}\n"))
	if ReasonOf(err) != ReasonCorrelation {
		t.Errorf("correlation and detection in one document: %v", err)
	}
}

func TestConditionBounds(t *testing.T) {
	f := func(terms []CondTerm, lo, hi int64, ne []int64) {
		t.Helper()
		gotLo, gotHi, gotNe, err := Condition{Terms: terms}.Bounds()
		if err != nil || gotLo != lo || gotHi != hi || !reflect.DeepEqual(gotNe, ne) {
			t.Errorf("Bounds(%v) = %d, %d, %v, %v; want %d, %d, %v", terms, gotLo, gotHi, gotNe, err, lo, hi, ne)
		}
	}
	const inf = int64(1<<63 - 1)
	f([]CondTerm{{"gte", 10}}, 10, inf, nil)
	f([]CondTerm{{"gt", 10}}, 11, inf, nil)
	f([]CondTerm{{"gt", 2.5}}, 3, inf, nil)
	f([]CondTerm{{"gt", 100}, {"lte", 200}}, 101, 200, nil)
	f([]CondTerm{{"lt", 5}}, -1<<63, 4, nil)
	f([]CondTerm{{"lt", 4.5}}, -1<<63, 4, nil)
	f([]CondTerm{{"eq", 3}}, 3, 3, nil)
	f([]CondTerm{{"neq", 3}, {"gte", 1}}, 1, inf, []int64{3})
}

// A multi-document file with a chain of correlations and its base rules
// (the specification's brute-force example) loads: the correlations come
// back in Result.Correlations and the base rules compile.
func TestLoadMultiDocumentCorrelation(t *testing.T) {
	dir := t.TempDir()
	doc := `title: Brute force then success
id: 0b3f3e1c-1d0f-4c46-9b8a-3f8c1a3d2e01
correlation:
  type: temporal_ordered
  rules: [many_failed, success]
  group-by: [TargetUserName]
  timespan: 10m
level: high
---
title: Many failed logons
name: many_failed
correlation:
  type: event_count
  rules: failed
  group-by: TargetUserName
  timespan: 10m
  condition: {gte: 10}
---
title: Failed logon
name: failed
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4625}
  condition: selection
---
title: Successful logon
name: success
logsource: {product: windows, service: security}
detection:
  selection: {EventID: 4624}
  condition: selection
`
	writeFile(t, dir+"/mr_bruteforce.yml", doc)
	res, err := Load(Config{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 0 || res.Set.Len() != 2 || len(res.Correlations) != 2 {
		t.Fatalf("compiled %d, correlations %d, rejected %v", res.Set.Len(), len(res.Correlations), res.Rejected)
	}
	if res.Correlations[0].Level != "high" || res.Correlations[1].Ref() != "many_failed" || res.Correlations[0].Path == "" {
		t.Errorf("correlations = %+v, %+v", res.Correlations[0], res.Correlations[1])
	}
}

func TestFieldNames(t *testing.T) {
	f := func(ls Logsource, name string, want ...string) {
		t.Helper()
		r := &Rule{Logsource: ls}
		if got := r.FieldNames(name); !reflect.DeepEqual(got, want) {
			t.Errorf("FieldNames(%v, %s) = %v, want %v", ls, name, got, want)
		}
	}
	f(Logsource{Product: "windows", Service: "security"}, "TargetUserName",
		"winlog.event_data.TargetUserName", "winlog.user_data.TargetUserName", "TargetUserName")
	f(Logsource{Product: "windows", Service: "security"}, "Computer", "winlog.computer_name", "host.name")
	f(Logsource{Product: "windows", Category: "process_creation"}, "Image",
		"winlog.event_data.Image", "winlog.user_data.Image", "Image",
		"winlog.event_data.NewProcessName", "winlog.user_data.NewProcessName", "NewProcessName")
	f(Logsource{Category: "firewall"}, "src_ip", "source.ip", "src_ip")
	f(Logsource{Category: "firewall"}, "source.ip", "source.ip")
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}
