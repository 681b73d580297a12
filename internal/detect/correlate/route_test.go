package correlate

import (
	"errors"
	"fmt"
	"testing"
)

// twoRules: rule a feeds a count per user and a count per host.
var twoRules = fmt.Sprintf(countRule, "gte: 2") + `---
title: PerHost
name: ph
correlation:
  type: event_count
  rules: a
  group-by: h
  timespan: 10s
  condition: {gte: 2}
`

func TestRouteAndProcessFor(t *testing.T) {
	e := newEngine(t, twoRules, Options{})
	h := hit("a@0 u=x h=web")
	var routes []string
	e.set.Route(&h, nil, func(c *Corr, group []byte) {
		routes = append(routes, c.Ref()+"/"+string(decodeGroup(c, string(group))[0].Value))
	})
	if fmt.Sprint(routes) != "[cnt/x ph/web]" {
		t.Fatalf("routes %v", routes)
	}
	noHost := hit("a@0 u=x")
	routes = routes[:0]
	e.set.Route(&noHost, nil, func(c *Corr, _ []byte) { routes = append(routes, c.Ref()) })
	if fmt.Sprint(routes) != "[cnt]" {
		t.Fatalf("a hit without h routes to %v", routes)
	}
	// fed to cnt only, two hits fire cnt and not ph
	key := e.set.Lookup(e.set.Correlations()[0].Key).Key
	fs, err := e.ProcessFor(key, []Hit{hit("a@0 u=x h=web"), hit("a@1 u=x h=web")})
	if err != nil {
		t.Fatal(err)
	}
	check(t, describeAll(fs), []string{"cnt x v=2 n=2 0-1"})
	if s := e.Stats(); s.Groups != 1 {
		t.Fatalf("groups %d, want 1 (ph untouched)", s.Groups)
	}
}

func describeAll(fs []Firing) []string {
	var out []string
	for _, f := range fs {
		out = append(out, describe(f))
	}
	return out
}

func TestStateRestore(t *testing.T) {
	docs := fmt.Sprintf(countRule, "gte: 3")
	a := newEngine(t, docs, Options{})
	run(a, []string{"a@0 u=x", "a@1 u=x"}, false)
	b := newEngine(t, docs, Options{})
	if err := b.Restore(a.State()); err != nil {
		t.Fatal(err)
	}
	check(t, run(b, []string{"a@2 u=x"}, false), []string{"cnt x v=3 n=3 0-2"})
	if err := b.Restore(a.State()); err == nil {
		t.Fatal("restore into an engine holding state succeeded")
	}
	c := newEngine(t, docs, Options{})
	if err := c.Restore([]byte("junk")); !errors.Is(err, errCorrupt) {
		t.Fatalf("restore junk: %v", err)
	}
	d, _ := openAt(t, t.TempDir(), docs)
	defer d.Close()
	if _, err := d.ProcessFor("x", nil); !errors.Is(err, ErrHitLog) {
		t.Fatalf("ProcessFor with a hit log: %v", err)
	}
}

func TestChained(t *testing.T) {
	if newEngine(t, twoRules, Options{}).set.Chained() {
		t.Fatal("set without chains reports Chained")
	}
	chain := fmt.Sprintf(countRule, "gte: 2") + `---
title: Outer
name: outer
correlation:
  type: temporal
  rules: [cnt, b]
  group-by: u
  timespan: 1m
`
	if !newEngine(t, chain, Options{}).set.Chained() {
		t.Fatal("set with a chain does not report Chained")
	}
}

// TestRouteChains: an engine with RouteChains leaves the firings of an
// inner correlation to its caller; routed as ChainHits (Set.Route,
// ProcessFor) to another engine, they fire the outer correlation as one
// engine does.
func TestRouteChains(t *testing.T) {
	chain := fmt.Sprintf(countRule, "gte: 2") + `---
title: Outer
name: outer
correlation:
  type: temporal
  rules: [cnt, b]
  group-by: u
  timespan: 1m
`
	hits := []string{"a@0 u=x", "a@1 u=x", "b@2 u=x"}
	one := newEngine(t, chain, Options{})
	want := run(one, hits, false)
	check(t, want, []string{"cnt x v=2 n=2 0-1", "outer x v=2 n=2 1-2"})

	inner := newEngine(t, chain, Options{RouteChains: true})
	outer := newEngine(t, chain, Options{RouteChains: true})
	var got []string
	feed := func(e *Engine, h Hit) []Firing {
		var fs []Firing
		e.set.Route(&h, nil, func(c *Corr, _ []byte) {
			f, err := e.ProcessFor(c.Key, []Hit{h})
			if err != nil {
				t.Fatal(err)
			}
			fs = append(fs, f...)
		})
		return fs
	}
	for _, s := range hits {
		h := hit(s)
		e := inner
		if h.Rule == "b" {
			e = outer
		}
		for _, f := range feed(e, h) {
			got = append(got, describe(f))
			ch, ok := f.ChainHit()
			if !ok {
				continue
			}
			// what a routed record carries, decoded into a fresh hit
			ids, chained := ch.Chain()
			if !chained || len(ids) != 2 || ch.ID != f.ID {
				t.Fatalf("chain hit %+v of firing %s", ch, f.ID)
			}
			var dec Hit
			dec.Rule, dec.Tenant, dec.Time, dec.ID, dec.Fields = ch.Rule, ch.Tenant, ch.Time, ch.ID, ch.Fields
			dec.SetChain(true, ids)
			for _, f := range feed(outer, dec) {
				got = append(got, describe(f))
			}
		}
	}
	check(t, got, want)
	if s := inner.Stats(); s.Groups != 1 {
		t.Errorf("the inner engine holds %d groups, want 1 (cnt only: it fed outer nothing)", s.Groups)
	}
	if fs := feed(inner, hit("a@3 u=y")); len(fs) != 0 {
		t.Errorf("firings %v", describeAll(fs))
	}
	var plain Hit
	plain.SetChain(true, []string{"e"})
	plain.SetChain(false, []string{"e"})
	if ids, chained := plain.Chain(); chained || ids != nil {
		t.Errorf("SetChain(false) left %v %v", ids, chained)
	}
}
