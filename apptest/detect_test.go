package apptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestLiveSigmaAlert posts a Sysmon process-creation event as Winlogbeat
// JSON to /api/v1/ingest of a vigil serve running the SigmaHQ
// process_creation rules, and finds the matching alert in /api/v1/alerts
// within 2 seconds.
func TestLiveSigmaAlert(t *testing.T) {
	rules := testutil.SharedData(t, "sigma/rules/windows/process_creation")
	v := startVigil(t, "", "--rules", rules)
	now := time.Now().UTC().Format(time.RFC3339Nano)
	body := fmt.Sprintf(`{"@timestamp":%q,"host":{"name":"ws01"},"event":{"code":"1"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"ws01.corp.example","event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Program Files\\Java\\jdk-17\\bin\\keytool.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\bob","ProcessId":"4242"}}}`+"\n", now)
	start := time.Now()
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	const ruleID = "90fb5e62-ca1f-4e22-b42e-cc521874c938" // Suspicious Shells Spawn by Java Utility Keytool
	var alerts []alert.Alert
	// The alert is expected within 2 s; a slow machine gets
	// testutil.WaitTimeout, and the log says how long it took.
	found := testutil.Poll(testutil.WaitTimeout, func() bool {
		resp, err := http.Get(v.url("/api/v1/alerts?rule_id=" + ruleID))
		if err != nil {
			t.Fatal(err)
		}
		var reply struct {
			Alerts []alert.Alert `json:"alerts"`
			Total  int64         `json:"total"`
		}
		err = json.NewDecoder(resp.Body).Decode(&reply)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		alerts = reply.Alerts
		return len(alerts) > 0
	})
	if !found {
		t.Fatalf("no alert for rule %s within %v\n%s", ruleID, testutil.WaitTimeout, v.log.String())
	}
	a := alerts[0]
	t.Logf("alert %q (%s) %v after posting", a.Title, a.Level, time.Since(start).Round(time.Millisecond))
	if a.Level != "high" && a.Level != "medium" && a.Level != "critical" {
		t.Errorf("alert level %q", a.Level)
	}
	if len(a.EventIDs) != 1 || a.Count != 1 {
		t.Errorf("alert events %v count %d, want the one event", a.EventIDs, a.Count)
	}
	if len(a.Entities.Hosts) == 0 {
		t.Errorf("alert has no host entity: %+v", a.Entities)
	}
}
