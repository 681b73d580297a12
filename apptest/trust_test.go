package apptest

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/event"
)

// trustConfig has two tenants, each with its own ingest token.
const trustConfig = `http:
  ingest:
    tokens:
      - {token: "acme-token-0123456789", tenant: acme, source: acme-hec}
      - {token: "beta-token-0123456789", tenant: beta, source: beta-hec}
`

// TestIngestCannotChooseItsEnvelope performs the cross-tenant write of
// issue 9, finding 1: with acme's token, records that name tenant beta,
// another source and a chosen event.id — nested and dotted — are sent on
// every HTTP path (HEC event, HEC raw, NDJSON, _bulk, _doc) and as a JSON
// syslog body. Every one must be stored in the tenant of the token (or of
// the syslog listener), under the source that received it, with an id
// Vigil made; the claims are kept as json.<name> fields, and tenant beta
// stays empty.
func TestIngestCannotChooseItsEnvelope(t *testing.T) {
	acmeDir, betaDir := t.TempDir(), t.TempDir()
	v := startVigil(t, trustConfig+fmt.Sprintf(`outputs:
  - {name: acme-files, type: folder, path: %q, max_file_age: 1s}
  - {name: beta-files, type: folder, path: %q, max_file_age: 1s}
routes:
  - {name: acme, tenants: [acme], outputs: [acme-files]}
  - {name: beta, tenants: [beta], outputs: [beta-files]}
`, acmeDir, betaDir))
	const acme = "Splunk acme-token-0123456789"
	const bearer = "Bearer acme-token-0123456789"
	forged := func(path string) string {
		return fmt.Sprintf(`{"message":"forged %s","vigil":{"tenant":"beta","source":"beta-hec"},"event.id":"chosen-id","event.ingested":"2001-01-01T00:00:00Z","source":{"ip":"6.6.6.6"}}`, path)
	}
	forgedDotted := func(path string) string {
		return fmt.Sprintf(`{"message":"forged %s","vigil.tenant":"beta","vigil.source":"beta-hec","event.id":"chosen-id","source.ip":"6.6.6.6"}`, path)
	}
	sends := []struct {
		path, auth, ctype, body string
	}{
		{"/services/collector/event", acme, "application/json", `{"event":` + forged("hec-event") + `}`},
		{"/services/collector", acme, "application/json", `{"event":` + forgedDotted("hec-dotted") + `}`},
		{"/services/collector/raw?format=json", acme, "text/plain", forged("hec-raw")},
		{"/api/v1/ingest", bearer, "application/x-ndjson", forged("ndjson") + "\n" + forgedDotted("ndjson-dotted")},
		{"/_bulk", bearer, "application/x-ndjson", `{"create":{"_index":"logs"}}` + "\n" + forged("bulk") + "\n"},
		{"/logs/_doc", bearer, "application/json", forgedDotted("doc")},
	}
	for _, s := range sends {
		code, out := post(t, v.url(s.path), s.ctype, s.auth, []byte(s.body))
		if code != 200 && code != 201 {
			t.Fatalf("POST %s: %d %s", s.path, code, out)
		}
	}
	// A JSON body over syslog TCP; the listener's tenant is "default".
	sendSyslogTCP(t, v.syslog, []string{forgedDotted("syslog")})

	const httpEvents = 7
	rows, _ := v.waitFound(`"forged"`, httpEvents, 10*time.Second, "--tenant", "acme")
	for _, r := range rows {
		msg := r.Text("message")
		if got := r.Text("vigil.tenant"); got != "acme" {
			t.Errorf("%s: stored in tenant %q", msg, got)
		}
		if got := r.Text("vigil.source"); got != "acme-hec" {
			t.Errorf("%s: vigil.source %q, want the token's acme-hec", msg, got)
		}
		if id := r.Text("event.id"); id == "chosen-id" || len(id) != 32 {
			t.Errorf("%s: event.id %q was not made by Vigil", msg, id)
		}
		if got := r.Text("json.vigil.tenant"); got != "beta" {
			t.Errorf("%s: the claimed tenant is not kept as json.vigil.tenant: %q", msg, got)
		}
		if strings.HasPrefix(r.Text("event.ingested"), "2001") {
			t.Errorf("%s: event.ingested chosen by the sender", msg)
		}
	}
	sys, _ := v.waitFound(`"forged syslog"`, 1, 10*time.Second, "--tenant", "default")
	if got := sys[0].Text("vigil.tenant"); got != "default" || sys[0].Text("event.id") == "chosen-id" {
		t.Errorf("syslog JSON body chose its envelope: tenant %q id %q", got, sys[0].Text("event.id"))
	}
	// Everything sent is accounted for in acme and default, so nothing can
	// still be on its way to beta: it must be empty, in the store and in
	// beta's folder, once acme's folder has acme's events.
	beta, err := v.search(`"forged"`, "--tenant", "beta")
	if err != nil {
		t.Fatal(err)
	}
	if len(beta) != 0 {
		t.Fatalf("acme's token wrote %d events into tenant beta: %v", len(beta), beta)
	}
	waitFor(t, 30*time.Second, "acme's events in acme's folder", func() bool { return len(readFolderIDs(t, acmeDir)) >= httpEvents })
	if ids := readFolderIDs(t, betaDir); len(ids) != 0 {
		t.Fatalf("%d events delivered to beta's folder", len(ids))
	}
}

// TestRepeatedRecordsGetDistinctIDs (issue 9, finding 12): three identical
// SSH failures in one request get three ids; the same request sent again
// (a retry) gets the same three ids. Over syslog TCP, three identical
// lines on one connection get three ids too.
func TestRepeatedRecordsGetDistinctIDs(t *testing.T) {
	v := startVigil(t, "")
	line := `Nov 23 10:00:00 web sshd[42]: Failed password for root from 203.0.113.9 port 22 ssh2`
	body := []byte(line + "\n" + line + "\n" + line + "\n")
	for i := 0; i < 2; i++ {
		if code, out := post(t, v.url("/api/v1/ingest?format=auto"), "text/plain", "", body); code != 200 {
			t.Fatalf("ingest: %d %s", code, out)
		}
	}
	// The retry is stored once (docs/storage.md, "A replayed event is
	// stored once"): wait until the store has dropped its 3 events.
	waitFor(t, 30*time.Second, "the retry's events dropped as duplicates", func() bool { return duplicateRows(t, v) >= 3 })
	rows, _ := v.waitFound(`"203.0.113.9"`, 3, 10*time.Second)
	ids := map[string]int{}
	for _, r := range rows {
		ids[r.Text("event.id")]++
	}
	if len(ids) != 3 {
		t.Fatalf("3 repeats sent twice have %d distinct ids, want 3: %v", len(ids), ids)
	}
	for id, n := range ids {
		if n != 1 {
			t.Errorf("id %s stored %d times, want 1 (the retry is the same event)", id, n)
		}
	}

	tcpLine := strings.Replace(line, "203.0.113.9", "203.0.113.10", 1)
	sendSyslogTCP(t, v.syslog, []string{tcpLine, tcpLine, tcpLine})
	rows, _ = v.waitFound(`"203.0.113.10"`, 3, 10*time.Second)
	tcpIDs := map[string]bool{}
	for _, r := range rows {
		tcpIDs[r.Text("event.id")] = true
	}
	if len(tcpIDs) != 3 {
		t.Fatalf("3 identical lines on one TCP connection have %d distinct ids, want 3", len(tcpIDs))
	}
}

// TestInvalidUTF8KeepsExactBytes (issue 9, finding 14): a record with
// bytes that are not UTF-8, over syslog UDP and over HTTP, is searchable
// and gives its exact bytes back through vigil.original_base64.
func TestInvalidUTF8KeepsExactBytes(t *testing.T) {
	v := startVigil(t, "")
	udp := "<13>Nov 23 10:00:00 host app: udplatin caf\xe9 \xff\xfe end"
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(udp)); err != nil {
		t.Fatal(err)
	}
	c.Close()
	httpRec := "httplatin na\xefve \xc3\x28 end"
	if code, out := post(t, v.url("/api/v1/ingest?format=raw"), "text/plain", "", []byte(httpRec+"\n")); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	for _, want := range []string{udp, httpRec} {
		word := strings.Fields(want)[0]
		if strings.HasPrefix(want, "<13>") {
			word = "udplatin"
		}
		rows, _ := v.waitFound(`"`+word+`"`, 1, 10*time.Second)
		r := rows[0]
		exact, err := base64.StdEncoding.DecodeString(r.Text("vigil.original_base64"))
		if err != nil || string(exact) != want {
			t.Errorf("%s: vigil.original_base64 gives %q (%v), want the exact record %q", word, exact, err, want)
		}
		if orig := r.Text("event.original"); !strings.Contains(orig, "\uFFFD") || !strings.Contains(orig, " end") {
			t.Errorf("%s: event.original %q, want the readable form", word, orig)
		}
	}
}

// TestBusTenantIsChecked (issue 9, finding 4) sends, over a Kafka bus that
// Vigil trusts (trust_envelope), an event carrying a 300-character tenant
// next to one of tenant acme. The bad one must be dead-lettered in the
// source's tenant — never stored as its own tenant, never queued — and
// acme's event stored and delivered to the folder as if nothing happened.
func TestBusTenantIsChecked(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	addr := broker.ListenAddrs()[0]
	outDir := t.TempDir()
	v := startVigil(t, fmt.Sprintf(`sources:
  - {name: from-bus, type: kafka, brokers: [%q], topics: [bus], trust_envelope: true}
outputs:
  - {name: archive, type: folder, path: %q, max_file_age: 1s}
routes:
  - {name: all, outputs: [archive]}
`, addr, outDir))
	now := time.Now().UTC()
	mk := func(tenant, msg string) []byte {
		e := &event.Event{Tenant: tenant, Source: "edge-hec", Timestamp: now, Original: msg,
			ID: event.NewID(tenant, "edge-hec", "", 0, []byte(msg))}
		e.Set("message", event.String(msg))
		b, err := e.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.DefaultProduceTopic("bus"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if err := cl.ProduceSync(context.Background(), &kgo.Record{Value: mk(strings.Repeat("t", 300), "longtenant event")},
		&kgo.Record{Value: mk("acme", "goodtenant event")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	good, _ := v.waitFound(`"goodtenant"`, 1, 20*time.Second, "--tenant", "acme")
	dead, _ := v.waitFound(`"longtenant"`, 1, 20*time.Second, "--dataset", "deadletters", "--tenant", "default")
	if !strings.Contains(dead[0].Text("error.message"), "invalid tenant") {
		t.Errorf("dead letter reason %q", dead[0].Text("error.message"))
	}
	id := good[0].Text("event.id")
	waitFor(t, 30*time.Second, "acme's event in the folder", func() bool { return readFolderIDs(t, outDir)[id] })
	if n := len(readFolderIDs(t, outDir)); n != 1 {
		t.Errorf("%d events in the folder, want acme's alone", n)
	}
}

var duplicateRowsCounter = regexp.MustCompile(`(?m)^vigil_store_duplicate_rows_total\{dataset="events"\} (\d+)$`)

// duplicateRows reads the events the store did not store again from
// /metrics (0 before the first).
func duplicateRows(t *testing.T, v *vigil) int {
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
	m := duplicateRowsCounter.FindSubmatch(body)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}
