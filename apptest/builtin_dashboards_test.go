package apptest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/dashboard"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestBuiltinDashboardsMatchNormalisedLogs sends one small sample of each
// kind of log the built-in dashboards are for — Windows Security events,
// sshd, a FortiGate firewall, nginx, CloudTrail — through the real binary
// with GeoIP, and checks that every panel of every built-in dashboard
// finds rows: their queries read fields the built-in normalisers and
// pipelines really produce.
func TestBuiltinDashboardsMatchNormalisedLogs(t *testing.T) {
	mmdb := testutil.SharedData(t, "mmdb/test-data")
	v := startVigil(t, "enrich:\n  geoip:\n    city: "+filepath.Join(mmdb, "GeoIP2-City-Test.mmdb")+"\n")
	now := time.Now().UTC()
	ts := now.Format(time.RFC3339)
	// Addresses MaxMind's test database places (London, Linköping, Milton WA, Changchun).
	const london, linkoping, milton, changchun = "81.2.69.142", "89.160.20.112", "216.160.83.56", "175.16.199.3"

	ndjson := ""
	for _, w := range []struct{ id, kw, user string }{{"4625", "Audit Failure", "bob"}, {"4624", "Audit Success", "alice"}} {
		ndjson += fmt.Sprintf(`{"@timestamp":%q,"winlog":{"event_id":%q,"channel":"Security","computer_name":"DC1","keywords":[%q],"event_data":{"TargetUserName":%q,"IpAddress":%q,"LogonType":"3"}}}`+"\n",
			ts, w.id, w.kw, w.user, london)
	}
	ndjson += fmt.Sprintf(`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Mateo","accountId":"111122223333","userName":"Mateo"},"eventTime":%q,"eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":%q,"userAgent":"x","responseElements":{"ConsoleLogin":"Failure"},"recipientAccountId":"111122223333"}`+"\n", ts, linkoping)
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(ndjson)); code != 200 {
		t.Fatalf("ingest JSON: %d %s", code, b)
	}
	stamp := bsdStamp(now)
	clf := now.Format("02/Jan/2006:15:04:05 -0700")
	lines := fmt.Sprintf("<38>%s srv1 sshd[10]: Failed password for root from %s port 4000 ssh2\n", stamp, changchun) +
		fmt.Sprintf("<38>%s srv1 sshd[11]: Accepted password for alice from %s port 4001 ssh2\n", stamp, changchun) +
		fmt.Sprintf("<190>%s web3 nginx: %s - - [%s] \"GET /missing HTTP/1.1\" 404 12 \"-\" \"curl/8\"\n", stamp, milton, clf) +
		fmt.Sprintf("<190>%s web3 nginx: %s - - [%s] \"GET /api HTTP/1.1\" 500 12 \"-\" \"curl/8\"\n", stamp, milton, clf)
	if code, b := post(t, v.url("/api/v1/ingest?format=rfc3164"), "application/x-ndjson", "", []byte(lines)); code != 200 {
		t.Fatalf("ingest syslog: %d %s", code, b)
	}
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fg := fmt.Sprintf(`<189>date=%s time=%s devname="FGT1" devid="FGT60E4Q16000001" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=%s srcport=51234 dstip=203.0.113.9 dstport=3389 proto=6 action="deny" policyid=0 service="RDP"`,
		now.Format("2006-01-02"), now.Format("15:04:05"), london)
	if _, err := c.Write([]byte(fg)); err != nil {
		t.Fatal(err)
	}

	from, to := now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(48*time.Hour).Format(time.RFC3339)
	for _, d := range dashboard.Builtins() {
		for _, p := range d.Panels {
			var rows int
			var last string
			if !testutil.Poll(testutil.WaitTimeout, func() bool {
				resp, err := http.Get(v.url("/api/v1/search?" + url.Values{"q": {p.Query}, "from": {from}, "to": {to}}.Encode()))
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var r struct {
					Events []map[string]any
					Error  string
				}
				_ = json.NewDecoder(resp.Body).Decode(&r)
				if resp.StatusCode != 200 {
					t.Fatalf("%s / %s: %d %s", d.Title, p.Title, resp.StatusCode, r.Error)
				}
				rows = 0
				for _, e := range r.Events {
					if n, _ := e["count"].(float64); n > 0 {
						rows++
					}
				}
				b, _ := json.Marshal(r.Events)
				last = string(b)
				return rows > 0
			}) {
				t.Errorf("%s / %s: no rows for %q (got %s)", d.Title, p.Title, p.Query, last)
			}
		}
	}
}
