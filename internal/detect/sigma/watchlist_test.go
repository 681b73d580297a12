package sigma

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// fakeLists is a WatchlistLookup over fixed entries keyed tenant/list/key.
type fakeLists map[string]WatchlistEntry

func (f fakeLists) Lookup(tenant, list, key string) (WatchlistEntry, bool) {
	e, ok := f[tenant+"/"+list+"/"+strings.ToLower(key)]
	return e, ok
}

func TestWatchlistModifier(t *testing.T) {
	lists := fakeLists{
		"default/bad_ips/10.0.0.5":  {Value: "High", Count: 1},
		"default/failed/alice":      {Count: 7},
		"default/failed/bob":        {Count: 2},
		"acme/bad_ips/10.0.0.9":     {Value: "low"},
		"default/admins/svc-backup": {},
	}
	f := func(item string, e *event.Event, want bool) {
		t.Helper()
		rule := ruleWith("    product: windows\n    service: security\n", "  s:\n    "+item+"\n  condition: s")
		r, err := ParseRule([]byte(rule))
		if err != nil {
			t.Fatal(err)
		}
		c := NewCompiler(Config{Watchlists: lists})
		cr, err := c.Compile(r)
		if err != nil {
			t.Fatalf("compile %s: %v", item, err)
		}
		if got := len(c.NewRuleSet([]*Compiled{cr}).Match(e, nil)) == 1; got != want {
			t.Errorf("%s on %v: match = %v, want %v", item, e.Fields, got, want)
		}
	}
	sec := func(tenant string, kv ...string) *event.Event {
		e := &event.Event{Tenant: tenant}
		e.SetString("winlog.channel", "Security")
		e.Set("winlog.event_id", event.Int(4624))
		for i := 0; i+1 < len(kv); i += 2 {
			e.SetString("winlog.event_data."+kv[i], kv[i+1])
		}
		return e
	}
	f("IpAddress|watchlist: bad_ips", sec("", "IpAddress", "10.0.0.5"), true)
	f("IpAddress|watchlist: bad_ips", sec("", "IpAddress", "10.0.0.6"), false)
	f("IpAddress|watchlist: bad_ips", sec("", "TargetUserName", "x"), false)
	// tenant isolation: the list of the event's tenant
	f("IpAddress|watchlist: bad_ips", sec("acme", "IpAddress", "10.0.0.5"), false)
	f("IpAddress|watchlist: bad_ips", sec("acme", "IpAddress", "10.0.0.9"), true)
	// entry conditions
	f("IpAddress|watchlist: 'bad_ips[value=high]'", sec("", "IpAddress", "10.0.0.5"), true)
	f("IpAddress|watchlist: 'bad_ips[value=hi*]'", sec("", "IpAddress", "10.0.0.5"), true)
	f("IpAddress|watchlist: 'bad_ips[value!=high]'", sec("", "IpAddress", "10.0.0.5"), false)
	f("TargetUserName|watchlist: 'failed[count>=5]'", sec("", "TargetUserName", "alice"), true)
	f("TargetUserName|watchlist: 'failed[count>=5]'", sec("", "TargetUserName", "bob"), false)
	f("TargetUserName|watchlist: 'failed[count < 5]'", sec("", "TargetUserName", "bob"), true)
	// case-insensitive keys; a list of lists is OR
	f("TargetUserName|watchlist: [admins, failed]", sec("", "TargetUserName", "SVC-Backup"), true)
	f("TargetUserName|watchlist: [admins, 'failed[count>10]']", sec("", "TargetUserName", "alice"), false)
}

func TestWatchlistRejects(t *testing.T) {
	f := func(rule, detail string) {
		t.Helper()
		r, err := ParseRule([]byte(rule))
		if err == nil {
			_, err = NewCompiler(Config{Watchlists: fakeLists{}}).Compile(r)
		}
		if err == nil || !strings.Contains(err.Error(), detail) {
			t.Errorf("rule\n%s: %v, want an error with %q", rule, err, detail)
		}
	}
	det := func(item string) string {
		return ruleWith("    product: windows\n", "  s:\n    "+item+"\n  condition: s\n")
	}
	f(det("U|watchlist: 'bad list'"), "list name")
	f(det("U|watchlist: 'x[count>=many]'"), "count compares with a number")
	f(det("U|watchlist: 'x[value>3]'"), "value takes = or !=")
	f(det("U|watchlist: 'x[size=3]'"), "tests count or value")
	f(det("U|watchlist: 'x[count>3'"), "must end with ]")
	f(det("U|watchlist|contains: x"), "used alone")
	f(det("U|watchlist: 3"), "takes list names")
	f(det("'|watchlist': x"), "needs a field")
	wl := func(section string) string { return det("U: x") + "watchlist:\n" + section }
	f(wl("  - add: l\n"), "key names the field")
	f(wl("  - add: l\n    remove: l\n    key: U\n"), "one of add, remove, increment")
	f(wl("  - put: l\n    key: U\n"), "unknown action key")
	f(wl("  - remove: l\n    key: U\n    ttl: 1h\n"), "remove takes only a key")
	f(wl("  - add: l\n    key: U\n    by: 2\n"), "by belongs to increment")
	f(wl("  - add: l\n    key: U\n    value: a\n    value_from: V\n"), "exclude each other")
	f(wl("  - add: l\n    key: U\n    ttl: soon\n"), "ttl")
	f(wl("  alert: no\n  actions: []\n"), "true or false")
	f(wl("  actions: []\n"), "non-empty list")
	f(wl("  alert: false\n"), "no actions")
	r, err := ParseRule([]byte(det("U|watchlist: x")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCompiler(Config{}).Compile(r); ReasonOf(err) != ReasonWatchlist {
		t.Errorf("a watch-list read without a store: %v, want %s", err, ReasonWatchlist)
	}
}

func TestWatchlistActions(t *testing.T) {
	rule := ruleWith("    product: windows\n    service: security\n", "  s:\n    EventID: 4625\n  condition: s\n") + `watchlist:
  alert: false
  actions:
    - increment: failed
      key: TargetUserName
      by: 2
    - add: sources
      key: IpAddress
      value_from: TargetUserName
      ttl: 30m
    - add: seen
      key: Computer
      value: yes
    - remove: cleared
      key: TargetUserName
`
	r, err := ParseRule([]byte(rule))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewCompiler(Config{}).Compile(r); err != nil {
		t.Fatal(err)
	}
	spec := r.Watchlist
	if spec.Alert || len(spec.Actions) != 4 {
		t.Fatalf("spec = %+v", spec)
	}
	want := []WatchlistAction{
		{Op: WatchlistIncrement, List: "failed", Key: "TargetUserName", By: 2},
		{Op: WatchlistAdd, List: "sources", Key: "IpAddress", ValueFrom: "TargetUserName", TTL: 30 * time.Minute},
		{Op: WatchlistAdd, List: "seen", Key: "Computer", Value: "yes"},
		{Op: WatchlistRemove, List: "cleared", Key: "TargetUserName"},
	}
	for i := range want {
		got := spec.Actions[i]
		got.keyFields, got.valueFields = nil, nil
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("action %d = %+v, want %+v", i, got, want[i])
		}
	}
	e := &event.Event{}
	e.SetString("winlog.event_data.TargetUserName", "alice")
	e.SetString("winlog.event_data.IpAddress", "10.1.1.1")
	e.SetString("winlog.computer_name", "DC1")
	if k, ok := spec.Actions[0].KeyOf(e); !ok || k != "alice" {
		t.Errorf("key = %q, %v", k, ok)
	}
	if k, _ := spec.Actions[1].KeyOf(e); k != "10.1.1.1" || spec.Actions[1].ValueOf(e) != "alice" {
		t.Errorf("key/value = %q/%q", k, spec.Actions[1].ValueOf(e))
	}
	if k, _ := spec.Actions[2].KeyOf(e); k != "DC1" || spec.Actions[2].ValueOf(e) != "yes" {
		t.Errorf("key/value = %q/%q", k, spec.Actions[2].ValueOf(e))
	}
	if _, ok := spec.Actions[0].KeyOf(&event.Event{}); ok {
		t.Error("a key from an absent field")
	}
	// a list of actions is the short form
	r2, err := ParseRule([]byte(ruleWith("    product: linux\n", "  s:\n    a: 1\n  condition: s\n") + "watchlist:\n  - add: l\n    key: user.name\n"))
	if err != nil || !r2.Watchlist.Alert || len(r2.Watchlist.Actions) != 1 {
		t.Errorf("short form: %+v, %v", r2.Watchlist, err)
	}
}
