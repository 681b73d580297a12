package apptest

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/alert"
)

// sqlInjectionRule is the built-in "Web SQL Injection Attempt".
const sqlInjectionRule = "2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5cee"

// TestKill9BetweenAlertAppendAndApplyLosesNoAlert: with the alert log's
// applier slowed to an hour, HTTP ingest batches whose events raise the
// built-in SQL injection alert are acknowledged, so their alerts are in the
// durable alert log and not yet in the alert table (the log's records
// gauge says so); vigil is killed with SIGKILL, restarted on the same data,
// and every alert is there, each event counted once, and grouped into
// incidents.
func TestKill9BetweenAlertAppendAndApplyLosesNoAlert(t *testing.T) {
	v := startVigil(t, "storage:\n  alert_apply_interval: 1h\n")
	const batches, perBatch = 5, 20
	for b := 0; b < batches; b++ {
		var body strings.Builder
		for i := 0; i < perBatch; i++ {
			n := b*perBatch + i
			fmt.Fprintf(&body, `{"message":"GET /item.php?id=%d","http":{"request":{"method":"GET"}},"url":{"original":"/item.php?id=%d%%27%%20or%%201=1--"},"host":{"name":"web-%03d"},"source":{"ip":"198.51.100.%d"}}`+"\n", n, n, n, n)
		}
		resp, err := http.Post(v.url("/api/v1/ingest"), "application/x-ndjson", strings.NewReader(body.String()))
		if err != nil {
			t.Fatal(err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("ingest batch %d: %s: %s", b, resp.Status, msg)
		}
	}
	// The alerts are in the log, not applied: reading /metrics applies nothing.
	pending := alertLogRecords(t, v)
	if pending == 0 {
		t.Fatalf("no alert pending in the alert log before the kill; log:\n%s", v.log.String())
	}
	v.kill()
	v.start()
	got := alertsOf(t, v, "rule_id="+sqlInjectionRule+"&limit=1000")
	hosts := map[string]int{}
	events := 0
	for _, a := range got {
		events += a.Count
		for _, h := range a.Entities.Hosts {
			hosts[h] += a.Count
		}
	}
	if events != batches*perBatch {
		t.Errorf("alerts count %d events after the kill, want %d (%d alerts)", events, batches*perBatch, len(got))
	}
	for n := 0; n < batches*perBatch; n++ {
		if h := fmt.Sprintf("web-%03d", n); hosts[h] != 1 {
			t.Errorf("host %s: in %d alerted events, want 1", h, hosts[h])
		}
	}
	var inc incidentsReply
	getJSON(t, v.url("/api/v1/incidents?limit=1000"), &inc)
	inIncidents := map[string]bool{}
	for _, i := range inc.Incidents {
		for _, id := range i.AlertIDs {
			inIncidents[id] = true
		}
	}
	for _, a := range got {
		if !inIncidents[a.ID] {
			t.Errorf("alert %s is in no incident", a.ID)
		}
	}
	// Each incident's detail lists its alerts as the alert API has them
	// (the incident tables refer to the alert table's documents).
	byID := map[string]alert.Alert{}
	for _, a := range got {
		byID[a.ID] = a
	}
	for _, i := range inc.Incidents {
		var detail struct {
			Alerts []alert.Alert `json:"alerts"`
		}
		getJSON(t, v.url("/api/v1/incidents/"+i.ID), &detail)
		if len(detail.Alerts) != len(i.AlertIDs) {
			t.Errorf("incident %s: detail lists %d alerts, the incident %d", i.ID, len(detail.Alerts), len(i.AlertIDs))
		}
		for _, a := range detail.Alerts {
			want, ok := byID[a.ID]
			if !ok || a.RuleID != want.RuleID || a.Count != want.Count || !a.First.Equal(want.First) || !slices.Equal(a.Entities.Hosts, want.Entities.Hosts) {
				t.Errorf("incident %s: detail alert %+v, the alert API has %+v", i.ID, a, want)
			}
		}
	}
	if left := alertLogRecords(t, v); left != 0 {
		t.Errorf("%d alerts still pending after a read", left)
	}
	t.Logf("%d alerts pending at SIGKILL; after restart %d alerts over %d events, %d incidents", pending, len(got), events, len(inc.Incidents))
}

var alertLogGauge = regexp.MustCompile(`(?m)^vigil_queue_records\{output="alertlog",tenant="[^"]*"\} (\d+)$`)

// alertLogRecords reads the alert log's undelivered records from /metrics.
func alertLogRecords(t *testing.T, v *vigil) int {
	t.Helper()
	resp, err := http.Get(v.url("/metrics"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	m := alertLogGauge.FindSubmatch(body)
	if m == nil {
		t.Fatalf("no alert log gauge in /metrics")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
