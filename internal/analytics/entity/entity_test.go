package entity

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

var users = []string{"kato", "anna", "bjorn", "cecilia", "david", "eva"}

// TestNewCountryAfterHistory is the scenario of issue 16 on the engine:
// 14 days of office-hour logins from Sweden, then kato at 03:10 from China.
func TestNewCountryAfterHistory(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	officeHistory(t, e, users, 14)
	if len(c.alerts) != 0 {
		t.Fatalf("history raised alerts:%s", reasons(c.alerts))
	}
	bad := login("Kato", day0.AddDate(0, 0, 14).Add(3*time.Hour+10*time.Minute), "203.0.113.9", beijing)
	write(t, e, bad)
	got := c.byRule("user_new_country")
	if len(got) != 1 {
		t.Fatalf("new-country alerts: %d, want 1; all:%s", len(got), reasons(c.alerts))
	}
	a := got[0]
	if want := "first login from CN for kato; seen before: SE"; a.Analytic.Reason != want {
		t.Errorf("reason %q, want %q", a.Analytic.Reason, want)
	}
	if !slices.Equal(a.EventIDs, []string{bad.ID}) || !slices.Equal(a.Analytic.Baseline, []string{"SE"}) || a.Analytic.Value != "CN" {
		t.Errorf("alert cites %v, baseline %v, value %q", a.EventIDs, a.Analytic.Baseline, a.Analytic.Value)
	}
	if a.Level != "medium" || a.Tenant != "acme" || !slices.Equal(a.Entities.Users, []string{"Kato"}) || !a.First.Equal(bad.Timestamp) {
		t.Errorf("alert %+v", a)
	}
	if h := c.byRule("user_rare_login_hour"); len(h) != 1 || !strings.Contains(h[0].Analytic.Reason, "hour (UTC) 03 for kato") {
		t.Errorf("rare-hour alerts:%s", reasons(h))
	}
	if ip := c.byRule("user_new_source_ip"); len(ip) != 1 {
		t.Errorf("new-address alerts:%s", reasons(ip))
	}
	for _, al := range c.alerts {
		if !slices.Equal(al.Entities.Users, []string{"Kato"}) {
			t.Errorf("an ordinary user alerted: %s", reasons([]alert.Alert{al}))
		}
	}
	list, err := e.List("acme", SortRisk, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 3 || list[0].Name != "kato" || list[0].Type != "user" || list[0].Risk <= 0 || list[1].Risk != 0 {
		t.Fatalf("riskiest entities: %+v", list)
	}
	// 15 (medium) + 5 (low hour) + 1 (informational address)
	if list[0].Risk != 21 {
		t.Errorf("kato's risk %v, want 21", list[0].Risk)
	}
	d, ok := e.Entity("acme", "user", "KATO")
	if !ok || len(d.RiskHistory) != 3 || len(d.Baselines) == 0 {
		t.Fatalf("entity detail: %+v", d)
	}
	var countries []string
	for _, b := range d.Baselines {
		if b.Analytic == "user_new_country" {
			for _, v := range b.Values {
				countries = append(countries, v.Value)
			}
			if b.Learning {
				t.Errorf("country baseline still learning after 14 days")
			}
		}
	}
	slices.Sort(countries)
	if !slices.Equal(countries, []string{"CN", "SE"}) {
		t.Errorf("country baseline %v", countries)
	}
}

// TestLearningPeriod: a new value within the learning period teaches
// and does not alert.
func TestLearningPeriod(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	officeHistory(t, e, users[:1], 3)
	write(t, e, login("kato", day0.AddDate(0, 0, 3).Add(9*time.Hour), "10.1.0.1", beijing))
	if len(c.byRule("user_new_country")) != 0 {
		t.Fatalf("alert in the learning period:%s", reasons(c.alerts))
	}
	write(t, e, login("kato", day0.AddDate(0, 0, 9).Add(9*time.Hour), "10.1.0.1", beijing))
	if len(c.byRule("user_new_country")) != 0 {
		t.Fatalf("CN was learned in the learning period, yet alerted:%s", reasons(c.alerts))
	}
	write(t, e, login("kato", day0.AddDate(0, 0, 9).Add(10*time.Hour), "10.1.0.1", newYork))
	if got := c.byRule("user_new_country"); len(got) != 1 || got[0].Analytic.Reason != "first login from US for kato; seen before: SE, CN" {
		t.Fatalf("after learning:%s", reasons(got))
	}
}

func TestImpossibleTravel(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	t0 := day0.Add(9 * time.Hour)
	write(t, e, login("kato", t0, "10.1.0.1", stockholm))
	write(t, e, login("kato", t0.Add(time.Hour), "10.1.0.1", gothenburg)) // 400 km: GeoIP is coarse
	write(t, e, login("kato", t0.Add(2*time.Hour), "198.51.100.7", newYork))
	got := c.byRule("user_impossible_travel")
	if len(got) != 1 {
		t.Fatalf("travel alerts:%s", reasons(c.alerts))
	}
	if a := got[0].Analytic; a.Score < 5000 || !strings.Contains(a.Reason, "kato logged in from US 1h0m0s after SE") || a.Baseline[0] != "SE" {
		t.Errorf("travel alert %+v", a)
	}
	c.reset()
	write(t, e, login("kato", t0.Add(30*time.Hour), "10.1.0.1", stockholm)) // 28 h later: possible
	if got := c.byRule("user_impossible_travel"); len(got) != 0 {
		t.Fatalf("possible travel alerted:%s", reasons(got))
	}
}

// TestRateAnomaly: three weeks of 1-3 failed logins an hour in office
// hours, with one noisy hour, then 80 in one hour.
func TestRateAnomaly(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	fail := func(at time.Time) *event.Event {
		ev := login("kato", at, "10.1.0.1", stockholm)
		ev.SetString("event.outcome", "failure")
		return ev
	}
	for d := 0; d < 21; d++ {
		for h := 8; h < 17; h++ {
			n := 1 + (d+h)%3
			if d == 3 && h == 10 {
				n = 30 // one noisy hour in the history: robust statistics ignore it
			}
			for i := 0; i < n; i++ {
				write(t, e, fail(day0.AddDate(0, 0, d).Add(time.Duration(h)*time.Hour+time.Duration(i)*time.Minute)))
			}
		}
	}
	if len(c.alerts) != 0 {
		t.Fatalf("history raised:%s", reasons(c.alerts))
	}
	start := day0.AddDate(0, 0, 22).Add(10 * time.Hour)
	for i := 0; i < 80; i++ {
		write(t, e, fail(start.Add(time.Duration(i)*30*time.Second)))
	}
	got := c.byRule("user_failure_rate")
	if len(got) != 1 {
		t.Fatalf("rate alerts: %d:%s", len(got), reasons(c.alerts))
	}
	a := got[0].Analytic
	if a.Value != "31" || a.Score < 6 || !strings.Contains(a.Reason, "failed logins count of kato in the hour from Tue 10:00") {
		t.Errorf("rate alert %+v", a)
	}
	// the next hour is ordinary again
	c.reset()
	for i := 0; i < 2; i++ {
		write(t, e, fail(start.Add(time.Hour+time.Duration(i)*time.Minute)))
	}
	if got := c.byRule("user_failure_rate"); len(got) != 0 {
		t.Fatalf("ordinary hour alerted:%s", reasons(got))
	}
}

func TestRareProcessByPeers(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	proc := func(host, name string, at time.Time) *event.Event {
		ev := &event.Event{Timestamp: at, Tenant: "acme", ID: fmt.Sprintf("p-%s-%s-%d", host, name, at.Unix())}
		ev.SetString("event.category", "process")
		ev.SetString("host.name", host)
		ev.SetString("process.name", name)
		ev.SetString("process.executable", `C:\Windows\`+name)
		ev.SetString("process.parent.name", "explorer.exe")
		return ev
	}
	for d := 0; d < 10; d++ {
		for h := 0; h < 5; h++ {
			write(t, e, proc(fmt.Sprintf("ws%d", h), "chrome.exe", day0.AddDate(0, 0, d).Add(9*time.Hour)))
		}
	}
	if len(c.alerts) != 0 {
		t.Fatalf("history:%s", reasons(c.alerts))
	}
	write(t, e, proc("ws1", "rclone.exe", day0.AddDate(0, 0, 10).Add(11*time.Hour)))
	if got := c.byRule("host_rare_process"); len(got) != 1 || !strings.Contains(got[0].Analytic.Reason, "by 0 other host(s)") {
		t.Fatalf("rare process:%s", reasons(c.alerts))
	}
	if got := c.byRule("host_new_process"); len(got) != 1 {
		t.Fatalf("new process:%s", reasons(c.alerts))
	}
	if got := c.byRule("host_new_parent_child"); len(got) != 1 || got[0].Analytic.Value != "explorer.exe → rclone.exe" {
		t.Fatalf("new pair:%s", reasons(c.alerts))
	}
	c.reset()
	write(t, e, proc("ws2", "chrome.exe", day0.AddDate(0, 0, 10).Add(12*time.Hour)))
	if len(c.alerts) != 0 {
		t.Fatalf("a common program alerted:%s", reasons(c.alerts))
	}
}

func TestNewAdminGroupMember(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	add := func(member string, at time.Time) {
		ev := &event.Event{Timestamp: at, Tenant: "acme", ID: "g-" + member}
		ev.SetString("event.code", "4732")
		ev.SetString("winlog.event_data.TargetUserName", "Administrators")
		ev.SetString("winlog.event_data.MemberName", member)
		write(t, e, ev)
	}
	add("CN=svc_backup", day0)
	add("CN=svc_backup", day0.Add(time.Hour))
	add("CN=mallory", day0.Add(2*time.Hour))
	got := c.byRule("group_new_admin_member")
	if len(got) != 2 || got[1].Analytic.Reason != "first member CN=mallory for administrators; seen before: CN=svc_backup" {
		t.Fatalf("admin members:%s", reasons(got))
	}
}

// TestRisk: contributions decay over event time; crossing the threshold
// raises one risk alert citing the contributing alerts and events; an
// updated (folded) alert counts once.
func TestRisk(t *testing.T) {
	e, c := newEngine(t, config.Analytics{Risk: config.Risk{Threshold: 50, HalfLife: config.Duration(time.Hour)}}, "")
	t0 := day0.Add(9 * time.Hour)
	ruleAlert := func(id, level string, at time.Time) alert.Alert {
		return alert.Alert{ID: id, Tenant: "acme", RuleID: "r-" + id, Title: "rule " + id, Level: level, First: at, Last: at,
			EventIDs: []string{"ev-" + id}, Entities: alert.Entities{Users: []string{"Mallory"}, Hosts: []string{"ws1"}}}
	}
	if out := e.AddAlerts([]alert.Alert{ruleAlert("a1", "high", t0)}); len(out) != 0 {
		t.Fatalf("30 points fired: %+v", out)
	}
	// the same alert again (folded): still 30
	if out := e.AddAlerts([]alert.Alert{ruleAlert("a1", "high", t0)}); len(out) != 0 {
		t.Fatal("an updated alert counted twice")
	}
	// two half-lives later 30 → 7.5; + 30 = 37.5: below 50
	if out := e.AddAlerts([]alert.Alert{ruleAlert("a2", "high", t0.Add(2*time.Hour))}); len(out) != 0 {
		t.Fatalf("decayed risk fired: %+v", out)
	}
	d, _ := e.Entity("acme", "user", "mallory")
	if d.Risk != 37.5 {
		t.Errorf("risk %v, want 37.5", d.Risk)
	}
	out := e.AddAlerts([]alert.Alert{ruleAlert("a3", "medium", t0.Add(2*time.Hour))})
	if len(out) != 2 { // the user and the host
		t.Fatalf("risk alerts: %+v", out)
	}
	r := out[0]
	if r.RuleID != RuleIDPrefix+"risk" || r.Level != "high" || !slices.Equal(r.Analytic.AlertIDs, []string{"a1", "a2", "a3"}) ||
		!slices.Equal(r.EventIDs, []string{"ev-a1", "ev-a2", "ev-a3"}) || r.Analytic.Score != 52.5 {
		t.Errorf("risk alert %+v %+v", r, r.Analytic)
	}
	// no second alert while it stays high
	if out := e.AddAlerts([]alert.Alert{ruleAlert("a4", "low", t0.Add(2*time.Hour))}); len(out) != 0 {
		t.Errorf("fired twice: %+v", out)
	}
	// analytics' own alerts are not counted again through the sink
	own := ruleAlert("own", "critical", t0)
	own.RuleID = RuleIDPrefix + "user_new_country"
	if out := e.AddAlerts([]alert.Alert{own}); len(out) != 0 {
		t.Error("own alert counted")
	}
	if len(c.alerts) != 0 {
		t.Errorf("AddAlerts wrote alerts itself: %v", reasons(c.alerts))
	}
}

// TestRiskWeights: criticality and privilege raise an anomaly's points.
func TestRiskWeights(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{}, "")
	officeHistory(t, e, []string{"root", "plain"}, 8)
	for _, u := range []string{"root", "plain"} {
		ev := login(u, day0.AddDate(0, 0, 8).Add(9*time.Hour), fmt.Sprintf("10.1.0.%d", 1+len(u)), newYork)
		if u == "root" {
			ev.SetString("vigil.asset.criticality", "critical")
			ev.Set("vigil.identity.privileged", event.Bool(true))
		}
		write(t, e, ev)
	}
	root, _ := e.Entity("acme", "user", "root")
	plain, _ := e.Entity("acme", "user", "plain")
	if plain.Risk == 0 || root.Risk < 2.9*plain.Risk {
		t.Errorf("risk of privileged user on a critical asset %v, of a plain one %v", root.Risk, plain.Risk)
	}
}

func TestSnapshotRestart(t *testing.T) {
	dir := t.TempDir()
	e, _ := newEngine(t, config.Analytics{}, dir)
	officeHistory(t, e, users, 14)
	write(t, e, login("anna", day0.AddDate(0, 0, 14).Add(9*time.Hour), "198.51.100.7", newYork))
	before, _ := e.Entity("acme", "user", "anna")
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, c := newEngine(t, config.Analytics{}, dir)
	after, ok := e2.Entity("acme", "user", "anna")
	if !ok || after.Risk != before.Risk || len(after.Baselines) != len(before.Baselines) || len(after.RiskHistory) != len(before.RiskHistory) {
		t.Fatalf("after restart: %+v\nbefore: %+v", after, before)
	}
	write(t, e2, login("kato", day0.AddDate(0, 0, 14).Add(3*time.Hour+10*time.Minute), "203.0.113.9", beijing))
	if got := c.byRule("user_new_country"); len(got) != 1 || got[0].Analytic.Reason != "first login from CN for kato; seen before: SE" {
		t.Fatalf("the restored baseline did not alert:%s", reasons(c.alerts))
	}

	// a damaged snapshot is moved aside and the engine starts empty
	p := filepath.Join(dir, snapshotFile)
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	e3, _ := newEngine(t, config.Analytics{}, dir)
	<-e3.Ready()
	if n := e3.Stats().Entities; n != 0 {
		t.Errorf("a truncated snapshot restored %d entities", n)
	}
	if _, err := os.Stat(p + ".bad"); err != nil {
		t.Errorf("truncated snapshot not kept aside: %v", err)
	}
}

// TestBounds: entities are capped, and so are values per entity.
func TestBounds(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{MaxEntities: shards * 4, MaxValues: 3}, "")
	for i := 0; i < 5000; i++ {
		write(t, e, login(fmt.Sprintf("u%d", i), day0.Add(time.Duration(i)*time.Second), "10.0.0.1", stockholm))
	}
	if st := e.Stats(); st.Entities > shards*4 || st.Evicted == 0 {
		t.Errorf("entities %d (cap %d), evicted %d", st.Entities, shards*4, st.Evicted)
	}
	for i := 0; i < 50; i++ {
		write(t, e, login("many", day0.Add(time.Duration(i)*time.Hour), fmt.Sprintf("10.0.1.%d", i), stockholm))
	}
	d, _ := e.Entity("acme", "user", "many")
	for _, b := range d.Baselines {
		if len(b.Values) > 3 {
			t.Errorf("%s keeps %d values", b.Analytic, len(b.Values))
		}
	}
}

func TestListSortsAndBounds(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{}, "")
	at := day0.Add(9 * time.Hour)
	for i, u := range []string{"c", "a", "b"} {
		e.AddAlerts([]alert.Alert{{ID: u, Tenant: "acme", Level: []string{"low", "high", "medium"}[i], First: at, Entities: alert.Entities{Users: []string{u}}}})
	}
	e.AddAlerts([]alert.Alert{{ID: "other", Tenant: "globex", Level: "critical", First: at, Entities: alert.Entities{Users: []string{"z"}}}})
	l, _ := e.List("acme", "", 2)
	if len(l) != 2 || l[0].Name != "a" || l[1].Name != "b" {
		t.Errorf("by risk: %+v", l)
	}
	l, _ = e.List("acme", SortName, 10)
	if len(l) != 3 || l[0].Name != "a" || l[2].Name != "c" {
		t.Errorf("by name: %+v", l)
	}
	if _, err := e.List("acme", "size", 10); err == nil {
		t.Error("unknown sort accepted")
	}
}

func TestConfigRules(t *testing.T) {
	off := false
	cfg := config.Analytics{Defaults: &off, Rules: []config.AnalyticRule{{Name: "x", Kind: "first_seen", Entity: "user", Key: []string{"user.name"},
		Value: []string{"source.ip"}, Filter: "event.code:4624"}}}
	e, _ := newEngine(t, cfg, "")
	if len(e.analytics) != 1 || e.analytics[0].cfg.Level != "low" {
		t.Errorf("analytics %+v", e.analytics)
	}
	bad := config.Analytics{Rules: []config.AnalyticRule{{Name: "x", Kind: "first_seen", Entity: "user", Key: []string{"user.name"},
		Value: []string{"source.ip"}, Filter: "event.code:(4624"}}}
	_ = bad.Validate()
	if _, err := New(Options{Config: bad, Logger: quiet}, &collector{}); err == nil || !strings.Contains(err.Error(), "analytic x: filter") {
		t.Errorf("bad filter: %v", err)
	}
	for _, r := range []config.AnalyticRule{
		{Name: "k", Kind: "median", Entity: "user", Key: []string{"a"}},
		{Name: "r", Kind: "rarity", Entity: "user", Key: []string{"a"}, Value: []string{"b"}},
		{Name: "m", Kind: "rate", Measure: "sum", Entity: "user", Key: []string{"a"}},
	} {
		c := config.Analytics{Rules: []config.AnalyticRule{r}}
		if err := c.Validate(); err == nil {
			t.Errorf("rule %+v accepted", r)
		}
	}
}

func TestMedianMAD(t *testing.T) {
	m, d := medianMAD([]float64{1, 2, 3, 4, 100})
	if m != 3 || d != 1 {
		t.Errorf("median %v MAD %v", m, d)
	}
	if q := quantize(dequantize(40)); q != 40 {
		t.Errorf("quantize round trip %d", q)
	}
	if hourOfWeek(time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC).Unix()/3600) != 0 {
		t.Error("Monday 00:00 is not hour 0 of the week")
	}
}

func TestMetrics(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{}, "")
	officeHistory(t, e, users[:2], 8)
	write(t, e, login("kato", day0.AddDate(0, 0, 8).Add(9*time.Hour), "10.1.0.1", beijing))
	reg := prometheus.NewRegistry()
	reg.MustRegister(e)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		m := mf.GetMetric()[0]
		if c := m.GetCounter(); c != nil {
			got[mf.GetName()] = c.GetValue()
		} else {
			got[mf.GetName()] = m.GetGauge().GetValue()
		}
	}
	if got["vigil_analytics_entities"] != 2 || got["vigil_analytics_anomalies_total"] != 2 || got["vigil_analytics_events_total"] == 0 {
		t.Errorf("metrics %v", got)
	}
}

// TestConcurrent: pipeline workers write while the API reads and the
// snapshot is written (run with -race).
func TestConcurrent(t *testing.T) {
	e, _ := newEngine(t, config.Analytics{}, t.TempDir())
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				u := fmt.Sprintf("u%d", (i*7+w)%50)
				if err := e.Write(context.Background(), []*event.Event{login(u, day0.Add(time.Duration(i)*time.Hour), "10.0.0.1", stockholm)}); err != nil {
					t.Error(err)
				}
				e.AddAlerts([]alert.Alert{{ID: u, Tenant: "acme", Level: "low", First: day0, Entities: alert.Entities{Users: []string{u}}}})
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if _, err := e.List("acme", SortRisk, 5); err != nil {
			t.Fatal(err)
		}
		e.Entity("acme", "user", "u1")
		if err := e.Snapshot(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
}

func TestAlertEvents(t *testing.T) {
	e, c := newEngine(t, config.Analytics{}, "")
	officeHistory(t, e, users[:1], 8)
	write(t, e, login("kato", day0.AddDate(0, 0, 8).Add(9*time.Hour), "10.1.0.1", beijing))
	rule := alert.Alert{ID: "r", RuleID: "sigma-x", Analytic: &alert.Analytic{}}
	evs := AlertEvents(append(c.byRule("user_new_country"), rule))
	if len(evs) != 1 {
		t.Fatalf("%d events; a rule's alert must not come back", len(evs))
	}
	ev := evs[0]
	a := c.byRule("user_new_country")[0]
	for f, want := range map[string]string{"event.kind": "alert", "event.dataset": "vigil.analytics", "rule.id": a.RuleID,
		"vigil.analytics.name": "user_new_country", "vigil.analytics.value": "CN", "user.name": "kato",
		"message": "first login from CN for kato; seen before: SE"} {
		if got := ev.GetString(f); got != want {
			t.Errorf("%s = %q, want %q", f, got, want)
		}
	}
	if ev.ID != a.ID || !ev.Timestamp.Equal(a.First) || ev.Tenant != "acme" {
		t.Errorf("event %+v", ev)
	}
}
