package sigma

import (
	"strconv"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestFitGroupsSameAsEveryGroup: for events that claim every product,
// service and category of the SigmaHQ corpus's logsources, one at a time
// and in pairs, the logsource index picks exactly the groups, in the same
// order, that testing every group with fits picks.
func TestFitGroupsSameAsEveryGroup(t *testing.T) {
	res, err := Load(Config{}, testutil.SharedData(t, "sigma"))
	if err != nil {
		t.Fatal(err)
	}
	rs := res.Set
	if len(rs.groups) < 20 {
		t.Fatalf("only %d non-Windows groups: the corpus did not load", len(rs.groups))
	}
	var events []*event.Event
	for _, g := range rs.groups {
		ls := g.ls
		e := &event.Event{}
		if ls.Product != "" {
			e.SetString("event.module", ls.Product)
		}
		if ls.Service != "" {
			e.SetString("event.dataset", ls.Product+"."+ls.Service)
		}
		if ls.Category != "" {
			e.SetString("process.name", ls.Category)
		}
		e.Set("event.category", event.List([]string{"process", "network", "web"}))
		e.Set("event.type", event.List([]string{"start"}))
		events = append(events, e)
		// and one that says a different product
		o := &event.Event{}
		o.SetString("host.os.type", "windows")
		o.SetString("event.dataset", ls.Service)
		o.SetString("dns.question.name", "example.org")
		events = append(events, o)
	}
	v := newView(rs)
	checked := 0
	for i, e := range events {
		v.reset(e)
		c := v.classify(false)
		var want []int32
		for gi, g := range rs.groups {
			if c.fits(g.ls) {
				want = append(want, int32(gi))
			}
		}
		got := v.fitGroups(&c)
		if len(got) != len(want) {
			t.Fatalf("event %d (%+v): index picks groups %v, every group %v", i, c, got, want)
		}
		for k := range got {
			if got[k] != want[k] {
				t.Fatalf("event %d (%+v): index picks groups %v, every group %v", i, c, got, want)
			}
		}
		checked += len(want)
	}
	if checked == 0 {
		t.Fatal("no event fitted any group: the test checks nothing")
	}
}

// TestFieldIDCache: the per-view cache of event field names answers what
// the rule set's table answers, for more names than it holds and for names
// that share a slot.
func TestFieldIDCache(t *testing.T) {
	c := NewCompiler(Config{})
	var names []string
	for i := 0; i < 3*nameCacheSize; i++ {
		names = append(names, "field.name."+strconv.Itoa(i))
	}
	for _, n := range names[:nameCacheSize] { // half are read by a rule
		c.accessorID([]string{n})
	}
	rs := c.NewRuleSet(nil)
	v := newView(rs)
	for round := 0; round < 3; round++ {
		for i, n := range append(names, "abc", "", "field.name.x") {
			want := int32(-1)
			if id, ok := rs.fields.ids[n]; ok {
				want = id
			}
			if got := v.fieldID(n); got != want {
				t.Fatalf("round %d, name %d %q: id %d, want %d", round, i, n, got, want)
			}
		}
	}
}
