package incident_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/incident"
)

func TestGrouping(t *testing.T) {
	db := openDB(t)
	f := func(name string, cfg incident.Config, batches [][]alert.Alert, want ...string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			// Each case gets its own tenant names by prefixing, so one
			// database serves all cases.
			st := openStore(t, db)
			tenants := map[string]bool{}
			for _, b := range batches {
				for i := range b {
					if b[i].Tenant == "acme" {
						b[i].Tenant = name
					} else {
						b[i].Tenant = name + "-" + b[i].Tenant
					}
					tenants[b[i].Tenant] = true
					b[i].ID = name + "/" + b[i].ID
				}
			}
			m := newManager(t, st, cfg)
			for _, b := range batches {
				write(t, m, b...)
			}
			var tn []string
			for k := range tenants {
				tn = append(tn, k)
			}
			got := groups(t, m, tn...)
			for i := range got {
				got[i] = strings.ReplaceAll(got[i], name+"/", "")
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("groups = %q, want %q", got, want)
			}
		})
	}
	def := incident.Config{}
	one := func(as ...alert.Alert) [][]alert.Alert { return [][]alert.Alert{as} }
	each := func(as ...alert.Alert) [][]alert.Alert {
		var bs [][]alert.Alert
		for _, a := range as {
			bs = append(bs, []alert.Alert{a})
		}
		return bs
	}
	f("host", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 5, "h:ws1")), "a1,a2")
	f("apart", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 5, "h:ws2")), "a1", "a2")
	f("user", def, each(al("a1", "high", 0, "h:ws1 u:bob"), al("a2", "low", 5, "h:ws2 u:bob")), "a1,a2")
	f("src-dst", def, each(al("a1", "high", 0, "s:10.0.0.5 d:10.1.1.1"), al("a2", "low", 5, "s:10.2.2.2 d:10.0.0.5")), "a1,a2")
	f("ipv4-mapped", def, each(al("a1", "high", 0, "s:10.0.0.5"), al("a2", "low", 5, "d:::ffff:10.0.0.5")), "a1,a2")
	f("case", def, each(al("a1", "high", 0, "h:WS1.corp"), al("a2", "low", 5, "h:ws1.CORP")), "a1,a2")
	f("no-entities", def, each(al("a1", "high", 0, ""), al("a2", "low", 5, "")), "a1", "a2")
	f("in-window", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 59, "h:ws1")), "a1,a2")
	f("past-window", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 61, "h:ws1")), "a1", "a2")
	f("sliding", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 50, "h:ws1"), al("a3", "low", 100, "h:ws1")), "a1,a2,a3")
	f("before", def, each(al("a1", "high", 60, "h:ws1"), al("a2", "low", 1, "h:ws1"), al("a3", "low", -60, "h:ws1")), "a1,a2", "a3")
	f("window-config", incident.Config{Window: 10 * time.Minute},
		each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 9, "h:ws1"), al("a3", "low", 20, "h:ws1")), "a1,a2", "a3")
	f("max-span", incident.Config{Window: time.Hour, MaxSpan: 2 * time.Hour},
		each(al("a1", "low", 0, "h:ws1"), al("a2", "low", 50, "h:ws1"), al("a3", "low", 100, "h:ws1"),
			al("a4", "low", 150, "h:ws1"), al("a5", "low", 200, "h:ws1")), "a1,a2,a3", "a4,a5")
	f("merge", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 1, "u:bob"), al("a3", "low", 2, "h:ws1 u:bob")), "a1,a2,a3")
	f("merge-three", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 1, "u:bob"), al("a3", "low", 2, "s:10.9.9.9"),
		al("a4", "low", 3, "h:ws1 u:bob s:10.9.9.9")), "a1,a2,a3,a4")
	f("merge-in-batch", def, one(al("a1", "high", 0, "h:ws1"), al("a2", "low", 1, "u:bob"), al("a3", "low", 2, "h:ws1 u:bob")), "a1,a2,a3")
	f("ignored", def, each(al("a1", "high", 0, "h:ws1 u:SYSTEM s:127.0.0.1"), al("a2", "low", 1, "h:ws2 u:system s:127.0.0.1")), "a1", "a2")
	f("ignore-config", incident.Config{Ignore: []string{"bob"}},
		each(al("a1", "high", 0, "h:ws1 u:bob"), al("a2", "low", 1, "h:ws2 u:BOB"), al("a3", "low", 2, "h:ws3 u:system")), "a1", "a2", "a3")
	f("ignore-none", incident.Config{Ignore: []string{}}, each(al("a1", "high", 0, "u:system"), al("a2", "low", 1, "u:system")), "a1,a2")
	f("link-users", incident.Config{LinkBy: []string{config.LinkUsers}},
		each(al("a1", "high", 0, "h:ws1 u:alice"), al("a2", "low", 1, "h:ws1 u:bob"), al("a3", "low", 2, "h:ws9 u:bob")), "a1", "a2,a3")
	f("tenants", def, each(al("a1", "high", 0, "h:ws1"), al("a2", "low", 1, "h:ws1 t:other"), al("a3", "low", 2, "h:ws1 t:other")), "a1", "a2,a3")
	f("batch-order", def, one(al("a2", "low", 5, "h:ws1"), al("a1", "high", 0, "h:ws1"), al("a3", "low", 200, "h:ws1")), "a1,a2", "a3")
	f("duplicate-in-batch", def, one(al("a1", "low", 0, "h:ws1"), al("a1", "low", 0, "h:ws1")), "a1")
}

func TestFoldedUpdates(t *testing.T) {
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	ctx := context.Background()
	a1 := al("a1", "medium", 0, "h:ws1 u:bob")
	write(t, m, a1, al("a2", "low", 1, "h:ws1"))
	// The folder sends a1 again with a higher count and a later last time,
	// alone and twice in one batch.
	a1.Count, a1.Last, a1.EventIDs = 7, t0.Add(30*time.Minute), []string{"ev-a1", "ev-a1b"}
	write(t, m, a1)
	a1.Count = 9
	write(t, m, a1, a1)
	inc := find(t, m, "acme", "a1")
	if inc.AlertCount != 2 || len(inc.AlertIDs) != 2 || !inc.Last.Equal(t0.Add(30*time.Minute)) {
		t.Errorf("incident after updates = %+v, want 2 alerts and last = t0+30m", inc)
	}
	if inc.Rules[0].Alerts != 1 {
		t.Errorf("rules = %+v: an update counted as a new alert", inc.Rules)
	}
	d, err := m.Get(ctx, "acme", inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Alerts) != 2 || d.Alerts[0].ID != "a1" || d.Alerts[0].Count != 9 || len(d.Alerts[0].EventIDs) != 2 {
		t.Errorf("alerts = %+v, want a1 once with count 9", d.Alerts)
	}
	var alertEntries int
	for _, e := range d.Timeline {
		if e.Kind == incident.EntryAlert {
			alertEntries++
		}
	}
	if alertEntries != 2 {
		t.Errorf("timeline has %d alert entries, want 2: %+v", alertEntries, d.Timeline)
	}
	if q := d.Timeline[0].Alert.EventsQuery; q != `event.id:("ev-a1" OR "ev-a1b")` {
		t.Errorf("events query = %s", q)
	}
}

func TestClosedIncidentTakesNoAlerts(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	a1 := al("a1", "high", 0, "h:ws1")
	write(t, m, a1)
	inc := find(t, m, "acme", "a1")
	closed := incident.StatusClosed
	if _, err := m.Update(ctx, "acme", inc.ID, incident.Patch{Status: &closed, Author: "ann"}); err != nil {
		t.Fatal(err)
	}
	write(t, m, al("a2", "high", 5, "h:ws1"))
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1", "a2"}) {
		t.Fatalf("groups = %q, want a2 apart from the closed incident", got)
	}
	// A folded update of a1 stays in the closed incident, which stays closed.
	a1.Count, a1.Last = 3, t0.Add(6*time.Minute)
	write(t, m, a1)
	again := find(t, m, "acme", "a1")
	if again.ID != inc.ID || again.Status != incident.StatusClosed || again.AlertCount != 1 {
		t.Errorf("closed incident after an update = %+v", again)
	}
	d, _ := m.Get(ctx, "acme", inc.ID)
	if len(d.Alerts) != 1 || d.Alerts[0].Count != 3 {
		t.Errorf("alerts of the closed incident = %+v, want a1 with count 3", d.Alerts)
	}
	// Reopened, it takes alerts again.
	open := incident.StatusInProgress
	if _, err := m.Update(ctx, "acme", inc.ID, incident.Patch{Status: &open}); err != nil {
		t.Fatal(err)
	}
	write(t, m, al("a3", "low", 7, "h:ws1"))
	// a3 links both the reopened incident and a2's: they merge into the older.
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1,a2,a3"}) {
		t.Errorf("groups = %q, want one incident after the reopen", got)
	}
}

func TestMergeKeepsTriage(t *testing.T) {
	ctx := context.Background()
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	write(t, m, al("a1", "low", 0, "h:ws1"))
	write(t, m, al("a2", "critical", 1, "u:bob"))
	older, newer := find(t, m, "acme", "a1"), find(t, m, "acme", "a2")
	inProgress, who, note := incident.StatusInProgress, "carol", "looking"
	if _, err := m.Update(ctx, "acme", newer.ID, incident.Patch{Status: &inProgress, Assignee: &who, Comment: &note, Author: "carol"}); err != nil {
		t.Fatal(err)
	}
	write(t, m, al("a3", "medium", 2, "h:ws1 u:bob"))
	s := find(t, m, "acme", "a3")
	if s.ID != older.ID || s.Status != incident.StatusInProgress || s.Assignee != "carol" || s.Severity != "critical" || s.AlertCount != 3 {
		t.Errorf("survivor = %+v", s)
	}
	if s.Title != "Rule a2 (+2 more rules)" {
		t.Errorf("title = %q", s.Title)
	}
	d, err := m.Get(ctx, "acme", newer.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != incident.StatusClosed || d.MergedInto != older.ID || len(d.Alerts) != 0 || d.AlertCount != 0 {
		t.Errorf("merged incident = %+v", d.Incident)
	}
	if last := d.Timeline[len(d.Timeline)-1]; last.Kind != incident.EntryMergedInto || last.Incident != older.ID {
		t.Errorf("merged incident's timeline ends with %+v", last)
	}
	if len(d.Comments) != 1 || d.Comments[0].Text != "looking" {
		t.Errorf("merged incident's comments = %+v", d.Comments)
	}
	// Its status cannot change; comments still go.
	reopen := incident.StatusNew
	if _, err := m.Update(ctx, "acme", newer.ID, incident.Patch{Status: &reopen}); !errors.Is(err, incident.ErrConflict) {
		t.Errorf("reopening a merged incident: %v, want ErrConflict", err)
	}
	sd, _ := m.Get(ctx, "acme", older.ID)
	if len(sd.Alerts) != 3 {
		t.Errorf("survivor has %d alerts, want 3", len(sd.Alerts))
	}
	var merged bool
	for _, e := range sd.Timeline {
		merged = merged || (e.Kind == incident.EntryMergedFrom && e.Incident == newer.ID)
	}
	if !merged {
		t.Errorf("survivor's timeline has no merge: %+v", sd.Timeline)
	}
	// a2 is updated by its folder: it is found in the survivor, not duplicated.
	a2 := al("a2", "critical", 1, "u:bob")
	a2.Count = 4
	write(t, m, a2)
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1,a2,a3"}) {
		t.Errorf("groups = %q", got)
	}
}

func TestRestartKeepsGrouping(t *testing.T) {
	db := openDB(t)
	m1 := newManager(t, openStore(t, db), incident.Config{})
	write(t, m1, al("a1", "high", 0, "s:203.0.113.7"))
	// A new manager over the same tables, as after a restart.
	m2 := newManager(t, openStore(t, db), incident.Config{})
	write(t, m2, al("a2", "high", 10, "s:203.0.113.7 h:web1"))
	if got := groups(t, m2); !reflect.DeepEqual(got, []string{"a1,a2"}) {
		t.Errorf("groups after restart = %q", got)
	}
}

// failing fails Apply while fail is set.
type failing struct {
	incident.Store
	fail bool
}

func (f *failing) Apply(ctx context.Context, ch *incident.Changes) error {
	if f.fail {
		return errors.New("disk on fire")
	}
	return f.Store.Apply(ctx, ch)
}

func TestFailedWriteLeavesNoTrace(t *testing.T) {
	st := &failing{Store: openStore(t, openDB(t))}
	m := newManager(t, st, incident.Config{})
	write(t, m, al("a1", "high", 0, "h:ws1"))
	st.fail = true
	if err := m.WriteAlerts(context.Background(), []alert.Alert{al("a2", "high", 1, "h:ws1 u:bob"), al("a3", "low", 2, "u:bob")}); err == nil {
		t.Fatal("no error from a failed store")
	}
	st.fail = false
	// Had the failed batch left a3 or bob in memory, a4 would join it.
	write(t, m, al("a4", "low", 3, "u:bob"))
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1", "a4"}) {
		t.Errorf("groups = %q, want the failed batch forgotten", got)
	}
	// The failed alerts, sent again, group as they would have.
	write(t, m, al("a2", "high", 1, "h:ws1 u:bob"), al("a3", "low", 2, "u:bob"))
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1,a2,a3,a4"}) {
		t.Errorf("groups = %q", got)
	}
}

func TestRejectsBadAlerts(t *testing.T) {
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	bad := al("", "high", 0, "h:ws1")
	evil := al("e1", "high", 0, "h:ws1")
	evil.Tenant = "' OR 1=1 --"
	err := m.WriteAlerts(context.Background(), []alert.Alert{bad, evil, al("a1", "high", 0, "h:ws1")})
	if err == nil || !strings.Contains(err.Error(), "2 alerts rejected") {
		t.Errorf("err = %v, want 2 rejected", err)
	}
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1"}) {
		t.Errorf("groups = %q, want the good alert grouped", got)
	}
}

func TestNotices(t *testing.T) {
	n := &notes{}
	m := newManager(t, openStore(t, openDB(t)), incident.Config{Notify: n})
	write(t, m, al("a1", "low", 0, "h:ws1"))
	write(t, m, al("a2", "low", 1, "h:ws1"))
	write(t, m, al("a3", "high", 2, "h:ws1"), al("b1", "medium", 2, "h:other"))
	got := n.take()
	want := []string{"opened low a1", "escalated high a1,a2,a3", "opened medium b1"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("notices = %q, want %q", got, want)
	}
}

func TestDefaultTenantAndTimes(t *testing.T) {
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})
	a := al("a1", "weird", 0, "h:ws1")
	a.Tenant, a.First = "", time.Time{}
	write(t, m, a)
	inc := find(t, m, "default", "a1")
	if inc.Severity != "informational" || !inc.First.Equal(a.Last) {
		t.Errorf("incident = %+v", inc)
	}
}

// The end-to-end scenarios at the level of alerts, with alerts made
// by the alert folder from events as the normalisers write them.
func TestScenarios(t *testing.T) {
	ctx := context.Background()
	ev := func(id string, at time.Duration, fields ...string) *event.Event {
		e := &event.Event{ID: id, Tenant: "acme", Timestamp: t0.Add(at)}
		for i := 0; i+1 < len(fields); i += 2 {
			e.SetString(fields[i], fields[i+1])
		}
		return e
	}
	folder := alert.NewFolder(0)
	m := newManager(t, openStore(t, openDB(t)), incident.Config{})

	// (a) A port scan from 198.51.100.7 seen by the firewall (a correlation
	// alert grouped by source.ip), then directory traversal from the same
	// address in the web server's access log; meanwhile unrelated noise.
	scan := alert.Alert{ID: "corr-scan", Tenant: "acme", RuleID: "portscan", Title: "Port scan from one address", Level: "medium",
		First: t0, Last: t0.Add(40 * time.Second), Count: 25, Entities: alert.Entities{SourceIPs: []string{"198.51.100.7"}}}
	write(t, m, scan)
	trav := folder.Add([]alert.Match{{RuleID: "traversal", Title: "Path traversal in URL", Level: "high",
		Event: ev("web-1", 2*time.Minute, "host.name", "web01", "source.ip", "198.51.100.7", "url.original", "/../../etc/passwd")}})
	noise := folder.Add([]alert.Match{{RuleID: "traversal", Title: "Path traversal in URL", Level: "high",
		Event: ev("web-2", 3*time.Minute, "host.name", "web02", "source.ip", "192.0.2.44")}})
	write(t, m, append(trav, noise...)...)
	inc := find(t, m, "acme", "corr-scan")
	if inc.AlertCount != 2 || !slices.Contains(inc.AlertIDs, trav[0].ID) || inc.Severity != "high" {
		t.Errorf("scenario a: incident = %+v, want the scan and the traversal", inc)
	}
	if other := find(t, m, "acme", noise[0].ID); other.ID == inc.ID {
		t.Error("scenario a: unrelated traversal joined the incident")
	}

	// (b) Ten failed logons (4625) for bob from 203.0.113.50 on DC01, the
	// correlation's alert, then the successful logon (4624).
	var fails []alert.Match
	for i := range 10 {
		fails = append(fails, alert.Match{RuleID: "win-failed-logon", Title: "Failed logon", Level: "low",
			Event: ev(fmt.Sprint("4625-", i), 2*time.Hour+time.Duration(i)*10*time.Second, "winlog.computer_name", "DC01",
				"winlog.event_data.TargetUserName", "bob", "winlog.event_data.IpAddress", "203.0.113.50")})
	}
	failed := folder.Add(fails)
	success := folder.Add([]alert.Match{{RuleID: "win-logon", Title: "Successful logon", Level: "informational",
		Event: ev("4624-1", 2*time.Hour+2*time.Minute, "winlog.computer_name", "DC01", "winlog.event_data.TargetUserName", "bob",
			"winlog.event_data.IpAddress", "203.0.113.50")}})
	brute := alert.Alert{ID: "corr-brute", Tenant: "acme", RuleID: "bruteforce-success", Title: "Brute force then successful logon",
		Level: "critical", First: t0.Add(2 * time.Hour), Last: t0.Add(2*time.Hour + 2*time.Minute), Count: 1,
		Entities: alert.Entities{Users: []string{"bob"}, SourceIPs: []string{"203.0.113.50"}}}
	write(t, m, append(failed, success...)...)
	write(t, m, brute)
	b := find(t, m, "acme", "corr-brute")
	if len(failed) != 1 || failed[0].Count != 10 || b.AlertCount != 3 || b.Severity != "critical" ||
		b.Title != "Brute force then successful logon (+2 more rules)" {
		t.Errorf("scenario b: incident = %+v (failed %+v)", b, failed)
	}
	d, err := m.Get(ctx, "acme", b.ID)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(d.Timeline, func(e incident.Entry) bool { return e.Alert != nil && e.Alert.RuleID == "win-failed-logon" })
	if len(d.Timeline) != 3 || i < 0 || d.Timeline[i].Alert.Count != 10 || !strings.Contains(d.Timeline[i].Alert.EventsQuery, `"4625-9"`) ||
		d.Timeline[2].Alert.RuleID != "win-logon" {
		t.Errorf("scenario b: timeline = %+v", d.Timeline)
	}
	if got := groups(t, m); len(got) != 3 {
		t.Errorf("incidents = %q, want scenario a, its noise and scenario b", got)
	}
}

// TestReplayAfterRestartCountsOnce: the alert log applies its unacknowledged
// tail again after a crash; alerts already stored update their copies (the
// store's rows are replaced, not inserted twice) and nothing is counted twice.
func TestReplayAfterRestartCountsOnce(t *testing.T) {
	db := openDB(t)
	batch := []alert.Alert{al("a1", "high", 0, "h:ws1"), al("a2", "low", 1, "h:ws1"), al("a3", "low", 2, "h:ws9")}
	write(t, newManager(t, openStore(t, db), incident.Config{}), batch...)
	m := newManager(t, openStore(t, db), incident.Config{})
	write(t, m, append(batch, al("a4", "low", 3, "h:ws1"))...)
	if got := groups(t, m); !reflect.DeepEqual(got, []string{"a1,a2,a4", "a3"}) {
		t.Errorf("groups after replay = %q", got)
	}
	if inc := find(t, m, "acme", "a1"); inc.AlertCount != 3 {
		t.Errorf("alert count after replay = %d, want 3", inc.AlertCount)
	}
}
