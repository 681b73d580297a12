package apptest

import (
	"archive/zip"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

type rulesHealth struct {
	Rules struct {
		Active   int `json:"active"`
		Files    int `json:"files"`
		Disabled int `json:"disabled"`
	} `json:"rules"`
}

// TestRulesInstallSurvivesRestart installs a SigmaHQ zip (built from the
// shared copy of SigmaHQ) into a running vigil's data directory with
// `vigil rules install`: it reports what it rejected and why, serve picks
// the rules up, and they are still loaded after a restart.
func TestRulesInstallSurvivesRestart(t *testing.T) {
	root := testutil.SharedData(t, "sigma")
	pkg := filepath.Join(t.TempDir(), "sigma_core.zip")
	f, err := os.Create(pkg)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, dir := range []string{"rules/windows/builtin/security/account_management", "rules/windows/file/file_access"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			w, err := zw.Create("sigma/" + filepath.ToSlash(rel))
			if err != nil {
				return err
			}
			_, err = w.Write(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	v := startVigil(t, "")
	var before rulesHealth
	getJSON(t, v.url("/api/v1/health"), &before)

	out, err := exec.Command(vigilBin, "rules", "install", "--data", v.dataDir, pkg).CombinedOutput()
	if err != nil {
		t.Fatalf("rules install: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "installed as \"sigma_core\"") || !strings.Contains(string(out), "unsupported-logsource") {
		t.Fatalf("rules install said:\n%s", out)
	}
	var after rulesHealth
	waitFor(t, 15*time.Second, "the installed rules loaded by the running serve", func() bool {
		getJSON(t, v.url("/api/v1/health"), &after)
		return after.Rules.Active > before.Rules.Active
	})
	v.stop()
	v.start()
	var restarted rulesHealth
	getJSON(t, v.url("/api/v1/health"), &restarted)
	if restarted.Rules.Active != after.Rules.Active {
		t.Fatalf("after a restart %d rules are active, before it %d", restarted.Rules.Active, after.Rules.Active)
	}
	t.Logf("built-in %d rules, with SigmaHQ's account management rules %d", before.Rules.Active, after.Rules.Active)
}

// TestRulesDisabledByConfig: the configuration's disable selectors leave
// rules out, and enable selectors bring some back.
func TestRulesDisabledByConfig(t *testing.T) {
	v := startVigil(t, "rules:\n  disable:\n    - {path: \"builtin/windows/**\"}\n    - {level: medium}\n  enable:\n    - {id: 8c3f0e4e-5a0b-4f43-9a57-2f6b1d1c7a01}\n")
	var h rulesHealth
	getJSON(t, v.url("/api/v1/health"), &h)
	all := startVigil(t, "")
	var full rulesHealth
	getJSON(t, all.url("/api/v1/health"), &full)
	if h.Rules.Disabled == 0 || h.Rules.Active >= full.Rules.Active || h.Rules.Active == 0 {
		t.Fatalf("with selectors %+v, without %+v", h.Rules, full.Rules)
	}
}
