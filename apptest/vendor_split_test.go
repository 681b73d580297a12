package apptest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVendorContainersOverHTTP posts records that carry many events to the
// real binary's NDJSON endpoint, one per line: an Auth0 log stream webhook
// batch (a JSON array), a CloudWatch Logs subscription payload of VPC flow
// lines and an osquery snapshot. Each element becomes an event of its own,
// normalised by its pipeline, with its own event.original and event.id.
func TestVendorContainersOverHTTP(t *testing.T) {
	v := startVigil(t, "")
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	auth0 := func(id, typ, ip string) string {
		return `{"log_id":"` + m + id + `","data":{"date":"2025-03-11T10:15:22.123Z","type":"` + typ + `","connection":"Username-Password-Authentication","client_id":"c1","ip":"` + ip + `","user_id":"auth0|1","user_name":"` + m + `@example.com"}}`
	}
	a1, a2 := auth0("1", "fp", "198.51.100.73"), auth0("2", "s", "198.51.100.74")
	eni := fmt.Sprintf("eni-%x", time.Now().UnixNano())
	flow := func(src, port, action string) string {
		return `2 123456789010 ` + eni + ` ` + src + ` 172.31.16.21 20641 ` + port + ` 6 20 4249 1418530010 1418530070 ` + action + ` OK`
	}
	f1, f2 := flow("172.31.16.139", "22", "ACCEPT"), flow("172.31.9.69", "3389", "REJECT")
	cw := `{"messageType":"DATA_MESSAGE","owner":"123456789010","logGroup":"vpc","logStream":"s","subscriptionFilters":["f"],"logEvents":[` +
		`{"id":"1","timestamp":1418530010000,"message":"` + f1 + `"},{"id":"2","timestamp":1418530010000,"message":"` + f2 + `"},{"id":"3","timestamp":1418530010000,"message":"` + f1 + `"}]}`
	osq := `{"name":"logged_in_users","hostIdentifier":"` + m + `","calendarTime":"Wed May 13 12:02:00 2026 UTC","unixTime":1778673720,"epoch":0,"counter":0,"numerics":false,"snapshot":[` +
		`{"type":"user","user":"root","tty":"pts/0","host":"198.51.100.23","time":"1778673000","pid":"22001"},` +
		`{"type":"user","user":"alice","tty":"pts/1","host":"198.51.100.24","time":"1778673100","pid":"22002"}],"action":"snapshot"}`
	body := "[" + a1 + "," + a2 + "]\n" + cw + "\n" + osq + "\n"
	if code, resp := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body)); code != 200 {
		t.Fatalf("ingest: %d %s", code, resp)
	}
	from := []string{"--from", "2014-01-01T00:00:00Z"}

	rows, _ := v.waitFound(`vigil.pipeline:auth0.logs user.name:"`+m+`@example.com"`, 2, 5*time.Second, from...)
	got := map[string]string{}
	for _, r := range rows {
		got[r.Text("source.ip")] = r.Text("event.original")
	}
	if got["198.51.100.73"] != a1 || got["198.51.100.74"] != a2 {
		t.Errorf("Auth0 elements: %v", got)
	}

	rows, _ = v.waitFound(`vigil.pipeline:aws.vpcflow aws.vpcflow.interface_id:`+eni, 3, 5*time.Second, from...)
	ids := map[string]bool{}
	originals := map[string]int{}
	for _, r := range rows {
		ids[r.Text("event.id")] = true
		originals[r.Text("event.original")]++
	}
	if len(ids) != 3 {
		t.Errorf("CloudWatch log events share ids: %v", ids)
	}
	if originals[f1] != 2 || originals[f2] != 1 {
		t.Errorf("CloudWatch messages as event.original: %v", originals)
	}

	rows, _ = v.waitFound(`vigil.pipeline:osquery.result host.name:"`+m+`"`, 2, 5*time.Second, from...)
	users := []string{rows[0].Text("user.name"), rows[1].Text("user.name")}
	if !(users[0] == "root" && users[1] == "alice" || users[0] == "alice" && users[1] == "root") {
		t.Errorf("osquery rows: users %v", users)
	}
	for _, r := range rows {
		if !strings.Contains(r.Text("event.original"), `"snapshot":[{"type":"user","user":"`+r.Text("user.name")+`"`) {
			t.Errorf("osquery row %s: event.original %s", r.Text("user.name"), r.Text("event.original"))
		}
	}
}
