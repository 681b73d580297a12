package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestClickHouseBackend runs vigil serve with storage.backend clickhouse
// against a private ClickHouse with a password: events sent over HTTP are
// in ClickHouse's table and found by `vigil search`, and the password is
// in no log line.
func TestClickHouseBackend(t *testing.T) {
	const password = "ch-apptest-s3cret"
	srv := chtest.StartWithPassword(t, password)
	pwFile := filepath.Join(t.TempDir(), "ch-password")
	if err := os.WriteFile(pwFile, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "marker.yml"), []byte(markerRule), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, fmt.Sprintf(`http:
  ingest:
    tokens:
      - token: %s
        source: hec
storage:
  backend: clickhouse
  clickhouse: {url: %s, database: vigil_app, user: default, password_file: %s}
`, hecToken, srv.URL, pwFile), "--rules", rules)
	var body bytes.Buffer
	for i := range 50 {
		fmt.Fprintf(&body, `{"message":"clickhouse apptest %d","observer":{"product":"apptest"},"source":{"ip":"10.9.%d.%d"},"user":{"name":"u%d"}}`+"\n", i, i%2, i, i%5)
	}
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+hecToken, body.Bytes()); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	rows, took := v.waitFound(`apptest source.ip:10.9.1.0/24`, 25, 5*time.Second)
	t.Logf("25 events searchable through ClickHouse after %v", took)
	if len(rows) != 25 {
		t.Errorf("CIDR search found %d events, want 25", len(rows))
	}
	st, err := v.search(`apptest | stats count() by user.name | sort user.name`)
	if err != nil {
		t.Fatal(err)
	}
	if len(st) != 5 || st[0].Text("user.name") != "u0" || st[0].Text("count") != "10" {
		t.Errorf("stats = %v", st)
	}
	// Detection runs on the events as with the embedded store; the alert
	// (kept in the embedded store: triage needs transactions) is listed.
	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	found := testutil.Poll(testutil.WaitTimeout, func() bool {
		resp, err := http.Get(v.url("/api/v1/alerts?rule_id=" + markerRuleID))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		return json.NewDecoder(resp.Body).Decode(&reply) == nil && len(reply.Alerts) == 1
	})
	if !found || reply.Alerts[0].Count != 1 {
		t.Fatalf("alerts API: %+v\n%s", reply.Alerts, v.log.String())
	}
	// The events are in ClickHouse, not in the embedded store.
	if n := chCount(t, srv.URL, password, "SELECT count() FROM vigil_app.events FINAL"); n != "50" {
		t.Errorf("ClickHouse holds %s events, want 50", n)
	}
	v.stop()
	// Vigil's own audit entries (start, stop) went to ClickHouse too.
	if n := chCount(t, srv.URL, password, "SELECT count() FROM vigil_app.audit"); n == "0" {
		t.Error("no audit entries in ClickHouse")
	}
	if strings.Contains(v.log.String(), password) {
		t.Errorf("the ClickHouse password is in vigil's log:\n%s", v.log.String())
	}
}

const markerRuleID = "6f1c1f9e-5a1b-4c2d-8e3f-0123456789ab"

const markerRule = `title: ClickHouse apptest marker
id: ` + markerRuleID + `
status: test
logsource:
  product: apptest
detection:
  sel:
    message|contains: 'apptest 7'
  condition: sel
level: high
`

func chCount(t *testing.T, base, password, q string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/?"+url.Values{"query": {q}}.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("default", password)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("clickhouse %q: %d %s", q, resp.StatusCode, b)
	}
	return strings.TrimSpace(string(b))
}
