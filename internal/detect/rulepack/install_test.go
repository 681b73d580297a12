package rulepack

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// entry is one file of a test archive.
type entry struct {
	name string
	body []byte
}

// sigmaEntries reads the files below dir of the shared SigmaHQ copy, named
// as a release names them (sigma/<path>).
func sigmaEntries(t *testing.T, dir string) []entry {
	t.Helper()
	root := testutil.SharedData(t, "sigma")
	var out []entry
	err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		out = append(out, entry{"sigma/" + filepath.ToSlash(rel), b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeZip(t *testing.T, path string, es []entry) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range es {
		w, err := zw.Create(e.name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func writeTarGz(t *testing.T, path string, es []entry, links ...string) {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range es {
		if err := tw.WriteHeader(&tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.body)
	}
	for _, l := range links {
		if err := tw.WriteHeader(&tar.Header{Name: l, Linkname: "/etc/passwd", Typeflag: tar.TypeSymlink}); err != nil {
			t.Fatal(err)
		}
	}
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestInstallZip(t *testing.T) {
	es := sigmaEntries(t, "rules/windows/file")
	n := len(es)
	es = append(es,
		entry{"sigma/README.md", []byte("# not a rule")},
		entry{"../evil.yml", []byte("title: evil")},
		entry{"/abs/evil.yml", []byte("title: evil")},
		entry{"sigma/.github/workflow.yml", []byte("on: push")})
	dir := t.TempDir()
	pkg := filepath.Join(dir, "sigma_core.zip")
	writeZip(t, pkg, es)
	rulesDir := filepath.Join(dir, "data", "rules")
	rep, err := Install(context.Background(), pkg, rulesDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "sigma_core" || rep.Files != n || rep.Skipped != 4 || rep.Compiled == 0 || len(rep.Rejected) == 0 || rep.Removed != len(rep.Rejected) {
		t.Fatalf("report %+v", rep)
	}
	for _, r := range rep.Rejected {
		if r.Reason != "unsupported-logsource" || !strings.HasPrefix(r.Path, "sigma/rules/windows/file/") {
			t.Errorf("rejection %+v", r)
		}
	}
	// what is installed compiles whole, and nothing escaped
	res, err := sigma.Load(sigma.Config{}, rep.Dir)
	if err != nil || len(res.Rejected) != 0 || res.Set.Len() != rep.Compiled {
		t.Fatalf("installed: %v, %d rules, rejected %v", err, res.Set.Len(), res.Rejected)
	}
	for _, p := range []string{filepath.Join(dir, "evil.yml"), filepath.Join(dir, "data", "evil.yml"), filepath.Join(rulesDir, "evil.yml")} {
		if _, err := os.Stat(p); err == nil {
			t.Errorf("%s was written", p)
		}
	}
	left, _ := os.ReadDir(rulesDir)
	if len(left) != 1 || left[0].Name() != "sigma_core" {
		t.Errorf("rules directory holds %v, want the package alone", left)
	}
}

func TestInstallTarGzReplaces(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	first := filepath.Join(dir, "a.tar.gz")
	writeTarGz(t, first, sigmaEntries(t, "rules/windows/builtin/security/account_management"))
	if _, err := Install(context.Background(), first, rulesDir, Options{Name: "sigma"}); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "b.tgz")
	writeTarGz(t, second, sigmaEntries(t, "rules-emerging-threats/2026"), "sigma/rules/link.yml")
	rep, err := Install(context.Background(), second, rulesDir, Options{Name: "sigma"})
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]int{}
	for _, r := range rep.Rejected {
		reasons[r.Reason]++
	}
	if reasons["unresolved-placeholder"] != 2 || rep.Skipped != 1 {
		t.Errorf("report %+v", rep)
	}
	// the first package is gone: only the second one's files are there
	err = filepath.WalkDir(rep.Dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(filepath.ToSlash(p), "rules-emerging-threats/2026/") {
			t.Errorf("left over: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestInstallURL(t *testing.T) {
	dir := t.TempDir()
	pkg := filepath.Join(dir, "pkg.zip")
	writeZip(t, pkg, sigmaEntries(t, "rules/windows/builtin/security/account_management"))
	body, _ := os.ReadFile(pkg)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/releases/sigma_core.zip" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	rulesDir := filepath.Join(dir, "rules")
	rep, err := Install(context.Background(), srv.URL+"/releases/sigma_core.zip?x=1", rulesDir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "sigma_core" || rep.Compiled == 0 {
		t.Errorf("report %+v", rep)
	}
	if _, err := Install(context.Background(), srv.URL+"/missing.zip", rulesDir, Options{}); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing package: %v", err)
	}
	lim := DefaultLimits
	lim.MaxDownload = 100
	if _, err := Install(context.Background(), srv.URL+"/releases/sigma_core.zip", rulesDir, Options{Limits: lim}); err == nil || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("oversized download: %v", err)
	}
	if _, err := Install(context.Background(), "ftp://127.0.0.1/x.zip", rulesDir, Options{}); err == nil || !strings.Contains(err.Error(), "only http and https") {
		t.Errorf("ftp: %v", err)
	}
	// no temporary file stays behind
	left, _ := os.ReadDir(rulesDir)
	if len(left) != 1 {
		t.Errorf("rules directory holds %v", left)
	}
}

func TestInstallBadInput(t *testing.T) {
	dir := t.TempDir()
	rulesDir := filepath.Join(dir, "rules")
	notArchive := filepath.Join(dir, "x.zip")
	os.WriteFile(notArchive, []byte("hello, world"), 0o600)
	if _, err := Install(context.Background(), notArchive, rulesDir, Options{}); err == nil || !strings.Contains(err.Error(), "not a zip or tar.gz") {
		t.Errorf("not an archive: %v", err)
	}
	empty := filepath.Join(dir, "empty.zip")
	writeZip(t, empty, []entry{{"README.md", []byte("x")}})
	if _, err := Install(context.Background(), empty, rulesDir, Options{}); err == nil || !strings.Contains(err.Error(), "no .yml") {
		t.Errorf("no rules: %v", err)
	}
	big := filepath.Join(dir, "big.zip")
	writeZip(t, big, []entry{{"r.yml", bytes.Repeat([]byte("#"), 2000)}, {"ok.yml", []byte("title: T\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 1}\n  condition: s\n")}})
	lim := DefaultLimits
	lim.MaxFileBytes = 1000
	rep, err := Install(context.Background(), big, rulesDir, Options{Limits: lim})
	if err != nil || len(rep.Rejected) != 1 || rep.Rejected[0].Reason != "too-large" || rep.Compiled != 1 {
		t.Errorf("oversized file: %v, %+v", err, rep)
	}
	if _, err := Install(context.Background(), big, rulesDir, Options{Name: "../x"}); err == nil {
		t.Error("a package name with .. was accepted")
	}
}
