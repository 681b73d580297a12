package apptest

import (
	"net/url"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

// TestDemo starts `vigil serve --demo` with a compressed schedule and
// waits until tenant demo has located source addresses, the alerts of the
// whole attack story, and an incident; nothing of it lands in the default
// tenant.
func TestDemo(t *testing.T) {
	v := startVigil(t, "", "--demo", "--demo-speed", "40")
	want := map[string]bool{
		"395caec6-8223-41b0-a376-2f1fe55c86f3": false, // port scan
		"6e7f8a9b-0c1d-4e2f-9a3b-5c6d7e8f9a23": false, // scan then web attack
		"2a3b4c5d-6e7f-4a8b-9c0d-1e2f3a4b5cee": false, // SQL injection
		"8c3f0e4e-5a0b-4f43-9a57-2f6b1d1c7a01": false, // SSH brute force
		"4e0c2b7d-8f51-4d9e-a3c6-0b5e7f1a2d22": false, // SSH brute force then success
		"0e1f2a3b-4c5d-4e6f-9a7b-8c9d0e1f2acc": false, // service installed (lateral movement)
		"7b8c9d0e-1f2a-4b3c-8d4e-5f6a7b8c9d99": false, // log cleared
	}
	var alerts []alert.Alert
	waitFor(t, 60*time.Second, "the alerts of the attack story in tenant demo", func() bool {
		alerts = alertsOf(t, v, "tenant=demo&limit=1000")
		for _, a := range alerts {
			if _, ok := want[a.RuleID]; ok {
				want[a.RuleID] = true
			}
		}
		for _, seen := range want {
			if !seen {
				return false
			}
		}
		return true
	})
	var inc incidentsReply
	waitFor(t, 30*time.Second, "an incident in tenant demo", func() bool {
		getJSON(t, v.url("/api/v1/incidents?tenant=demo"), &inc)
		return len(inc.Incidents) > 0
	})
	var located struct {
		Total int `json:"total"`
	}
	getJSON(t, v.url("/api/v1/search?tenant=demo&limit=1&q="+url.QueryEscape("source.geo.location.lat:*")), &located)
	if located.Total == 0 {
		t.Error("no event of tenant demo carries a location")
	}
	if def := alertsOf(t, v, "tenant=default"); len(def) != 0 {
		t.Errorf("%d alerts in the default tenant", len(def))
	}
	t.Logf("%d alerts, %d incidents (%q), %d located events", len(alerts), len(inc.Incidents), inc.Incidents[0].Title, located.Total)
}
