package apptest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestRunResponseOnAlert runs a configured response on an alert by hand,
// as the console's alert page does, through the real binary: a viewer may
// not, an analyst may; the program receives the alert with the actor, and
// the run is in the response records and the audit log with the actor and
// its outcome.
func TestRunResponseOnAlert(t *testing.T) {
	tok := func() (string, string) {
		tk, digest, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + tk, digest
	}
	alice, aliceDigest := tok()
	vera, veraDigest := tok()
	root, rootDigest := tok()
	out := filepath.Join(t.TempDir(), "ticket.ndjson")
	v := startVigil(t, fmt.Sprintf(`auth:
  tokens:
    - {name: alice, sha256: %s, role: analyst, tenants: [acme]}
    - {name: vera, sha256: %s, role: viewer, tenants: [acme]}
    - {name: root, sha256: %s, role: admin, tenants: ["*"]}
http:
  ingest:
    tokens:
      - {token: acme-ingest-token-00000001, tenant: acme, source: t}
responses:
  - name: open-ticket
    type: program
    match: {rules: [no-rule-raises-this]}
    program: {command: [/bin/sh, -c, 'cat >> %s; echo >> %s']}
`, aliceDigest, veraDigest, rootDigest, out, out), "--rules", sshdRules(t))

	line := fmt.Sprintf("<38>%s web1 sshd[42]: Failed password for root from 203.0.113.5 port 22 ssh2\n", time.Now().UTC().Format(time.Stamp))
	if code, b := post(t, v.url("/api/v1/ingest?format=rfc3164"), "application/x-ndjson", "Bearer acme-ingest-token-00000001", []byte(line)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	var id string
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		var reply struct {
			Alerts []struct {
				ID string `json:"id"`
			} `json:"alerts"`
		}
		code, b := call(t, http.MethodGet, v.url("/api/v1/alerts?tenant=acme&rule_id="+failedRuleID), alice, "")
		if code != 200 || json.Unmarshal([]byte(b), &reply) != nil || len(reply.Alerts) == 0 {
			return false
		}
		id = reply.Alerts[0].ID
		return true
	}) {
		t.Fatalf("no alert\n%s", v.log.String())
	}

	code, b := call(t, http.MethodGet, v.url("/api/v1/responses/available?tenant=acme"), vera, "")
	if code != 200 || !strings.Contains(b, `"name":"open-ticket"`) || !strings.Contains(b, `"type":"program"`) {
		t.Fatalf("available: %d %s", code, b)
	}
	runURL := v.url("/api/v1/alerts/" + id + "/responses?tenant=acme")
	if code, b := call(t, http.MethodPost, runURL, vera, `{"response":"open-ticket"}`); code != http.StatusForbidden {
		t.Fatalf("viewer runs a response: %d %s", code, b)
	}
	if code, b := call(t, http.MethodPost, runURL, alice, `{"response":"no-such"}`); code != http.StatusNotFound {
		t.Fatalf("unknown response: %d %s", code, b)
	}
	if code, b := call(t, http.MethodPost, v.url("/api/v1/alerts/no-such-alert/responses?tenant=acme"), alice, `{"response":"open-ticket"}`); code != http.StatusNotFound {
		t.Fatalf("unknown alert: %d %s", code, b)
	}
	code, b = call(t, http.MethodPost, runURL, alice, `{"response":"open-ticket"}`)
	if code != http.StatusAccepted || !strings.Contains(b, `"delivery"`) {
		t.Fatalf("run: %d %s", code, b)
	}

	// the program got the alert, with who asked
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		data, _ := os.ReadFile(out)
		return strings.Contains(string(data), id) && strings.Contains(string(data), `"actor":"alice"`) && strings.Contains(string(data), `"reason":"manual"`)
	}) {
		data, _ := os.ReadFile(out)
		t.Fatalf("the program did not get the alert: %q\n%s", data, v.log.String())
	}
	// the response record and the audit log name the actor and the outcome
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		code, b := call(t, http.MethodGet, v.url("/api/v1/responses?tenant=acme&subject="+id), alice, "")
		return code == 200 && strings.Contains(b, `"actor":"alice"`) && strings.Contains(b, `"outcome":"success"`)
	}) {
		_, b := call(t, http.MethodGet, v.url("/api/v1/responses?tenant=acme&subject="+id), alice, "")
		t.Fatalf("no response record with the actor: %s", b)
	}
	auditQ := v.url("/api/v1/search?dataset=audit&tenant=acme&from=-1h&q=" + url.QueryEscape(`event.action:"response.run" AND user.name:alice`))
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		code, b := call(t, http.MethodGet, auditQ, root, "")
		return code == 200 && strings.Contains(b, "open-ticket") && strings.Contains(b, `"event.outcome":"success"`)
	}) {
		_, b := call(t, http.MethodGet, auditQ, root, "")
		t.Fatalf("no audit entry of the run: %s", b)
	}
}
