package apptest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	acmeToken = "apptest-acme-token-0123456789"
	betaToken = "apptest-beta-token-0123456789"
)

// twoTenants starts vigil with an ingest token for tenant acme and one for
// beta; syslog goes to tenant default.
func twoTenants(t *testing.T) *vigil {
	return startVigil(t, fmt.Sprintf("http:\n  ingest:\n    tokens:\n      - {token: %s, tenant: acme, source: hec}\n      - {token: %s, tenant: beta, source: hec}\n", acmeToken, betaToken))
}

// postBeta stores one marked event in tenant beta and waits for it.
func postBeta(t *testing.T, v *vigil, marker string) {
	t.Helper()
	body := fmt.Sprintf(`{"message":"beta %s","user":{"name":"bob"}}`+"\n", marker)
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+betaToken, []byte(body)); code != 200 {
		t.Fatalf("beta ingest: %d %s", code, b)
	}
}

// searchOK fails the test unless a search of tenant finds want rows for q.
func searchOK(t *testing.T, v *vigil, tenant, q string, want int, when string) {
	t.Helper()
	rows, err := v.search(q, "--tenant", tenant)
	if err != nil {
		t.Fatalf("%s: search of tenant %s: %v\nvigil log:\n%s", when, tenant, err, v.log.String())
	}
	if len(rows) != want {
		t.Fatalf("%s: search %q of tenant %s found %d rows, want %d", when, q, tenant, len(rows), want)
	}
}

func freeze(t *testing.T, v *vigil) {
	t.Helper()
	if code, b := post(t, v.url("/api/v1/admin/freeze"), "application/json", "", nil); code != 200 {
		t.Fatalf("freeze: %d %s\nvigil log:\n%s", code, b, v.log.String())
	}
}

// waitCatalog waits until the events catalog holds text.
func waitCatalog(t *testing.T, v *vigil, text string) {
	t.Helper()
	waitFor(t, 10*time.Second, "catalog.json to hold "+text, func() bool {
		b, _ := os.ReadFile(filepath.Join(v.dataDir, "store", "events", "catalog.json"))
		return strings.Contains(string(b), text)
	})
}

// TestNULFieldNameOverUDP is issue 9 item 2: one UDP datagram
// {"a\u0000":1} made every events search and every freeze fail for all
// tenants, also after a restart.
func TestNULFieldNameOverUDP(t *testing.T) {
	v := twoTenants(t)
	postBeta(t, v, "before")
	searchOK(t, v, "beta", "before", 1, "before the attack")
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(`{"a\u0000":1}`)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	waitCatalog(t, v, `"field": "a\u0000"`)
	postBeta(t, v, "after")
	for _, when := range []string{"hot", "frozen", "after a restart"} {
		switch when {
		case "frozen":
			freeze(t, v)
		case "after a restart":
			v.stop()
			v.start()
		}
		searchOK(t, v, "beta", "before OR after", 2, when)
		searchOK(t, v, "default", "a_=1", 1, when)
	}
}

// TestManyKeysOverNDJSON is issue 9 item 3: one NDJSON object of 4,000
// distinct keys made every events search of every tenant fail with a
// DuckDB out-of-memory error, again after a freeze.
func TestManyKeysOverNDJSON(t *testing.T) {
	v := twoTenants(t)
	postBeta(t, v, "before")
	var b strings.Builder
	b.WriteString(`{"message":"wide"`)
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&b, `,"k%d":"v%d"`, i, i)
	}
	b.WriteString("}\n")
	if code, body := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+acmeToken, []byte(b.String())); code != 200 {
		t.Fatalf("acme ingest: %d %s", code, body)
	}
	postBeta(t, v, "after")
	for _, when := range []string{"hot", "frozen", "more keys after the freeze", "after a restart"} {
		switch when {
		case "frozen":
			freeze(t, v)
		case "more keys after the freeze":
			var m strings.Builder
			m.WriteString(`{"message":"wider"`)
			for i := 4000; i < 8000; i++ {
				fmt.Fprintf(&m, `,"k%d":%d`, i, i)
			}
			m.WriteString("}\n")
			if code, body := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "Bearer "+acmeToken, []byte(m.String())); code != 200 {
				t.Fatalf("acme ingest: %d %s", code, body)
			}
		case "after a restart":
			v.stop()
			v.start()
		}
		searchOK(t, v, "beta", "before OR after", 2, when)
		searchOK(t, v, "acme", "wide", 1, when)
		searchOK(t, v, "acme", "k3999=v3999", 1, when)
		rows, err := v.search("wide", "--tenant", "acme")
		if err != nil {
			t.Fatal(err)
		}
		if got := rows[0].Text("k3999"); got != "v3999" {
			t.Fatalf("%s: k3999 of the wide event = %q, want v3999", when, got)
		}
	}
}
