package apptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// incidentsReply is the body of GET /api/v1/incidents.
type incidentsReply struct {
	Incidents []struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Severity string   `json:"severity"`
		AlertIDs []string `json:"alert_ids"`
	} `json:"incidents"`
	Total int64 `json:"total"`
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}

// sendSyslogTCP writes LF-framed syslog lines to the TCP listener.
func sendSyslogTCP(t *testing.T, addr string, lines []string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(strings.Join(lines, "\n") + "\n")); err != nil {
		t.Fatal(err)
	}
}

// bsdStamp is an RFC 3164 timestamp of t (UTC, as serve's default zone).
func bsdStamp(t time.Time) string { return t.UTC().Format("Jan _2 15:04:05") }

func alertsOf(t *testing.T, v *vigil, query string) []alert.Alert {
	t.Helper()
	var r struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	getJSON(t, v.url("/api/v1/alerts?"+query), &r)
	return r.Alerts
}

// waitFor polls cond until it holds. within is what the test expects; a
// slow machine gets testutil.WaitTimeout before the test fails.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	testutil.EventuallyWithin(t, max(within, testutil.WaitTimeout), what, cond)
}

func vigilRules(t *testing.T) string { return filepath.Join(testutil.RepoRoot(t), "rules", "vigil") }

// Scenario (a): a firewall (Cisco ASA over syslog) denies one address on
// 25 ports within a minute, then the web server (an Apache access line over
// syslog) logs a path traversal from the same address: the port-scan
// correlation, the traversal rule and the scan-then-exploit correlation
// raise three alerts, and they form exactly one incident.
func TestScenarioPortScanThenTraversal(t *testing.T) {
	v := startVigil(t, "", "--rules", vigilRules(t))
	const attacker = "203.0.113.66"
	now := time.Now().UTC()
	var lines []string
	for i := 0; i < 25; i++ {
		lines = append(lines, fmt.Sprintf(`<164>%s fw01 %%ASA-4-106023: Deny tcp src outside:%s/%d dst inside:10.0.0.5/%d by access-group "outside_in" [0x0, 0x0]`,
			bsdStamp(now.Add(time.Duration(i)*time.Second)), attacker, 40000+i, 20+i))
	}
	sendSyslogTCP(t, v.syslog, lines)
	web := fmt.Sprintf(`<134>%s web01 apache2: %s - - [%s] "GET /cgi-bin/../../etc/passwd HTTP/1.1" 404 209 "-" "curl/8.5.0"`,
		bsdStamp(now.Add(40*time.Second)), attacker, now.Add(40*time.Second).Format("02/Jan/2006:15:04:05 -0700"))
	sendSyslogTCP(t, v.syslog, []string{web})

	var scan, traversal, chain []alert.Alert
	waitFor(t, 10*time.Second, "port-scan, path-traversal and scan-then-exploit alerts", func() bool {
		scan = alertsOf(t, v, "rule_id=395caec6-8223-41b0-a376-2f1fe55c86f3")
		traversal = alertsOf(t, v, "rule_id=d7806d5f-5e75-4755-ae36-ea400a203fe8")
		chain = alertsOf(t, v, "rule_id=6e7f8a9b-0c1d-4e2f-9a3b-5c6d7e8f9a23")
		return len(scan) > 0 && len(traversal) > 0 && len(chain) > 0
	})
	if len(scan) != 1 || len(traversal) != 1 || len(chain) != 1 {
		t.Fatalf("alerts: %d port scan, %d traversal, %d scan then exploit; want one each", len(scan), len(traversal), len(chain))
	}
	var inc incidentsReply
	waitFor(t, 5*time.Second, "an incident with the three alerts", func() bool {
		getJSON(t, v.url("/api/v1/incidents"), &inc)
		return len(inc.Incidents) == 1 && len(inc.Incidents[0].AlertIDs) == 3
	})
	ids := map[string]bool{}
	for _, id := range inc.Incidents[0].AlertIDs {
		ids[id] = true
	}
	if !ids[scan[0].ID] || !ids[traversal[0].ID] || !ids[chain[0].ID] {
		t.Fatalf("incident holds %v, want the port-scan alert %s and the traversal alert %s", inc.Incidents[0].AlertIDs, scan[0].ID, traversal[0].ID)
	}
	t.Logf("incident %q (%s) holds both alerts", inc.Incidents[0].Title, inc.Incidents[0].Severity)
}

// Scenario (b): ten failed Windows logons (4625) of one account from one
// address, then a successful one (4624), posted as Winlogbeat JSON: the
// brute-force-then-success correlation raises an alert in an incident.
func TestScenarioBruteForceThenSuccess(t *testing.T) {
	v := startVigil(t, "", "--rules", vigilRules(t))
	now := time.Now().UTC()
	var body strings.Builder
	logon := func(i int, code int) {
		fmt.Fprintf(&body, `{"@timestamp":%q,"host":{"name":"dc01"},"winlog":{"channel":"Security","event_id":%d,"provider_name":"Microsoft-Windows-Security-Auditing","computer_name":"dc01.corp.example","event_data":{"TargetUserName":"jdoe","TargetDomainName":"CORP","IpAddress":"198.51.100.23","IpPort":"51234","LogonType":"3"}}}`+"\n",
			now.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), code)
	}
	for i := 0; i < 10; i++ {
		logon(i, 4625)
	}
	logon(12, 4624)
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	var got []alert.Alert
	waitFor(t, 10*time.Second, "the brute-force-then-success alert", func() bool {
		got = alertsOf(t, v, "rule_id=74e859ca-ce5e-47d3-9d9c-e0f79b9d0283")
		return len(got) > 0
	})
	a := got[0]
	if len(got) != 1 || a.Level != "high" {
		t.Fatalf("alerts %+v, want one high alert", got)
	}
	var inc incidentsReply
	waitFor(t, 5*time.Second, "an incident holding the alert", func() bool {
		getJSON(t, v.url("/api/v1/incidents"), &inc)
		for _, i := range inc.Incidents {
			for _, id := range i.AlertIDs {
				if id == a.ID {
					return true
				}
			}
		}
		return false
	})
	t.Logf("alert %q on %+v, in incident %q", a.Title, a.Entities, inc.Incidents[0].Title)
}

// Scenario (c): an indicator in a STIX 2.1 bundle matches the destination
// address of a firewall event: an alert names the indicator.
func TestScenarioIntelIndicator(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.json")
	if err := os.WriteFile(bundle, []byte(`{"type":"bundle","id":"bundle--5d0092c5-5f74-4287-9642-33f4c354e56d","objects":[
 {"type":"identity","spec_version":"2.1","id":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff","name":"ACME CERT","identity_class":"organization","created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z"},
 {"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created_by_ref":"identity--f431f809-377b-45e0-aa1c-6a4751cae5ff",
  "created":"2026-01-01T00:00:00Z","modified":"2026-01-01T00:00:00Z","name":"C2 server","pattern":"[ipv4-addr:value = '192.0.2.200']",
  "pattern_type":"stix","valid_from":"2026-01-01T00:00:00Z","confidence":85}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf("enrich:\n  intel:\n    feeds:\n      - {name: cert-stix, format: stix, path: %q}\n", bundle))
	sendSyslogTCP(t, v.syslog, []string{fmt.Sprintf(`<166>%s fw01 %%ASA-6-302013: Built outbound TCP connection 77 for outside:192.0.2.200/443 (192.0.2.200/443) to inside:10.0.0.8/51000 (10.0.0.8/51000)`, bsdStamp(time.Now()))})
	var got []alert.Alert
	waitFor(t, 10*time.Second, "the intel alert", func() bool {
		got = alertsOf(t, v, "")
		for _, a := range got {
			if strings.HasPrefix(a.RuleID, "intel:") {
				return true
			}
		}
		return false
	})
	for _, a := range got {
		if strings.HasPrefix(a.RuleID, "intel:") {
			if !strings.Contains(a.Title, "192.0.2.200") || !strings.Contains(a.Title, "cert-stix") || !strings.Contains(a.Title, "High (85)") {
				t.Errorf("alert title %q does not name the indicator, feed and confidence", a.Title)
			}
			t.Logf("alert %q (%s)", a.Title, a.Level)
		}
	}
}
