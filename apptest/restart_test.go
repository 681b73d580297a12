package apptest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// TestCorrelationSurvivesKill sends five of the ten failed logons the
// brute-force correlation needs, kills vigil serve with SIGKILL, restarts
// it on the same data, sends the other five and the successful logon, and
// gets the alert: the count made before the kill was kept.
func TestCorrelationSurvivesKill(t *testing.T) {
	v := startVigil(t, "", "--rules", vigilRules(t))
	now := time.Now().UTC()
	logons := func(from, to int, success bool) []byte {
		var b strings.Builder
		for i := from; i < to; i++ {
			fmt.Fprintf(&b, `{"@timestamp":%q,"winlog":{"channel":"Security","event_id":4625,"computer_name":"dc01","event_data":{"TargetUserName":"mallory","IpAddress":"198.51.100.99"}}}`+"\n",
				now.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano))
		}
		if success {
			fmt.Fprintf(&b, `{"@timestamp":%q,"winlog":{"channel":"Security","event_id":4624,"computer_name":"dc01","event_data":{"TargetUserName":"mallory","IpAddress":"198.51.100.99"}}}`+"\n",
				now.Add(30*time.Second).Format(time.RFC3339Nano))
		}
		return []byte(b.String())
	}
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", logons(0, 5, false)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	v.kill()
	v.start()
	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", logons(5, 10, true)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	var got []alert.Alert
	waitFor(t, 10*time.Second, "the brute-force-then-success alert after the restart", func() bool {
		got = alertsOf(t, v, "rule_id=74e859ca-ce5e-47d3-9d9c-e0f79b9d0283")
		return len(got) > 0
	})
	if got[0].Correlation == nil {
		t.Fatalf("alert %+v has no correlation details", got[0])
	}
	t.Logf("alert %q after a SIGKILL between the 5th and 6th failed logon", got[0].Title)
}
