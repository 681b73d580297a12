package apptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// entityList is the reply of GET /api/v1/entities.
type entityList struct {
	Entities []struct {
		Type string  `json:"type"`
		Name string  `json:"name"`
		Risk float64 `json:"risk"`
	} `json:"entities"`
}

// TestEntityAnalyticsScenario is the scenario of issue 16 through the real
// binary: 14 days of history replayed in event time over HTTP NDJSON (six
// users logging in from Sweden in office hours), then kato logs in at
// 03:10 from China. An alert cites that login and the baseline it broke,
// kato is the riskiest entity and (with a risk threshold of 20) raises a
// risk alert citing those alerts and the login, the ordinary users raise
// no alert, and the baselines survive a restart.
func TestEntityAnalyticsScenario(t *testing.T) {
	v := startVigil(t, "analytics:\n  risk:\n    threshold: 20\n")
	users := []string{"kato", "anna", "bjorn", "cecilia", "david", "eva"}
	base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -15)
	loginLine := func(user string, at time.Time, ip, country string, lat, lon float64) string {
		return fmt.Sprintf(`{"@timestamp":%q,"event":{"category":"authentication","outcome":"success","action":"ssh-login"},`+
			`"user":{"name":%q},"host":{"name":"vpn01"},"source":{"ip":%q,"geo":{"country_iso_code":%q,"location":{"lat":%v,"lon":%v}}},`+
			`"message":"Accepted publickey for %s from %s"}`+"\n", at.Format(time.RFC3339Nano), user, ip, country, lat, lon, user, ip)
	}
	var history strings.Builder
	n := 0
	for d := 0; d < 14; d++ {
		date := base.AddDate(0, 0, d)
		for i, u := range users {
			h := time.Duration(8+i%3) * time.Hour
			ip := fmt.Sprintf("10.1.0.%d", i+1)
			history.WriteString(loginLine(u, date.Add(h+time.Duration(7*i)*time.Minute), ip, "SE", 59.33, 18.06))
			history.WriteString(loginLine(u, date.Add(h+5*time.Hour+time.Duration(11*i)*time.Minute), ip, "SE", 59.33, 18.06))
			n += 2
		}
	}
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(history.String())); code != 200 {
		t.Fatalf("ingest history: %d %s", code, out)
	}
	v.waitFound("user.name:*", n, 30*time.Second)
	if got := alertsOf(t, v, "limit=1000"); len(got) != 0 {
		t.Fatalf("14 days of ordinary logins raised %d alerts: %+v", len(got), got[0])
	}

	at := base.AddDate(0, 0, 14).Add(3*time.Hour + 10*time.Minute)
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(loginLine("kato", at, "203.0.113.9", "CN", 39.9, 116.4))); code != 200 {
		t.Fatalf("ingest the login: %d %s", code, out)
	}
	rows, _ := v.waitFound("user.name:kato source.geo.country_iso_code:CN", 1, 30*time.Second)
	id, _ := rows[0].Get("event.id")
	loginID, _ := id.(string)
	if loginID == "" {
		t.Fatalf("stored login has no event.id: %v", rows[0])
	}
	var country []alert.Alert
	waitFor(t, 10*time.Second, "the new-country alert", func() bool {
		country = alertsOf(t, v, "rule_id=vigil-analytics:user_new_country")
		return len(country) > 0
	})
	a := country[0]
	if a.Analytic == nil || a.Analytic.Reason != "first login from CN for kato; seen before: SE" {
		t.Fatalf("alert does not name the broken baseline: %+v %+v", a, a.Analytic)
	}
	if !slices.Equal(a.EventIDs, []string{loginID}) || !a.First.Equal(at) || !slices.Contains(a.Entities.Users, "kato") {
		t.Errorf("alert cites events %v at %v, entities %+v; want the login %s at %v", a.EventIDs, a.First, a.Entities, loginID, at)
	}
	var riskAlerts []alert.Alert
	waitFor(t, 10*time.Second, "the risk alert", func() bool {
		riskAlerts = alertsOf(t, v, "rule_id=vigil-analytics:risk")
		return len(riskAlerts) > 0
	})
	if r := riskAlerts[0]; r.Analytic == nil || !slices.Contains(r.Analytic.AlertIDs, a.ID) || !slices.Contains(r.EventIDs, loginID) ||
		!slices.Equal(r.Entities.Users, []string{"kato"}) || len(riskAlerts) != 1 {
		t.Errorf("risk alerts %+v: want one for kato citing alert %s and event %s", riskAlerts, a.ID, loginID)
	} else {
		t.Logf("risk alert: %s", r.Analytic.Reason)
	}
	all := alertsOf(t, v, "limit=1000")
	for _, al := range all {
		if !slices.Equal(al.Entities.Users, []string{"kato"}) {
			t.Errorf("an ordinary user raised an alert: %s %+v", al.RuleID, al.Entities)
		}
	}
	t.Logf("%d alerts for kato's login, e.g. %q", len(all), a.Analytic.Reason)

	var list entityList
	getJSON(t, v.url("/api/v1/entities?tenant=default&sort=risk&limit=10"), &list)
	if len(list.Entities) < len(users) || list.Entities[0].Type != "user" || list.Entities[0].Name != "kato" || list.Entities[0].Risk <= 0 {
		t.Fatalf("riskiest entities: %+v", list.Entities)
	}
	for _, e := range list.Entities[1:] {
		if e.Risk != 0 {
			t.Errorf("%s %s has risk %v", e.Type, e.Name, e.Risk)
		}
	}

	// the entity's view: baselines, risk history, timeline; then the same
	// after a restart (the baselines are kept on disk)
	detail := func() (risk float64, seen []string, history, timeline int) {
		var d struct {
			Risk      float64 `json:"risk"`
			Baselines []struct {
				Analytic string `json:"analytic"`
				Values   []struct {
					Value string `json:"value"`
				} `json:"values"`
			} `json:"baselines"`
			RiskHistory []json.RawMessage `json:"risk_history"`
			Timeline    []json.RawMessage `json:"timeline"`
		}
		getJSON(t, v.url("/api/v1/entities/user/kato"), &d)
		for _, b := range d.Baselines {
			if b.Analytic == "user_new_country" {
				for _, x := range b.Values {
					seen = append(seen, x.Value)
				}
			}
		}
		slices.Sort(seen)
		return d.Risk, seen, len(d.RiskHistory), len(d.Timeline)
	}
	risk, seen, hist, tl := detail()
	if risk != list.Entities[0].Risk || !slices.Equal(seen, []string{"CN", "SE"}) || hist == 0 || tl != 29 {
		t.Errorf("entity view: risk %v, countries %v, %d risk points, %d timeline events", risk, seen, hist, tl)
	}
	v.stop()
	v.start()
	if r2, s2, h2, _ := detail(); r2 != risk || !slices.Equal(s2, seen) || h2 != hist {
		t.Errorf("after a restart: risk %v countries %v history %d; before %v %v %d", r2, s2, h2, risk, seen, hist)
	}
	resp, err := http.Get(v.url("/api/v1/entities/user/nobody"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown entity: %s", resp.Status)
	}
}

// TestRuleAlertAddsEntityRisk: an alert of a Sigma rule adds risk to the
// host and user it names, so they lead /api/v1/entities.
func TestRuleAlertAddsEntityRisk(t *testing.T) {
	v := startVigil(t, "", "--rules", testutil.SharedData(t, "sigma/rules/windows/process_creation"))
	now := time.Now().UTC().Format(time.RFC3339Nano)
	body := fmt.Sprintf(`{"@timestamp":%q,"host":{"name":"ws01"},"user":{"name":"bob"},"event":{"code":"1"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"ws01","event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Program Files\\Java\\jdk-17\\bin\\keytool.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\bob","ProcessId":"4242"}}}`+"\n", now)
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	var list entityList
	waitFor(t, 10*time.Second, "an entity with risk", func() bool {
		getJSON(t, v.url("/api/v1/entities?sort=risk&limit=5"), &list)
		return len(list.Entities) > 0 && list.Entities[0].Risk > 0
	})
	got := map[string]float64{}
	for _, e := range list.Entities {
		got[e.Type+"/"+e.Name] = e.Risk
	}
	if got["host/ws01"] <= 0 || got["user/bob"] <= 0 {
		t.Errorf("entities after a rule alert: %+v", list.Entities)
	}
}

// TestRulesMatchAnalyticsAlerts: the alerts of analytics reach the rules
// as events (logsource product vigil, service analytics): a Sigma rule
// matches each, and a correlation counts three for one user in an hour.
func TestRulesMatchAnalyticsAlerts(t *testing.T) {
	dir := t.TempDir()
	rules := map[string]string{
		"anomaly.yml": `title: Behaviour anomaly of a user
id: 6f1d2c1e-4a57-4d3e-9d0a-0c3f1b0e7a01
name: user_anomaly
status: experimental
logsource: {product: vigil, service: analytics}
detection:
    sel:
        vigil.analytics.entity_type: user
        vigil.analytics.kind: [first_seen, rarity, travel, rate]
    condition: sel
level: low
`,
		"anomalies.yml": `title: Several behaviour anomalies of one user within an hour
id: 6f1d2c1e-4a57-4d3e-9d0a-0c3f1b0e7a02
status: experimental
correlation:
    type: event_count
    rules: [user_anomaly]
    group-by: [user.name]
    timespan: 1h
    condition: {gte: 3}
    generate: true
level: high
`,
	}
	for name, body := range rules {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	v := startVigil(t, "", "--rules", dir)
	base := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -10)
	line := func(user string, at time.Time, ip, country string) string {
		return fmt.Sprintf(`{"@timestamp":%q,"event":{"category":"authentication","outcome":"success"},"user":{"name":%q},"source":{"ip":%q,"geo":{"country_iso_code":%q}}}`+"\n",
			at.Format(time.RFC3339Nano), user, ip, country)
	}
	var b strings.Builder
	for d := 0; d < 9; d++ {
		b.WriteString(line("kato", base.AddDate(0, 0, d).Add(9*time.Hour), "10.1.0.1", "SE"))
		b.WriteString(line("anna", base.AddDate(0, 0, d).Add(10*time.Hour), "10.1.0.2", "SE"))
	}
	b.WriteString(line("kato", base.AddDate(0, 0, 9).Add(3*time.Hour+10*time.Minute), "203.0.113.9", "CN"))
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(b.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	var corr []alert.Alert
	waitFor(t, 10*time.Second, "the correlation of analytics alerts", func() bool {
		corr = alertsOf(t, v, "rule_id=6f1d2c1e-4a57-4d3e-9d0a-0c3f1b0e7a02")
		return len(corr) > 0
	})
	if c := corr[0]; c.Correlation == nil || c.Correlation.Value != 3 || c.Correlation.Group["user.name"] != "kato" {
		t.Errorf("correlation alert %+v %+v", c, c.Correlation)
	}
	single := alertsOf(t, v, "rule_id=6f1d2c1e-4a57-4d3e-9d0a-0c3f1b0e7a01")
	country := alertsOf(t, v, "rule_id=vigil-analytics:user_new_country")
	if len(single) == 0 || len(country) != 1 {
		t.Fatalf("rule alerts %d, new-country alerts %d", len(single), len(country))
	}
	cited := false
	for _, a := range single {
		cited = cited || slices.Contains(a.EventIDs, country[0].ID)
		if !slices.Equal(a.Entities.Users, []string{"kato"}) {
			t.Errorf("rule alert about %+v", a.Entities)
		}
	}
	if !cited {
		t.Errorf("no rule alert cites the analytics alert %s as its event", country[0].ID)
	}
}
