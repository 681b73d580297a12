package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/app"
	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
	"github.com/vigilsiem/vigil/rules"
)

func TestRulesTestExamples(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "examples", "rule-tests")
	var out bytes.Buffer
	c := commands["rules"]
	if err := runRulesTest(c, []string{dir}, &out); err != nil {
		t.Fatalf("rules test %s: %v\n%s", dir, err, out.String())
	}
	if !strings.Contains(out.String(), "5 passed, 0 failed") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestRulesTestFails(t *testing.T) {
	dir := t.TempDir()
	rule := "title: X\nid: x-1\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 4625}\n  condition: sel\nlevel: low\n"
	test := "rule_files: [x.yml]\ntests:\n  - name: wrong count\n    events:\n      - {winlog.channel: Security, winlog.event_id: 4625}\n    expect:\n      - {rule: x-1, count: 2}\n"
	if err := os.WriteFile(filepath.Join(dir, "x.yml"), []byte(rule), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "x_test.yml"), []byte(test), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	err := runRulesTest(commands["rules"], []string{dir}, &out)
	if err == nil || !strings.Contains(out.String(), `rule "X" fired 1 times, want 2`) {
		t.Fatalf("err = %v, output:\n%s", err, out.String())
	}
}

func TestRulesCheckJSON(t *testing.T) {
	dir := t.TempDir()
	good := "title: G\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID: 1}\n  condition: sel\n"
	bad := "title: B\nlogsource: {product: windows, service: security}\ndetection:\n  sel: {EventID|nosuch: 1}\n  condition: sel\n"
	for name, body := range map[string]string{"good.yml": good, "bad.yml": bad, "notyaml.yml": ":::\n\t- ["} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := runRulesCheck(commands["rules"], []string{dir, "--format", "json"}, &out); err != nil {
		t.Fatal(err)
	}
	var rep checkReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: %s", err, out.String())
	}
	if rep.Compiled != 1 || rep.Rejected != 2 || rep.Reasons["unknown-modifier"] != 1 || rep.Reasons["yaml"] != 1 {
		t.Errorf("report = %+v", rep)
	}
}

func TestHuntNDJSON(t *testing.T) {
	evtx := testutil.SharedData(t, "evtx/EVTX-to-MITRE-Attack")
	rules := testutil.SharedData(t, "sigma/rules/windows")
	var files []string
	_ = filepath.WalkDir(evtx, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(p, "PSexec") && strings.HasSuffix(p, ".evtx") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Fatal("no PSexec sample in the EVTX data")
	}
	var stdout, stderr bytes.Buffer
	args := append([]string{"--rules", rules, "--format", "ndjson", "--quiet"}, files...)
	if err := runHunt(commands["hunt"], args, &stdout, &stderr); err != nil {
		t.Fatalf("hunt: %v\n%s", err, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatalf("no detections; stderr:\n%s", stderr.String())
	}
	for _, l := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("line %q: %v", l, err)
		}
		for _, k := range []string{"rule_id", "rule_title", "level", "tags", "@timestamp", "host.name", "event.code", "event.id"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("detection lacks %q: %s", k, l)
			}
		}
	}
	if !strings.Contains(stderr.String(), "By level:") {
		t.Errorf("no summary on stderr:\n%s", stderr.String())
	}
}

// The rules under rules/vigil pass their own unit tests.
func TestVigilRulesTests(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "rules", "vigil")
	var out bytes.Buffer
	if err := runRulesTest(commands["rules"], []string{dir}, &out); err != nil {
		t.Fatalf("rules test %s: %v\n%s", dir, err, out.String())
	}
	if !strings.Contains(out.String(), " passed, 0 failed") || strings.Contains(out.String(), "FAIL") {
		t.Errorf("output:\n%s", out.String())
	}
}

// The rules under rules/vigil fire on raw lines as serve would see them:
// parsed by the auto parser and normalised by the same processors, a port
// scan of Cisco ASA denies and an Apache traversal from the same address,
// and the scan-then-exploit chain of the two.
func TestVigilRulesOnRawLines(t *testing.T) {
	var lines []string
	for i, port := range []int{21, 22, 23, 25, 53, 80, 110, 111, 135, 139, 143, 443, 445, 993, 995, 1433, 3306, 3389, 5432, 8080} {
		lines = append(lines, fmt.Sprintf(`<164>Nov 23 10:00:%02d fw01 %%ASA-4-106023: Deny tcp src outside:198.51.100.7/%d dst inside:10.0.0.5/%d by access-group "outside_in" [0x0, 0x0]`,
			i*2, 40000+i, port))
	}
	lines = append(lines, `198.51.100.7 - - [23/Nov/2026:10:01:10 +0000] "GET /cgi-bin/../../../../etc/passwd HTTP/1.1" 404 196 "-" "curl/8.5.0"`)
	alerts, events := rawLineAlerts(t, lines, detect.Config{Dirs: []string{filepath.Join(testutil.RepoRoot(t), "rules", "vigil")}})
	got := map[string]alert.Alert{}
	for _, a := range alerts {
		got[a.Title] = a
	}
	scan, trav, chain := got["Port Scan From One Source Address"], got["Web Path Traversal Attempt"], got["Port Scan Followed by a Web Attack"]
	if len(got) != 3 || scan.Correlation == nil || scan.Correlation.Value != 20 || trav.ID == "" || chain.ID == "" {
		for _, e := range events[len(events)-2:] {
			t.Logf("event: %s", e.AppendJSON(nil))
		}
		t.Fatalf("alerts = %+v", alerts)
	}
	// why the scan fired: the address, and the 20 ports it was denied on
	ports := map[string]bool{}
	if scan.Reason != nil {
		for _, ev := range scan.Reason.Events {
			ports[ev.Fields["destination.port"]] = true
		}
	}
	if scan.Reason == nil || scan.Reason.Group["source.ip"] != "198.51.100.7" || len(ports) != 20 {
		t.Errorf("port scan reason %+v", scan.Reason)
	}
	if fmt.Sprint(scan.Entities.SourceIPs) != "[198.51.100.7]" || fmt.Sprint(trav.Entities.SourceIPs) != "[198.51.100.7]" {
		t.Errorf("entities: scan %+v, traversal %+v", scan.Entities, trav.Entities)
	}
}

// rawLineAlerts parses lines as serve does (the auto parser and the same
// processors) and runs them through a detection engine configured by cfg.
func rawLineAlerts(t *testing.T, lines []string, cfg detect.Config) ([]alert.Alert, []*event.Event) {
	t.Helper()
	ps, err := parse.New("auto", parse.Options{})
	if err != nil {
		t.Fatal(err)
	}
	procs, _, err := app.Processors(context.Background(), nil, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	var events []*event.Event
	for i, l := range lines {
		rec := &pipeline.Record{Data: []byte(l)}
		e := &event.Event{}
		if err := pipeline.ParseRecord(ps, "default", "test", time.Date(2026, 11, 23, 10, 2, 0, 0, time.UTC), rec, e); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		evs := []*event.Event{e}
		for _, p := range procs {
			evs = p.Process(context.Background(), evs)
		}
		events = append(events, evs...)
	}
	var alerts []alert.Alert
	sink := alert.SinkFunc(func(_ context.Context, as []alert.Alert) error { alerts = append(alerts, as...); return nil })
	eng, err := detect.New(cfg, sink)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Write(context.Background(), events); err != nil {
		t.Fatal(err)
	}
	return alerts, events
}

// The built-in pack, as serve embeds it, on raw lines of the products it
// covers: VPN rejections on a Cisco ASA, password spraying on Windows
// (Winlogbeat JSON), a cleared Security log, web attacks in Apache lines.
func TestBuiltinPackOnRawLines(t *testing.T) {
	var lines []string
	for i := 0; i < 6; i++ {
		lines = append(lines, fmt.Sprintf(`<166>Nov 23 10:00:%02d fw01 %%ASA-6-611102: User authentication failed: IP address: 198.51.100.77, Uname: alice`, i))
		lines = append(lines, fmt.Sprintf(`<166>Nov 23 10:00:%02d fw01 %%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 198.51.100.77`, 10+i))
	}
	for i := 0; i < 10; i++ {
		lines = append(lines, fmt.Sprintf(`{"@timestamp":"2026-11-23T10:01:%02dZ","winlog":{"channel":"Security","event_id":4625,"computer_name":"dc01.corp.example","event_data":{"TargetUserName":"user%d","IpAddress":"198.51.100.30","LogonType":"10"}}}`, i, i))
	}
	lines = append(lines, `{"@timestamp":"2026-11-23T10:02:00Z","winlog":{"channel":"Security","event_id":1102,"provider_name":"Microsoft-Windows-Eventlog","computer_name":"dc01.corp.example","event_data":{"SubjectUserName":"mallory"}}}`,
		`198.51.100.14 - - [23/Nov/2026:10:03:00 +0000] "GET /item.php?id=1+UNION+SELECT+1,2-- HTTP/1.1" 200 196 "-" "sqlmap/1.7.2#stable (https://sqlmap.org)"`)
	alerts, _ := rawLineAlerts(t, lines, detect.Config{Builtin: rules.Builtin()})
	got := map[string]bool{}
	for _, a := range alerts {
		got[a.Title] = true
	}
	for _, want := range []string{"VPN Brute Force From One Address", "Windows Brute Force From One Address", "Windows Event Log Cleared",
		"Web SQL Injection Attempt", "Web Vulnerability Scanner User Agent"} {
		if !got[want] {
			t.Errorf("no %q alert; got %v", want, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("alerts %v, want the five", got)
	}
}

// vigil hunt evaluates correlation rules over real EVTX files: five
// failed OpenSSH logons per account in each of two recordings.
func TestHuntCorrelation(t *testing.T) {
	dir := testutil.SharedData(t, "evtx/EVTX-to-MITRE-Attack/TA0006-Credential Access/T1110.xxx-Brut force")
	files, err := filepath.Glob(filepath.Join(dir, "ID4625-OpenSSH*.evtx"))
	if err != nil || len(files) != 2 {
		t.Fatalf("the two OpenSSH recordings: %v, %v", files, err)
	}
	rules := t.TempDir()
	doc := `title: Failed
name: failed
logsource: {product: windows, service: security}
detection: {s: {EventID: 4625}, condition: s}
---
title: Five failures of one account
correlation: {type: event_count, rules: failed, group-by: TargetUserName, timespan: 1m, condition: {gte: %d}}
level: high
`
	for _, c := range []struct{ gte, want int }{{5, 2}, {6, 0}} {
		if err := os.WriteFile(filepath.Join(rules, "bf.yml"), []byte(fmt.Sprintf(doc, c.gte)), 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if err := runHunt(commands["hunt"], append([]string{"--rules", rules, "--format", "ndjson", "--quiet"}, files...), &stdout, &stderr); err != nil {
			t.Fatalf("hunt: %v\n%s", err, stderr.String())
		}
		var recs []map[string]any
		for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
			if l == "" {
				continue
			}
			var rec map[string]any
			if err := json.Unmarshal([]byte(l), &rec); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec)
		}
		if len(recs) != c.want {
			t.Fatalf("gte %d: %d detections, want %d:\n%s", c.gte, len(recs), c.want, stdout.String())
		}
		for _, r := range recs {
			corr, _ := r["correlation"].(map[string]any)
			if r["rule_title"] != "Five failures of one account" || corr == nil || corr["value"] != float64(5) || len(corr["event_ids"].([]any)) != 5 {
				t.Errorf("detection = %v", r)
			}
		}
	}
}

// Rule tests fill watch-lists, and every test starts from empty lists.
func TestRulesTestWatchlists(t *testing.T) {
	dir := t.TempDir()
	rules := `title: Logon from a listed address
id: wl-1
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4624}
  listed: {IpAddress|watchlist: 'scanners[count>=2]'}
  condition: sel and listed
---
title: Count scanner sightings
id: wl-2
logsource: {product: windows, service: security}
detection:
  sel: {EventID: 4625}
  condition: sel
watchlist:
  alert: false
  actions:
    - increment: scanners
      key: IpAddress
`
	tests := `rule_files: [rules.yml]
tests:
  - name: listed by the test
    watchlists:
      scanners: [{key: 10.0.0.9, count: 2}, 10.0.0.8]
    events:
      - {winlog.channel: Security, winlog.event_id: 4624, winlog.event_data.IpAddress: 10.0.0.9}
      - {winlog.channel: Security, winlog.event_id: 4624, winlog.event_data.IpAddress: 10.0.0.8}
    expect:
      - {rule: wl-1, count: 1}
  - name: lists start empty
    events:
      - {winlog.channel: Security, winlog.event_id: 4624, winlog.event_data.IpAddress: 10.0.0.9}
    expect: []
  - name: listed by a rule
    events:
      - {winlog.channel: Security, winlog.event_id: 4625, winlog.event_data.IpAddress: 10.0.0.7}
      - {winlog.channel: Security, winlog.event_id: 4625, winlog.event_data.IpAddress: 10.0.0.7}
      - {winlog.channel: Security, winlog.event_id: 4624, winlog.event_data.IpAddress: 10.0.0.7}
    expect:
      - {rule: Logon from a listed address}
`
	if err := os.WriteFile(filepath.Join(dir, "rules.yml"), []byte(rules), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "wl_test.yml"), []byte(tests), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := runRulesTest(commands["rules"], []string{dir}, &out); err != nil || !strings.Contains(out.String(), "3 passed, 0 failed") {
		t.Fatalf("err = %v, output:\n%s", err, out.String())
	}
}

// The built-in rule pack passes its own unit tests, and the embedded copy
// loads every rule of it.
func TestBuiltinRulePack(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "rules", "vigil")
	var out bytes.Buffer
	if err := runRulesTest(commands["rules"], []string{dir}, &out); err != nil {
		t.Fatalf("rules test %s: %v\n%s", dir, err, out.String())
	}
	if !strings.Contains(out.String(), " passed, 0 failed") {
		t.Errorf("output:\n%s", out.String())
	}
	emb, err := detect.LoadRulesFS(sigma.Config{}, rules.Builtin())
	if err != nil {
		t.Fatal(err)
	}
	disk, err := detect.LoadRules(sigma.Config{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(emb.Rejected) != 0 || emb.Len() != disk.Len() || emb.Len() < 25 {
		t.Errorf("embedded pack: %d rules, %v rejected; directory: %d rules", emb.Len(), emb.Rejected, disk.Len())
	}
	// loading the directory on top of the pack replaces it, rule by rule
	both, err := detect.LoadRulesFS(sigma.Config{}, rules.Builtin(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if both.Len() != disk.Len() || len(both.Rejected) != 0 {
		t.Errorf("pack and directory: %d rules (%v), want %d", both.Len(), both.Rejected, disk.Len())
	}
}
