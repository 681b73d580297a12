package correlate

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
)

// t0 is the time hits are given relative to, in seconds.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// baseRules are detection rules a, b and c, named so correlations can
// reference them.
const baseRules = `title: A
name: a
logsource: {category: test}
detection: {s: {x: 1}, condition: s}
---
title: B
name: b
logsource: {category: test}
detection: {s: {x: 2}, condition: s}
---
title: C
name: c
id: 33333333-3333-4333-8333-333333333333
logsource: {category: test}
detection: {s: {x: 3}, condition: s}
`

// compile parses base rules and correlations from YAML and compiles them.
func compile(t testing.TB, docs string) (*Set, []error) {
	t.Helper()
	rules, errs := sigma.Parse([]byte(baseRules + "---\n" + docs))
	if len(errs) > 0 {
		t.Fatalf("parse: %v", errs)
	}
	var base, corrs []*sigma.Rule
	for _, r := range rules {
		if r.Correlation != nil {
			corrs = append(corrs, r)
		} else {
			base = append(base, r)
		}
	}
	return Compile(corrs, base)
}

func newEngine(t *testing.T, docs string, opts Options) *Engine {
	t.Helper()
	set, errs := compile(t, docs)
	if len(errs) > 0 {
		t.Fatalf("compile: %v", errs)
	}
	if opts.Lateness == 0 {
		opts.Lateness = -1
	}
	e, _, err := New(opts, set)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// hit parses "rule@seconds k=v k=v [#id] [tenant=x]".
func hit(spec string) Hit {
	parts := strings.Fields(spec)
	rule, at, _ := strings.Cut(parts[0], "@")
	sec, err := strconv.ParseFloat(at, 64)
	if err != nil {
		panic(spec)
	}
	h := Hit{Rule: rule, Tenant: event.DefaultTenant, Time: t0.Add(time.Duration(sec * float64(time.Second))).UnixNano(),
		ID: rule + "@" + at}
	for _, p := range parts[1:] {
		if id, ok := strings.CutPrefix(p, "#"); ok {
			h.ID = id
			continue
		}
		k, v, _ := strings.Cut(p, "=")
		if k == "tenant" {
			h.Tenant = v
			continue
		}
		h.Fields = append(h.Fields, Field{Name: k, Value: v})
	}
	return h
}

// describe renders a firing as "ref group v=value n=count first-last [upd]"
// with times in seconds from t0.
func describe(f Firing) string {
	var g []string
	for _, x := range f.Group {
		g = append(g, x.Value)
	}
	s := fmt.Sprintf("%s %s v=%d n=%d %g-%g", f.Corr.Ref(), strings.Join(g, ","), f.Value, f.Count,
		f.First.Sub(t0).Seconds(), f.Last.Sub(t0).Seconds())
	if f.Tenant != event.DefaultTenant {
		s += " tenant=" + f.Tenant
	}
	if f.Update {
		s += " upd"
	}
	return s
}

// run feeds hits one Process call each, then flushes when flush is set,
// and returns the firings described.
func run(e *Engine, hits []string, flush bool) []string {
	var out []string
	for _, s := range hits {
		for _, f := range e.Process([]Hit{hit(s)}) {
			out = append(out, describe(f))
		}
	}
	if flush {
		for _, f := range e.Flush() {
			out = append(out, describe(f))
		}
	}
	return out
}

func check(t *testing.T, got, want []string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("firings:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

const countRule = `title: Count
name: cnt
correlation:
  type: event_count
  rules: a
  group-by: u
  timespan: 10s
  condition: {%s}
`

func TestEventCount(t *testing.T) {
	f := func(name, cond string, hits, want []string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, fmt.Sprintf(countRule, cond), Options{})
			check(t, run(e, hits, true), want)
		})
	}
	f("gte in window", "gte: 3", []string{"a@0 u=x", "a@5 u=x", "a@9 u=x"}, []string{"cnt x v=3 n=3 0-9"})
	f("gt is gte+1", "gt: 2", []string{"a@0 u=x", "a@5 u=x", "a@9 u=x"}, []string{"cnt x v=3 n=3 0-9"})
	f("sliding window", "gte: 3", []string{"a@0 u=x", "a@5 u=x", "a@11 u=x", "a@12 u=x"}, []string{"cnt x v=3 n=3 5-12"})
	f("groups apart", "gte: 2", []string{"a@0 u=x", "a@1 u=y", "a@2 u=y"}, []string{"cnt y v=2 n=2 1-2"})
	f("other rules ignored", "gte: 2", []string{"a@0 u=x", "b@1 u=x"}, nil)
	// after firing, hits within timespan of the firing fold into its alert;
	// after that a new window starts from nothing
	f("alert folds hits", "gte: 2", []string{"a@0 u=x", "a@1 u=x", "a@5 u=x", "a@10 u=x", "a@12 u=x", "a@13 u=x"},
		[]string{"cnt x v=2 n=2 0-1", "cnt x v=2 n=3 0-5 upd", "cnt x v=2 n=4 0-10 upd", "cnt x v=2 n=2 12-13"})
	// anchored windows: evaluated when they close
	f("lt", "lt: 3", []string{"a@0 u=x", "a@4 u=x", "a@20 u=x", "a@21 u=x", "a@22 u=x"}, []string{"cnt x v=2 n=2 0-4"})
	f("eq", "eq: 2", []string{"a@0 u=x", "a@4 u=x", "a@5 u=y"}, []string{"cnt x v=2 n=2 0-4"})
	f("range", "gt: 1, lte: 3", []string{"a@0 u=x", "a@1 u=x", "a@2 u=x", "a@3 u=x", "a@4 u=y", "a@5 u=y"},
		[]string{"cnt y v=2 n=2 4-5"})
	f("neq", "neq: 2", []string{"a@0 u=x", "a@1 u=x", "a@2 u=y"}, []string{"cnt y v=1 n=1 2-2"})
}

func TestValueCount(t *testing.T) {
	const rule = `title: Scan
name: scan
correlation:
  type: value_count
  rules: a
  group-by: src
  timespan: 60s
  condition: {field: port, %s}
`
	f := func(name, cond string, hits, want []string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, fmt.Sprintf(rule, cond), Options{})
			check(t, run(e, hits, true), want)
		})
	}
	f("distinct", "gte: 3", []string{"a@0 src=s port=80", "a@1 src=s port=80", "a@2 src=s port=443", "a@3 src=s port=22"},
		[]string{"scan s v=3 n=3 1-3"}) // port 80 counts with its latest hit
	f("old values slide out", "gte: 3", []string{"a@0 src=s port=80", "a@50 src=s port=443", "a@70 src=s port=22", "a@71 src=s port=80"},
		[]string{"scan s v=3 n=3 50-71"})
	f("a repeated value moves up", "gte: 3", []string{"a@0 src=s port=80", "a@55 src=s port=443", "a@58 src=s port=80", "a@65 src=s port=22"},
		[]string{"scan s v=3 n=3 55-65"})
	f("no value no count", "gte: 2", []string{"a@0 src=s", "a@1 src=s port=1"}, nil)
	f("anchored lte", "lte: 2", []string{"a@0 src=s port=1", "a@1 src=s port=2", "a@2 src=s port=2", "a@3 src=t port=1",
		"a@4 src=t port=2", "a@5 src=t port=3"}, []string{"scan s v=2 n=2 0-2"})
}

func TestTemporal(t *testing.T) {
	const rule = `title: Recon
name: recon
correlation:
  type: temporal
  rules: [a, b, c]
  group-by: h
  timespan: 10s
%s`
	f := func(name, cond string, hits, want []string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, fmt.Sprintf(rule, cond), Options{Lateness: 10 * time.Second})
			check(t, run(e, hits, true), want)
		})
	}
	f("all three", "", []string{"a@0 h=w", "b@3 h=w", "a@4 h=w", "33333333-3333-4333-8333-333333333333@6 h=w"},
		[]string{"recon w v=3 n=3 3-6"})
	f("too far apart", "", []string{"a@0 h=w", "b@3 h=w", "33333333-3333-4333-8333-333333333333@20 h=w", "a@22 h=w", "b@25 h=w"},
		[]string{"recon w v=3 n=3 20-25"})
	f("out of order within lateness", "  condition: {gte: 2}\n", []string{"b@30 h=w", "a@25 h=w"}, []string{"recon w v=2 n=2 25-30"})
	f("two of three", "  condition: {gte: 2}\n", []string{"a@0 h=w", "a@1 h=w", "b@9 h=w"}, []string{"recon w v=2 n=2 1-9"})
	f("hosts apart", "", []string{"a@0 h=w", "b@1 h=v", "33333333-3333-4333-8333-333333333333@2 h=w"}, nil)
}

func TestTemporalOrdered(t *testing.T) {
	const rule = `title: Then
name: then
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: u
  timespan: 10s
`
	f := func(name string, opts Options, hits, want []string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			e := newEngine(t, rule, opts)
			check(t, run(e, hits, true), want)
		})
	}
	f("in order", Options{}, []string{"a@0 u=x", "b@4 u=x"}, []string{"then x v=2 n=2 0-4"})
	f("wrong order", Options{}, []string{"b@0 u=x", "a@2 u=x"}, nil)
	f("later start wins", Options{}, []string{"a@0 u=x", "a@8 u=x", "b@15 u=x"}, []string{"then x v=2 n=2 8-15"})
	f("too slow", Options{}, []string{"a@0 u=x", "b@11 u=x"}, nil)
	// b arrives before a but is later in event time: with lateness the
	// chain is completed from b's stored hit
	f("out of order within lateness", Options{Lateness: 30 * time.Second}, []string{"b@20 u=x", "a@18 u=x"},
		[]string{"then x v=2 n=2 18-20"})
	f("beyond lateness", Options{Lateness: time.Second}, []string{"b@20 u=x", "a@18 u=x"}, nil)
}

func TestLateness(t *testing.T) {
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 3"), Options{Lateness: 5 * time.Second})
	got := run(e, []string{"a@100 u=x", "a@94 u=x", "a@96 u=x", "a@97 u=x"}, false)
	check(t, got, []string{"cnt x v=3 n=3 96-100"})
	if st := e.Stats(); st.Late != 1 || st.Hits != 4 {
		t.Errorf("stats = %+v, want 1 late of 4", st)
	}
	// groups (and so watermarks) are per tenant
	e = newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{Lateness: 5 * time.Second})
	got = run(e, []string{"a@100 u=x tenant=t1", "a@10 u=x tenant=t2", "a@11 u=x tenant=t2", "a@10 u=x tenant=t1"}, false)
	check(t, got, []string{"cnt x v=2 n=2 10-11 tenant=t2"})
	if st := e.Stats(); st.Late != 1 {
		t.Errorf("late = %d, want 1", st.Late)
	}
}

func TestChainAndAliases(t *testing.T) {
	const chain = `title: Brute force then success
name: bf
correlation:
  type: temporal_ordered
  rules: [many, b]
  group-by: [user, ip]
  timespan: 60s
  aliases:
    user: {many: user, b: TargetUserName}
    ip: {many: ip, b: IpAddress}
---
title: Many failures
name: many
correlation:
  type: event_count
  rules: a
  group-by: [user, ip]
  timespan: 60s
  condition: {gte: 3}
`
	e := newEngine(t, chain, Options{})
	var got []Firing
	for _, s := range []string{"a@0 user=bob ip=10.0.0.1", "a@1 user=bob ip=10.0.0.1", "b@2 TargetUserName=bob IpAddress=10.0.0.1",
		"a@3 user=bob ip=10.0.0.1", "b@5 TargetUserName=bob IpAddress=10.0.0.2", "b@6 TargetUserName=bob IpAddress=10.0.0.1"} {
		got = append(got, e.Process([]Hit{hit(s)})...)
	}
	var desc []string
	for _, f := range got {
		desc = append(desc, describe(f))
	}
	check(t, desc, []string{"many bob,10.0.0.1 v=3 n=3 0-3", "bf bob,10.0.0.1 v=2 n=2 3-6"})
	outer := got[1]
	if want := []string{"a@0", "a@1", "a@3", "b@6"}; strings.Join(outer.EventIDs, " ") != strings.Join(want, " ") {
		t.Errorf("event ids = %v, want %v", outer.EventIDs, want)
	}
	if len(outer.AlertIDs) != 1 || outer.AlertIDs[0] != got[0].ID || len(got[0].ID) != event.IDLen {
		t.Errorf("alert ids = %v, want [%s]", outer.AlertIDs, got[0].ID)
	}
	en := outer.Entities()
	if strings.Join(en.Users, ",") != "bob" || strings.Join(en.SourceIPs, ",") != "10.0.0.1" {
		t.Errorf("entities = %+v", en)
	}
}

func TestAliasesAcrossFields(t *testing.T) {
	const rule = `title: Error then connection back
name: back
correlation:
  type: temporal
  rules: [a, b]
  group-by: [internal_ip]
  timespan: 10s
  aliases:
    internal_ip:
      a: destination.ip
      b: source.ip
`
	e := newEngine(t, rule, Options{})
	got := run(e, []string{"a@0 destination.ip=10.1.1.1 source.ip=8.8.8.8", "b@2 source.ip=10.1.1.2", "b@3 source.ip=10.1.1.1"}, false)
	check(t, got, []string{"back 10.1.1.1 v=2 n=2 0-3"})
}

func TestGenerate(t *testing.T) {
	set, errs := compile(t, `title: Outer
name: outer
correlation:
  type: temporal
  rules: [inner, b]
  timespan: 1m
---
title: Inner
name: inner
correlation:
  type: event_count
  rules: a
  timespan: 1m
  condition: {gte: 2}
---
title: Generating
correlation:
  type: event_count
  rules: 33333333-3333-4333-8333-333333333333
  timespan: 1m
  condition: {gte: 2}
  generate: true
`)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	byRef := map[string]*sigma.Rule{}
	for _, r := range set.base {
		byRef[r.ref] = nil
	}
	emits := map[string]bool{}
	for r, b := range set.base {
		emits[r.Ref()] = set.Emits(r)
		_ = b
	}
	// a feeds inner and b feeds outer, neither generates; c feeds a
	// correlation that does
	if emits["a"] || emits["b"] || !emits["33333333-3333-4333-8333-333333333333"] {
		t.Errorf("emits = %v", emits)
	}
	for _, c := range set.Correlations() {
		if want := c.Ref() != "inner"; c.Emits() != want {
			t.Errorf("%s emits = %v, want %v", c.Ref(), c.Emits(), want)
		}
	}
	if !set.Emits(&sigma.Rule{Title: "unreferenced"}) {
		t.Error("an unreferenced rule does not emit")
	}
}

func TestCompileRejects(t *testing.T) {
	f := func(docs, detail string, compiled int) {
		t.Helper()
		set, errs := compile(t, docs)
		if len(errs) == 0 || !strings.Contains(errs[0].Error(), detail) || sigma.ReasonOf(errs[0]) != sigma.ReasonCorrelation {
			t.Errorf("compile\n%s: %v, want %q", docs, errs, detail)
		}
		if set.Len() != compiled {
			t.Errorf("compiled %d correlations, want %d", set.Len(), compiled)
		}
	}
	f("title: X\ncorrelation: {type: temporal, rules: [a, nope], timespan: 1m}\n", `rule "nope" is not loaded`, 0)
	f("title: X\nname: x\ncorrelation: {type: temporal, rules: [a, y], timespan: 1m}\n---\ntitle: Y\nname: y\ncorrelation: {type: temporal, rules: [b, x], timespan: 1m}\n",
		"cycle", 0)
	f("title: X\nname: x\ncorrelation: {type: temporal, rules: [a, x], timespan: 1m}\n", "references itself", 0)
	f("title: X\ncorrelation: {type: temporal, rules: [y, b], group-by: [host], timespan: 1m}\n---\ntitle: Y\nname: y\ncorrelation: {type: event_count, rules: [a], group-by: [user], timespan: 1m, condition: {gte: 2}}\n",
		`field "host" is not a group-by field of referenced correlation "y"`, 1)
	f("title: X\ncorrelation: {type: temporal, rules: [a, b], timespan: 1m}\n---\ntitle: X2\nname: a\nlogsource: {category: t}\ndetection: {s: {x: 1}, condition: s}\n",
		"ambiguous", 0)
}

func TestProjectReadsRuleFields(t *testing.T) {
	rules, errs := sigma.Parse([]byte(`title: Failed
name: failed
logsource: {product: windows, service: security}
detection: {s: {EventID: 4625}, condition: s}
---
title: BF
correlation: {type: event_count, rules: failed, group-by: [TargetUserName, IpAddress], timespan: 5m, condition: {gte: 10}}
`))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	set, cerrs := Compile(rules[1:], rules[:1])
	if len(cerrs) > 0 {
		t.Fatal(cerrs)
	}
	e := &event.Event{ID: "e1", Tenant: "acme"}
	e.SetString("winlog.event_data.TargetUserName", "bob")
	e.Set("winlog.event_data.IpAddress", event.String("10.0.0.7"))
	h, ok := set.Project(rules[0], e, t0)
	if !ok || h.Rule != "failed" || h.Tenant != "acme" || h.ID != "e1" || h.Time != t0.UnixNano() ||
		fmt.Sprint(h.Fields) != "[{TargetUserName bob} {IpAddress 10.0.0.7}]" {
		t.Errorf("hit = %+v, %v", h, ok)
	}
	if _, ok := set.Project(&sigma.Rule{}, e, t0); ok {
		t.Error("projected a rule no correlation references")
	}
}

func TestMissingGroupField(t *testing.T) {
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{})
	check(t, run(e, []string{"a@0", "a@1", "a@2 u=x"}, true), nil)
	if st := e.Stats(); st.Missing != 2 || st.Hits != 3 {
		t.Errorf("stats = %+v", st)
	}
}

func TestEvictionUnderCaps(t *testing.T) {
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{MaxKeysPerRule: 3})
	// five groups in time order: the two oldest are evicted
	run(e, []string{"a@0 u=g0", "a@1 u=g1", "a@2 u=g2", "a@3 u=g3", "a@4 u=g4"}, false)
	st := e.Stats()
	if st.Groups != 3 || st.Evictions != 2 {
		t.Fatalf("stats = %+v, want 3 groups, 2 evictions", st)
	}
	// g0 lost its first hit, g4 kept it
	check(t, run(e, []string{"a@5 u=g0", "a@6 u=g4"}, false), []string{"cnt g4 v=2 n=2 4-6"})
	// the total cap, across correlations and tenants
	e = newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{MaxKeys: 2})
	run(e, []string{"a@0 u=x tenant=t1", "a@1 u=y tenant=t2", "a@2 u=z tenant=t1"}, false)
	if st := e.Stats(); st.Groups != 2 || st.Evictions != 1 {
		t.Fatalf("stats = %+v, want 2 groups, 1 eviction", st)
	}
}

// A group is dropped once the tenant's event time has passed its last
// hit by timespan plus lateness and, live, as much wall time has passed
// since its last hit.
func TestExpiryFreesGroups(t *testing.T) {
	now := t0
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 5"), Options{Lateness: time.Second, Now: func() time.Time { return now }})
	run(e, []string{"a@0 u=x", "a@1 u=y"}, false)
	run(e, []string{"a@100 u=z"}, false)
	if st := e.Stats(); st.Groups != 3 {
		t.Errorf("groups = %d with no wall time passed, want 3", st.Groups)
	}
	now = now.Add(11 * time.Second)
	run(e, []string{"a@101 u=z"}, false)
	if st := e.Stats(); st.Groups != 1 {
		t.Errorf("groups = %d after event and wall time passed the others, want 1", st.Groups)
	}
	// offline, event time alone decides
	e = newEngine(t, fmt.Sprintf(countRule, "gte: 5"), Options{Lateness: time.Second, Offline: true})
	run(e, []string{"a@0 u=x", "a@1 u=y", "a@100 u=z"}, false)
	if st := e.Stats(); st.Groups != 1 {
		t.Errorf("offline groups = %d, want 1", st.Groups)
	}
}

// A replay, event time running far ahead of a wall clock that stands
// still, holds at most MaxLeaseGroups groups past their event-time
// deadline (plus those its event time still needs), not every group it
// made; a late host hit all along keeps its group and fires.
func TestReplayHoldsBoundedGroups(t *testing.T) {
	const bound, n = 100, 20_000
	now := t0
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 3"), Options{Lateness: time.Second, MaxLeaseGroups: bound,
		Now: func() time.Time { return now }})
	var got []string
	behind := 10
	for i := range n {
		hits := []string{fmt.Sprintf("a@%d u=g%d", 1000+i, i)}
		if i%50 == 49 && behind < 13 {
			hits = append(hits, fmt.Sprintf("a@%d u=behind", behind))
			behind++
		}
		got = append(got, run(e, hits, false)...)
		// the timespan (10s) and lateness (1s) of event time keep 12 groups
		if st := e.Stats(); st.Groups > bound+12 {
			t.Fatalf("after %d hits: %d groups, want at most %d", i+1, st.Groups, bound+12)
		}
	}
	check(t, got, []string{"cnt behind v=3 n=3 10-12"})
	if st := e.Stats(); st.Late != 0 || st.Evictions != 0 {
		t.Errorf("stats = %+v, want no late hits and no evictions", st)
	}
}

// A host whose events arrive far behind the others' (a shipper's backlog)
// is not late: lateness is judged within each group.
func TestLaggingSourceIsNotLate(t *testing.T) {
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 3"), Options{Lateness: 5 * time.Second})
	got := run(e, []string{"a@3600 u=fresh", "a@10 u=behind", "a@3601 u=fresh", "a@11 u=behind", "a@12 u=behind"}, false)
	check(t, got, []string{"cnt behind v=3 n=3 10-12"})
	if st := e.Stats(); st.Late != 0 {
		t.Errorf("late = %d, want 0", st.Late)
	}
}

func TestTickClosesQuietWindows(t *testing.T) {
	now := t0
	e := newEngine(t, fmt.Sprintf(countRule, "lt: 5"), Options{Lateness: 2 * time.Second, Now: func() time.Time { return now }})
	run(e, []string{"a@0 u=x", "a@1 u=x"}, false)
	now = now.Add(5 * time.Second)
	if fs := e.Tick(); len(fs) != 0 {
		t.Fatalf("fired %v before the window's end", fs)
	}
	now = now.Add(10 * time.Second)
	var got []string
	for _, f := range e.Tick() {
		got = append(got, describe(f))
	}
	check(t, got, []string{"cnt x v=2 n=2 0-1"})
}

func TestSetRulesKeepsUnchangedState(t *testing.T) {
	docs := fmt.Sprintf(countRule, "gte: 3")
	e := newEngine(t, docs, Options{})
	run(e, []string{"a@0 u=x", "a@1 u=x"}, false)
	same, _ := compile(t, strings.Replace(docs, "title: Count", "title: Count renamed", 1))
	e.SetRules(same)
	check(t, run(e, []string{"a@2 u=x"}, false), []string{"cnt x v=3 n=3 0-2"})
	changed, _ := compile(t, fmt.Sprintf(countRule, "gte: 4"))
	run(e, []string{"a@30 u=y", "a@31 u=y", "a@32 u=y"}, false)
	e.SetRules(changed)
	if st := e.Stats(); st.Groups != 0 {
		t.Errorf("groups = %d after the rule changed, want 0", st.Groups)
	}
}

func TestOfflineFlushAndFiringIDs(t *testing.T) {
	e := newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{})
	a := e.Process([]Hit{hit("a@0 u=x"), hit("a@1 u=x")})
	e2 := newEngine(t, fmt.Sprintf(countRule, "gte: 2"), Options{})
	b := e2.Process([]Hit{hit("a@0 u=x"), hit("a@1 u=x")})
	if len(a) != 1 || len(b) != 1 || a[0].ID != b[0].ID {
		t.Errorf("ids %v and %v: the same window must get the same alert id", a, b)
	}
	if len(a[0].EventIDs) != 2 || a[0].EventIDs[0] != "a@0" {
		t.Errorf("event ids = %v", a[0].EventIDs)
	}
}
