package apptest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/patterns"
)

// newPatternRule fires on the first event of a never-seen template of the
// service "billingd".
const newPatternRule = `title: New log pattern on billingd
id: 5d0c5a1e-7b3f-4c55-9d8e-2a61f0b3c001
status: experimental
logsource:
  service: billingd
detection:
  selection:
    vigil.pattern.new: true
  condition: selection
level: medium
`

// TestNewPatternRule runs vigil serve with a learning period of five
// events (and 1ns of event time) and a Sigma rule on vigil.pattern.new;
// the events of two known templates raise nothing, the first line of a
// never-seen template raises exactly one alert. The pattern is then found,
// named and promoted through the API, and keeps its id and name across a
// restart.
func TestNewPatternRule(t *testing.T) {
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "new_pattern.yml"), []byte(newPatternRule), 0o600); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, "patterns:\n  learn_events: 5\n  learn_period: 1ns\n", "--rules", rules)
	base := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	line := func(i int, msg string) string {
		return fmt.Sprintf(`{"@timestamp":%q,"process":{"name":"billingd"},"host":{"name":"app01"},"message":%q}`+"\n",
			base.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), msg)
	}
	var learn strings.Builder
	for i := 0; i < 6; i++ {
		learn.WriteString(line(i, fmt.Sprintf("invoice %d sent to customer c%d", 1000+i, i)))
		learn.WriteString(line(i, fmt.Sprintf("payment of %d.00 EUR accepted for order o-%d", 10+i, i)))
	}
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(learn.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	v.waitFound("vigil.pattern.count:6", 2, 20*time.Second)

	fresh := line(20, "ledger checksum mismatch detected, entering read-only mode") +
		line(21, "invoice 2000 sent to customer c99")
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(fresh)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	rows, _ := v.waitFound(`"ledger checksum mismatch"`, 1, 20*time.Second)
	newID := rows[0].Text("event.id")
	if isNew, _ := rows[0].Get("vigil.pattern.new"); isNew != true {
		t.Fatalf("first line of a new template not marked new: %v", rows[0])
	}
	patternID, template := rows[0].Text("vigil.pattern.id"), rows[0].Text("vigil.pattern.template")
	if patternID != patterns.IDOf(template) {
		t.Fatalf("pattern id %s is not the id of template %q", patternID, template)
	}
	var as []alert.Alert
	waitFor(t, 20*time.Second, "the alert of the new pattern", func() bool {
		as = alertsOf(t, v, "rule_id=5d0c5a1e-7b3f-4c55-9d8e-2a61f0b3c001&from=2026-12-01T00:00:00Z")
		return len(as) > 0
	})
	if len(as) != 1 || as[0].Count != 1 || len(as[0].EventIDs) != 1 || as[0].EventIDs[0] != newID {
		t.Fatalf("alerts %+v, want one for event %s", as, newID)
	}

	// The pattern table through the API.
	var list struct {
		Patterns []patterns.Info `json:"patterns"`
		Total    int             `json:"total"`
	}
	getJSON(t, v.url("/api/v1/patterns?tenant=default&source=http&q=checksum"), &list)
	if list.Total != 1 || list.Patterns[0].ID != patternID || list.Patterns[0].Count != 1 || len(list.Patterns[0].Samples) != 1 || list.Patterns[0].Samples[0] != newID {
		t.Fatalf("patterns: %+v", list)
	}
	req, _ := http.NewRequest(http.MethodPatch, v.url("/api/v1/patterns/"+patternID+"?tenant=default&source=http"), strings.NewReader(`{"name":"ledger read-only"}`))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("PATCH: %d", resp.StatusCode)
	}
	resp, err = http.Get(v.url("/api/v1/patterns/" + patternID + "/skeleton?tenant=default"))
	if err != nil {
		t.Fatal(err)
	}
	sk, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(sk, []byte(`name: "ledger read-only"`)) || !bytes.Contains(sk, []byte(patternID)) {
		t.Fatalf("skeleton: %d\n%s", resp.StatusCode, sk)
	}

	// Bad requests get a JSON error.
	for _, c := range []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPatch, "/api/v1/patterns/" + patternID + "?tenant=default", `{"nope":1}`, 400},
		{http.MethodPatch, "/api/v1/patterns/" + patternID + "?tenant=default", `{"name":"` + strings.Repeat("x", 201) + `"}`, 400},
		{http.MethodPatch, "/api/v1/patterns/p0000000000000000?tenant=default", `{"name":"x"}`, 404},
		{http.MethodGet, "/api/v1/patterns/p0000000000000000?tenant=default", "", 404},
		{http.MethodGet, "/api/v1/patterns?limit=0", "", 400},
	} {
		req, _ := http.NewRequest(c.method, v.url(c.path), strings.NewReader(c.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.want || !bytes.Contains(b, []byte(`"error"`)) {
			t.Errorf("%s %s: %d %s, want %d and an error", c.method, c.path, resp.StatusCode, b, c.want)
		}
	}

	v.stop()
	v.start()
	getJSON(t, v.url("/api/v1/patterns?tenant=default&q=ledger"), &list)
	if list.Total != 1 || list.Patterns[0].ID != patternID || list.Patterns[0].Name != "ledger read-only" {
		t.Fatalf("after a restart: %+v", list)
	}
}

// TestParsePatterns: vigil parse --patterns gives lines of one template
// the same id and template, and a line of another template another id;
// the id is the hash of the template.
func TestParsePatterns(t *testing.T) {
	cmd := exec.Command(vigilBin, "parse", "--format", "raw", "--patterns")
	cmd.Stdin = strings.NewReader("disk sda1 is 91% full on host a\ndisk sdb2 is 97% full on host a\nbackup of volume data finished without errors\n")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("vigil parse: %v", err)
	}
	var evs []map[string]any
	for _, l := range bytes.Split(bytes.TrimSpace(out), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(l, &m); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		evs = append(evs, m)
	}
	if len(evs) != 3 {
		t.Fatalf("%d events", len(evs))
	}
	for i, e := range evs {
		id, _ := e["vigil.pattern.id"].(string)
		tmpl, _ := e["vigil.pattern.template"].(string)
		if id == "" || id != patterns.IDOf(tmpl) {
			t.Fatalf("event %d: id %q, template %q", i, id, tmpl)
		}
	}
	if evs[0]["vigil.pattern.template"] != "disk <*> is <*> full on host a" || evs[1]["vigil.pattern.id"] != evs[0]["vigil.pattern.id"] || evs[2]["vigil.pattern.id"] == evs[0]["vigil.pattern.id"] {
		t.Fatalf("patterns: %v", evs)
	}
}
