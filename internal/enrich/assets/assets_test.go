package assets

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const hostsCSV = `# the asset register
name,ip,criticality,owner,tags,location
dc01.corp.example,10.0.0.10,critical,it-ops,domain-controller;tier0,Paris
web01,10.0.1.20;2001:db8::20,medium,web-team,dmz|public,
,10.20.0.0/16,high,ot-team,ot,Lyon
laptop-7,,low,,,
`

const usersJSON = `{"users": [
  {"user": "alice", "department": "Finance", "privileged": false, "email": "alice@corp.example", "title": "Controller"},
  {"username": "adm-bob", "department": "IT", "privileged": "yes", "tags": ["admin", "tier0"], "full_name": "Bob Admin"},
  {"user": "carol", "criticality": "critical", "cost_center": 4711}
]}`

func write(t *testing.T, dir, name, data string, stamp time.Time) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(p, stamp, stamp)
	return p
}

func newTest(t *testing.T) (*Enricher, string, string) {
	t.Helper()
	dir := t.TempDir()
	stamp := time.Now().Add(-time.Hour)
	hp := write(t, dir, "hosts.csv", hostsCSV, stamp)
	up := write(t, dir, "users.json", usersJSON, stamp)
	a, err := New(Options{Hosts: []string{hp}, Users: []string{up}, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return a, hp, up
}

func TestEnrich(t *testing.T) {
	a, _, _ := newTest(t)
	if inv := a.Inventory(); inv.Hosts() != 4 || inv.Users() != 3 {
		t.Fatalf("loaded %d hosts, %d users", inv.Hosts(), inv.Users())
	}
	f := func(fields map[string]event.Value, want map[string]string) {
		t.Helper()
		e := &event.Event{}
		for k, v := range fields {
			e.Set(k, v)
		}
		a.Enrich(e)
		for k, w := range want {
			v, ok := e.Get(k)
			got := v.Text()
			if v.Kind() == event.KindList {
				got = strings.Join(v.List(), "|")
			}
			if w == "" && ok || w != "" && got != w {
				t.Errorf("%v: %s = %q (present %v), want %q", fields, k, got, ok, w)
			}
		}
	}
	ip := func(s string) event.Value { return event.IP(netip.MustParseAddr(s)) }
	str := event.String
	f(map[string]event.Value{"host.name": str("DC01"), "user.name": str("CORP\\alice")},
		map[string]string{"vigil.asset.host.name": "dc01.corp.example", "vigil.asset.host.criticality": "critical",
			"vigil.asset.host.owner": "it-ops", "vigil.asset.host.tags": "domain-controller|tier0", "vigil.asset.host.location": "Paris",
			"vigil.identity.department": "Finance", "vigil.identity.privileged": "false", "vigil.identity.title": "Controller",
			"user.email": "alice@corp.example", "vigil.asset.criticality": "critical"})
	f(map[string]event.Value{"source.ip": ip("198.51.100.7"), "destination.ip": ip("10.20.3.4")},
		map[string]string{"vigil.asset.destination.name": "10.20.0.0/16", "vigil.asset.destination.criticality": "high",
			"vigil.asset.source.name": "", "vigil.asset.host.name": "", "vigil.asset.criticality": "high"})
	f(map[string]event.Value{"host.ip": event.List([]string{"fe80::1", "2001:db8::20"}), "user.name": str("ADM-BOB@corp.example")},
		map[string]string{"vigil.asset.host.name": "web01", "vigil.asset.host.tags": "dmz|public", "vigil.identity.privileged": "true",
			"vigil.identity.tags": "admin|tier0", "user.full_name": "Bob Admin", "vigil.asset.criticality": "high"})
	f(map[string]event.Value{"winlog.event_data.TargetUserName": str("carol")},
		map[string]string{"vigil.identity.criticality": "critical", "vigil.identity.cost_center": "4711", "vigil.asset.criticality": "critical"})
	f(map[string]event.Value{"host.hostname": str("laptop-7.corp.example")},
		map[string]string{"vigil.asset.host.name": "laptop-7", "vigil.asset.criticality": "low"})
	f(map[string]event.Value{"host.name": str("unknown"), "user.name": str("mallory"), "source.ip": str("not-an-ip")},
		map[string]string{"vigil.asset.criticality": "", "vigil.asset.host.name": "", "vigil.identity.name": ""})
	// An event's own ECS user fields win.
	f(map[string]event.Value{"user.name": str("alice"), "user.email": str("a@other.example")},
		map[string]string{"user.email": "a@other.example"})
}

func TestInventoryErrors(t *testing.T) {
	dir := t.TempDir()
	stamp := time.Now()
	for name, data := range map[string]string{
		"nokey.csv":    "criticality,owner\nhigh,x\n",
		"badcrit.csv":  "name,criticality\nh1,extreme\n",
		"badip.csv":    "name,ip\nh1,10.0.0.300\n",
		"badjson.json": `[{"name": {"nested": true}}]`,
		"wrap.json":    `{"servers": []}`,
		"broken.json":  `[{"name": "x"`,
	} {
		p := write(t, dir, name, data, stamp)
		if _, err := New(Options{Hosts: []string{p}}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	for name, data := range map[string]string{
		"noname.csv":  "department\nIT\n",
		"badpriv.csv": "user,privileged\nbob,maybe\n",
	} {
		p := write(t, dir, name, data, stamp)
		if _, err := New(Options{Users: []string{p}}); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := New(Options{}); err == nil {
		t.Error("no inventory accepted")
	}
	if _, err := New(Options{Hosts: []string{filepath.Join(dir, "none.csv")}}); err == nil {
		t.Error("a missing file accepted")
	}
}

// TestReload changes an inventory under a running enricher.
func TestReload(t *testing.T) {
	a, hp, _ := newTest(t)
	crit := func() string {
		e := &event.Event{}
		e.SetString("host.name", "web01")
		a.Enrich(e)
		return e.GetString("vigil.asset.host.criticality")
	}
	if crit() != "medium" {
		t.Fatal("initial")
	}
	stamp := time.Now()
	write(t, filepath.Dir(hp), "hosts.csv", strings.Replace(hostsCSV, "medium,web-team", "critical,web-team", 1), stamp)
	if ok, _ := a.Reload(); ok {
		t.Fatal("reloaded a file that was still changing")
	}
	if ok, err := a.Reload(); !ok || err != nil || crit() != "critical" {
		t.Fatalf("reload: %v %v, criticality %q", ok, err, crit())
	}
	write(t, filepath.Dir(hp), "hosts.csv", "name,criticality\nweb01,extreme\n", stamp.Add(time.Second))
	a.Reload()
	if ok, err := a.Reload(); ok || err == nil || crit() != "critical" {
		t.Fatalf("a broken inventory replaced the loaded one: %v %v %q", ok, err, crit())
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a.opts.CheckInterval = time.Millisecond
	go a.Run(ctx)
	write(t, filepath.Dir(hp), "hosts.csv", hostsCSV, stamp.Add(2*time.Second))
	testutil.Poll(testutil.WaitTimeout, func() bool { return crit() == "medium" })
	if crit() != "medium" {
		t.Fatal("Run did not reload")
	}
}

// FuzzInventory checks that any inventory text either fails to parse or
// yields hosts and users that can be looked up by what identifies them.
func FuzzInventory(f *testing.F) {
	f.Add(hostsCSV, true)
	f.Add(usersJSON, false)
	f.Add(`[{"name":"h","ip":["10.0.0.1","10.1.0.0/16"],"criticality":"high"}]`, true)
	f.Add("user,privileged,tags\nbob,yes,a|b\n", false)
	f.Fuzz(func(t *testing.T, data string, hosts bool) {
		key := "users"
		if hosts {
			key = "hosts"
		}
		recs, err := parseRecords([]byte(data), key)
		if err != nil {
			return
		}
		inv := &Inventory{hostsByName: map[string]*Asset{}, users: map[string]*Identity{}}
		for _, r := range recs {
			if hosts {
				h, err := hostOf(r)
				if err != nil {
					continue
				}
				inv.addHost(h)
				if h.Name != "" && inv.HostByName(h.Name) == nil {
					t.Fatalf("host %q not found by name", h.Name)
				}
				for _, p := range h.Addrs {
					if inv.HostByIP(p.Addr()) == nil {
						t.Fatalf("host %q not found by %v", h.Name, p)
					}
				}
				if h.rank < -1 || h.rank > 3 {
					t.Fatalf("rank %d", h.rank)
				}
				continue
			}
			u, err := userOf(r)
			if err != nil {
				continue
			}
			inv.users[strings.ToLower(u.Name)] = u
			if inv.User(u.Name) == nil {
				t.Fatalf("user %q not found", u.Name)
			}
		}
	})
}

func writeFile(p, data string) error { return os.WriteFile(p, []byte(data), 0o644) }
