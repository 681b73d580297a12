package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/testutil"
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
