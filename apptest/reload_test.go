package apptest

import (
	"encoding/json"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestConfigReloadOnSIGHUP: SIGHUP reads vigil.yaml again and hands it to
// every role (app.App.ApplyConfig). Retention applies while running; a new
// output needs a restart, which the audit log says, and the node keeps
// serving on what it runs; a file that does not load changes nothing.
func TestConfigReloadOnSIGHUP(t *testing.T) {
	v := startVigil(t, "storage: {retention: {max_age: 720h}}\n")
	reloads := func(outcome string) []map[string]any {
		t.Helper()
		q := `event.action:"config.reload" event.outcome:` + outcome
		code, _, body := request(t, "GET", v.url("/api/v1/search?dataset=audit&tenant=vigil.system&q="+url.QueryEscape(q)), "", nil)
		if code != 200 {
			t.Fatalf("audit search: %d %s", code, body)
		}
		var res struct {
			Events []map[string]any `json:"events"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatal(err)
		}
		return res.Events
	}
	hup := func(yaml string) {
		t.Helper()
		if err := os.WriteFile(v.config, []byte(yaml), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := v.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}

	hup("storage: {retention: {max_age: 168h}}\n")
	waitFor(t, 20*time.Second, "a successful reload in the audit log", func() bool { return len(reloads("success")) == 1 })

	hup("storage: {retention: {max_age: 168h}}\noutputs: [{name: archive, type: folder, path: " + t.TempDir() + "}]\n")
	var failed []map[string]any
	waitFor(t, 20*time.Second, "a refused reload in the audit log", func() bool {
		failed = reloads("failure")
		return len(failed) == 1
	})
	if reason, _ := failed[0]["event.reason"].(string); !strings.Contains(reason, "outputs changed: restart vigil to apply it") {
		t.Errorf("refused reload's reason %q does not name the outputs: %v", reason, failed[0])
	}

	// A file that does not load is not applied, and the node runs on.
	hup("storage: [not a mapping\n")
	waitFor(t, 20*time.Second, "the reload error in the log", func() bool {
		return strings.Contains(v.log.String(), "reload: configuration not applied")
	})
	if code, _, body := request(t, "GET", v.url("/api/v1/health"), "", nil); code != 200 {
		t.Fatalf("health after the reloads: %d %s", code, body)
	}
	if n := len(reloads("success")) + len(reloads("failure")); n != 2 {
		t.Errorf("%d reloads audited, want 2 (the broken file applies nothing)", n)
	}
}
