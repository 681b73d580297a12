package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/testutil"
)

func TestPipelinesTestExamples(t *testing.T) {
	dir := filepath.Join(testutil.RepoRoot(t), "examples", "pipelines")
	var out bytes.Buffer
	if err := runPipelinesTest(commands["pipelines"], []string{"--builtin", dir}, &out); err != nil {
		t.Fatalf("pipelines test %s: %v\n%s", dir, err, out.String())
	}
	if !strings.Contains(out.String(), "PASS "+filepath.Join(dir, "acme_badge_test.yml")+": access granted") ||
		!strings.Contains(out.String(), " 0 failed") {
		t.Errorf("output:\n%s", out.String())
	}
}

func TestPipelinesTestFails(t *testing.T) {
	dir := t.TempDir()
	pl := "name: t.x\nmatch:\n  - app: xd\nsteps:\n  - dissect: {pattern: 'user=%{user.name} ip=%{source.ip}'}\n"
	test := "pipeline: t.x\ntests:\n  - name: wrong user\n    input: '<13>Mar  4 08:15:02 h xd: user=bob ip=10.0.0.1'\n    expect: {user.name: alice, source.ip: 10.0.0.1}\n" +
		"  - name: bad ip\n    input: '<13>Mar  4 08:15:02 h xd: user=bob ip=nope'\n    expect: {user.name: bob}\n"
	for name, body := range map[string]string{"x.yml": pl, "x_test.yml": test} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	err := runPipelinesTest(commands["pipelines"], []string{dir}, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1\n%s", err, out.String())
	}
	for _, want := range []string{`user.name: got "bob", want "alice"`, `pipeline t.x step 1 (dissect): field source.ip: "nope" is not an IP address`, "0 passed, 2 failed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestPipelinesTestReportsECS: values ECS does not allow are reported by
// name of the check, without failing the test.
func TestPipelinesTestReportsECS(t *testing.T) {
	dir := t.TempDir()
	pl := "name: t.y\nmatch:\n  - app: yd\nsteps:\n  - dissect: {pattern: 'user=%{user.name}'}\n" +
		"  - set: {field: event.category, value: [firewall]}\n  - set: {field: source.Ip, value: 10.0.0.1}\n"
	test := "pipeline: t.y\ntests:\n  - name: odd names\n    input: '<13>Mar  4 08:15:02 h yd: user=CORP\\bob'\n    expect: {user.name: CORP\\bob}\n"
	for name, body := range map[string]string{"y.yml": pl, "y_test.yml": test} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := runPipelinesTest(commands["pipelines"], []string{dir}, &out); err != nil {
		t.Fatalf("pipelines test: %v\n%s", err, out.String())
	}
	for _, want := range []string{"ECS  ", `category: event.category: "firewall" is not an ECS event.category`,
		"name_case: source.Ip", `user_domain: user.name: "CORP\\bob"`, "1 passed, 0 failed", "3 values or names ECS does not allow"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
