package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestAuditLog is issue 9 item 9: failed logins, denied requests,
// searches, watch-list changes, freezes, rule loads and response runs are
// each recorded with who, what, when, from where and the outcome, in the
// store's audit dataset, which admins search with dataset=audit and
// others may not.
func TestAuditLog(t *testing.T) {
	hash, err := auth.HashPassword("root-password")
	if err != nil {
		t.Fatal(err)
	}
	tok, digest, err := auth.NewToken()
	if err != nil {
		t.Fatal(err)
	}
	const ruleID = "90fb5e62-ca1f-4e22-b42e-cc521874c938" // Suspicious Shells Spawn by Java Utility Keytool
	v := startVigil(t, fmt.Sprintf(`auth:
  users:
    - {name: root, password_hash: %q, role: admin, tenants: ["*"]}
  tokens:
    - {name: ana-token, sha256: %s, role: analyst, tenants: [acme]}
responses:
  - name: note-it
    type: program
    match: {rules: [%q]}
    program: {command: [/bin/true]}
`, hash, digest, ruleID), "--rules", testutil.SharedData(t, "sigma/rules/windows/process_creation"))
	ana, root := "Bearer "+tok, basicAuth("root", "root-password")

	// The actions, each by its actor.
	if code, _, _ := request(t, "GET", v.url("/api/v1/search?q=x"), basicAuth("root", "not-the-password"), nil); code != 401 {
		t.Fatalf("wrong password: %d", code)
	}
	if code, _, body := request(t, "GET", v.url("/api/v1/search?tenant=acme&q=needle-term"), ana, nil); code != 200 {
		t.Fatalf("analyst search: %d %s", code, body)
	}
	if code, _, body := request(t, "PUT", v.url("/api/v1/watchlists/bad-ips?tenant=acme"), ana, strings.NewReader(`{"description":"seen in an incident"}`)); code/100 != 2 {
		t.Fatalf("watch-list change: %d %s", code, body)
	}
	if code, _, _ := request(t, "GET", v.url("/api/v1/search?tenant=beta&q=x"), ana, nil); code != 403 {
		t.Fatalf("another tenant: %d, want 403", code)
	}
	if code, _, body := request(t, "GET", v.url("/api/v1/search?tenant=acme&dataset=audit"), ana, nil); code != 403 {
		t.Fatalf("analyst searching the audit log: %d %s, want 403", code, body)
	}
	if code, _, body := request(t, "POST", v.url("/api/v1/admin/freeze"), root, nil); code != 200 {
		t.Fatalf("freeze: %d %s", code, body)
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	ev := fmt.Sprintf(`{"@timestamp":%q,"host":{"name":"ws01"},"event":{"code":"1"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"ws01","event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Program Files\\Java\\jdk-17\\bin\\keytool.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\bob","ProcessId":"4242"}}}`+"\n", now)
	if code, body := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(ev)); code != 200 {
		t.Fatalf("ingest: %d %s", code, body)
	}

	// find waits for an audit entry of tenant matching q and returns it.
	// These searches are audited too (as root's), so each q names its
	// actor.
	find := func(tenant, q string) map[string]any {
		t.Helper()
		var found map[string]any
		waitFor(t, 20*time.Second, "audit entry "+q+" in "+tenant, func() bool {
			code, _, body := request(t, "GET", v.url("/api/v1/search?dataset=audit&tenant="+tenant+"&q="+url.QueryEscape(q)), root, nil)
			if code != 200 {
				t.Fatalf("admin audit search: %d %s", code, body)
			}
			var res struct {
				Events []map[string]any `json:"events"`
			}
			if err := json.Unmarshal([]byte(body), &res); err != nil {
				t.Fatal(err)
			}
			if len(res.Events) > 0 {
				found = res.Events[0]
				return true
			}
			return false
		})
		return found
	}
	check := func(e map[string]any, want map[string]string) {
		t.Helper()
		for k, w := range want {
			if got := fmt.Sprint(e[k]); got != w {
				t.Errorf("audit entry %s = %q, want %q (entry %v)", k, got, w, e)
			}
		}
		if _, ok := e["@timestamp"]; !ok {
			t.Errorf("audit entry without a time: %v", e)
		}
	}
	check(find("acme", `event.action:search vigil.search.query:"needle-term" user.name:"ana-token"`), map[string]string{"user.name": "ana-token", "user.roles": "analyst",
		"source.ip": "127.0.0.1", "event.outcome": "success", "vigil.search.query": "needle-term", "url.path": "/api/v1/search"})
	check(find("acme", `event.action:"watchlists.put" user.name:"ana-token"`), map[string]string{"user.name": "ana-token", "event.outcome": "success",
		"http.request.method": "PUT", "url.path": "/api/v1/watchlists/bad-ips"})
	check(find("acme", `vigil.search.dataset:audit user.name:"ana-token"`), map[string]string{"user.name": "ana-token", "event.outcome": "failure",
		"http.response.status_code": "403"})
	check(find("vigil.system", `event.action:login`), map[string]string{"user.name": "root", "event.outcome": "failure",
		"source.ip": "127.0.0.1", "http.response.status_code": "401"})
	check(find("vigil.system", `event.action:authorize`), map[string]string{"user.name": "ana-token", "event.outcome": "failure",
		"vigil.requested_tenant": "beta"})
	check(find("vigil.system", `event.action:freeze`), map[string]string{"user.name": "root", "user.roles": "admin", "event.outcome": "success"})
	check(find("vigil.system", `event.action:"rules.reload"`), map[string]string{"user.name": "vigil", "event.outcome": "success"})
	check(find("vigil.system", `event.action:"vigil.start"`), map[string]string{"user.name": "vigil"})
	// The rule's own alert: the built-in analytics may run the same response
	// for their alerts too, in any order.
	check(find("default", `event.action:"response.run" rule.id:"`+ruleID+`"`), map[string]string{"user.name": "vigil", "event.outcome": "success",
		"vigil.response.name": "note-it", "rule.id": ruleID})

	// The audit log is not in the events a tenant's users search.
	code, _, body := request(t, "GET", v.url("/api/v1/search?tenant=acme&q=needle-term"), ana, nil)
	if code != 200 || strings.Contains(body, "ana-token") {
		t.Errorf("the events dataset shows audit entries: %d %s", code, body)
	}
	if code, _, _ := request(t, "GET", v.url("/api/v1/search?dataset=audit&tenant=acme"), "Bearer "+tok, nil); code != 403 {
		t.Errorf("analyst audit search: %d, want 403", code)
	}

	// Tamper-evident: the audit dataset is in the store's hash chain, so
	// an entry edited on disk is named by vigil verify.
	v.stop()
	if code, out := runVerify(t, v.dataDir); code != 0 || !strings.Contains(out, "audit") {
		t.Fatalf("verify of the intact audit log: exit %d\n%s", code, out)
	}
	segs, _ := filepath.Glob(filepath.Join(v.dataDir, "store", "audit", "hot", "seg-*.ndjson"))
	edited := ""
	for _, seg := range segs {
		data, _ := os.ReadFile(seg)
		if i := bytes.Index(data, []byte(`"root"`)); i >= 0 {
			copy(data[i:], `"toor"`) // an intruder hides who searched
			if err := os.WriteFile(seg, data, 0o600); err != nil {
				t.Fatal(err)
			}
			edited = seg
			break
		}
	}
	if edited == "" {
		t.Fatalf("no hot audit segment names root: %v", segs)
	}
	if code, out := runVerify(t, v.dataDir); code != 1 || !strings.Contains(out, filepath.Base(edited)) {
		t.Fatalf("verify after editing the audit log: exit %d, want 1 naming %s\n%s", code, filepath.Base(edited), out)
	}
}
