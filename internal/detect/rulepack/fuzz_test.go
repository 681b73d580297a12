package rulepack

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzInstall feeds arbitrary bytes as a package: Install never panics,
// and whatever it writes stays below the rules directory.
func FuzzInstall(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("sigma/rules/r.yml")
	w.Write([]byte("title: T\nlogsource: {product: windows, service: security}\ndetection:\n  s: {EventID: 1}\n  condition: s\n"))
	w, _ = zw.Create("../up.yml")
	w.Write([]byte("title: U"))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("\x1f\x8b\x08\x00garbage"))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		pkg := filepath.Join(dir, "p.zip")
		if err := os.WriteFile(pkg, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rulesDir := filepath.Join(dir, "data", "rules")
		lim := Limits{MaxDownload: 1 << 20, MaxFiles: 100, MaxFileBytes: 1 << 16, MaxTotalBytes: 1 << 20, Timeout: 1}
		_, _ = Install(context.Background(), pkg, rulesDir, Options{Limits: lim})
		err := filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil {
				return err
			}
			if !info.IsDir() && p != pkg && !strings.HasPrefix(p, rulesDir+string(filepath.Separator)) {
				t.Errorf("wrote %s outside the rules directory", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
