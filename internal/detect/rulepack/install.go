package rulepack

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

// Report is what an install did.
type Report struct {
	Name   string `json:"name"`
	Dir    string `json:"dir"`
	Source string `json:"source"`
	// Files are the rule files unpacked; Removed those dropped because
	// none of their rules compiled; Skipped the archive entries that are
	// not rule files.
	Files   int `json:"files"`
	Removed int `json:"files_removed"`
	Skipped int `json:"entries_skipped"`
	// Compiled counts the rules installed, correlations included.
	Compiled     int                `json:"compiled"`
	Correlations int                `json:"correlations"`
	Rejected     []detect.Rejection `json:"rejected"`
}

// Options configure Install.
type Options struct {
	// Name is the package's directory below the rules directory; ""
	// derives it from the source's file name (sigma_core.zip: sigma_core).
	Name string
	// Limits; the zero value means DefaultLimits.
	Limits Limits
	// Client fetches URLs; nil means a client with Limits.Timeout.
	Client *http.Client
	// Sigma configures compilation (placeholders).
	Sigma sigma.Config
}

var nameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// Install installs the package at src (a file path or an http(s) URL)
// into rulesDir/<name>, replacing what was installed under that name.
func Install(ctx context.Context, src, rulesDir string, o Options) (*Report, error) {
	if o.Limits == (Limits{}) {
		o.Limits = DefaultLimits
	}
	name := o.Name
	if name == "" {
		name = nameOf(src)
	}
	if !nameRe.MatchString(name) {
		return nil, fmt.Errorf("install rules: package name %q: use letters, digits, '.', '_' and '-'", name)
	}
	if err := os.MkdirAll(rulesDir, 0o750); err != nil {
		return nil, fmt.Errorf("create rules directory: %w", err)
	}
	archive, cleanup, err := open(ctx, src, rulesDir, o)
	if err != nil {
		return nil, err
	}
	defer cleanup()

	staging, err := os.MkdirTemp(rulesDir, ".staging-"+name+"-")
	if err != nil {
		return nil, fmt.Errorf("create staging directory: %w", err)
	}
	defer os.RemoveAll(staging)
	rep := &Report{Name: name, Dir: filepath.Join(rulesDir, name), Source: src, Rejected: []detect.Rejection{}}
	if err := unpack(archive, staging, o.Limits, rep); err != nil {
		return nil, err
	}
	if rep.Files == 0 {
		return nil, fmt.Errorf("install rules: %s holds no .yml or .yaml file", src)
	}

	cfg := o.Sigma
	if cfg.Watchlists == nil {
		cfg.Watchlists = watchlist.NewMemory()
	}
	res, err := detect.LoadRules(cfg, staging)
	if err != nil {
		return nil, fmt.Errorf("compile rules: %w", err)
	}
	good := map[string]bool{}
	for _, c := range res.Set.Rules() {
		good[c.Rule.Path] = true
	}
	for _, c := range res.Correlations.Correlations() {
		good[c.Rule.Path] = true
	}
	for _, e := range res.Rejected {
		r := detect.RejectionOf(e)
		if r.Path != "" {
			if !good[r.Path] {
				if err := os.Remove(r.Path); err == nil {
					rep.Removed++
				}
				good[r.Path] = true // removed once
			}
			if rel, err := filepath.Rel(staging, r.Path); err == nil {
				r.Path = filepath.ToSlash(rel)
			}
		}
		rep.Rejected = append(rep.Rejected, r)
	}
	rep.Compiled, rep.Correlations = res.Len(), res.Correlations.Len()
	if rep.Compiled == 0 {
		return rep, fmt.Errorf("install rules: no rule of %s compiled", src)
	}
	if err := swapIn(staging, rep.Dir); err != nil {
		return nil, err
	}
	return rep, nil
}

// nameOf derives a package name from a path or URL.
func nameOf(src string) string {
	base := src
	if i := strings.IndexAny(base, "?#"); i >= 0 && strings.Contains(src, "://") {
		base = base[:i]
	}
	base = path.Base(strings.ReplaceAll(base, "\\", "/"))
	for _, ext := range []string{".tar.gz", ".tgz", ".zip"} {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			base = base[:len(base)-len(ext)]
			break
		}
	}
	base = strings.Map(func(r rune) rune {
		if r == '.' || r == '_' || r == '-' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			return r
		}
		return '_'
	}, base)
	base = strings.TrimLeft(base, "._-")
	if base == "" {
		return "sigma"
	}
	return base
}

// open returns the archive file: src itself, or a download of it.
func open(ctx context.Context, src, tmpDir string, o Options) (*os.File, func(), error) {
	lower := strings.ToLower(src)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		if strings.Contains(src, "://") {
			return nil, nil, fmt.Errorf("install rules: %s: only http and https URLs are fetched", src)
		}
		f, err := os.Open(src)
		if err != nil {
			return nil, nil, fmt.Errorf("open rule package: %w", err)
		}
		return f, func() { f.Close() }, nil
	}
	client := o.Client
	if client == nil {
		client = &http.Client{Timeout: o.Limits.Timeout}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch rule package: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("fetch rule package: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, nil, fmt.Errorf("fetch rule package %s: %s", src, resp.Status)
	}
	f, err := os.CreateTemp(tmpDir, ".download-")
	if err != nil {
		return nil, nil, fmt.Errorf("fetch rule package: %w", err)
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, io.LimitReader(resp.Body, o.Limits.MaxDownload+1))
	if err == nil && n > o.Limits.MaxDownload {
		err = fmt.Errorf("larger than %d bytes", o.Limits.MaxDownload)
	}
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("fetch rule package %s: %w", src, err)
	}
	return f, cleanup, nil
}

// unpack writes the rule files of the archive below dir.
func unpack(f *os.File, dir string, lim Limits, rep *Report) error {
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("read rule package: %w", err)
	}
	magic := make([]byte, 4)
	if _, err := io.ReadFull(f, magic); err != nil {
		return fmt.Errorf("read rule package: not a zip or tar.gz archive (%v)", err)
	}
	var total int64
	write := func(name string, size int64, r io.Reader) error {
		rel, ok := safeRulePath(name)
		if !ok {
			rep.Skipped++
			return nil
		}
		if rep.Files >= lim.MaxFiles {
			return fmt.Errorf("install rules: more than %d rule files", lim.MaxFiles)
		}
		if size > lim.MaxFileBytes {
			rep.Rejected = append(rep.Rejected, detect.Rejection{Path: rel, Reason: "too-large",
				Error: fmt.Sprintf("%d bytes, more than the %d a rule file may have", size, lim.MaxFileBytes)})
			return nil
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
			return fmt.Errorf("unpack rules: %w", err)
		}
		out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
		if err != nil {
			return fmt.Errorf("unpack rules: %w", err)
		}
		n, err := io.Copy(out, io.LimitReader(r, lim.MaxFileBytes+1))
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("unpack %s: %w", rel, err)
		}
		if n > lim.MaxFileBytes {
			os.Remove(dst)
			rep.Rejected = append(rep.Rejected, detect.Rejection{Path: rel, Reason: "too-large",
				Error: fmt.Sprintf("more than the %d bytes a rule file may have", lim.MaxFileBytes)})
			return nil
		}
		if total += n; total > lim.MaxTotalBytes {
			return fmt.Errorf("install rules: more than %d bytes of rule files", lim.MaxTotalBytes)
		}
		rep.Files++
		return nil
	}
	switch {
	case string(magic) == "PK\x03\x04":
		st, err := f.Stat()
		if err != nil {
			return fmt.Errorf("read rule package: %w", err)
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil {
			return fmt.Errorf("read rule package (zip): %w", err)
		}
		for _, zf := range zr.File {
			if !zf.Mode().IsRegular() {
				rep.Skipped++
				continue
			}
			if _, ok := safeRulePath(zf.Name); !ok {
				rep.Skipped++
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				return fmt.Errorf("read %s: %w", zf.Name, err)
			}
			err = write(zf.Name, int64(zf.UncompressedSize64), rc)
			rc.Close()
			if err != nil {
				return err
			}
		}
		return nil
	case magic[0] == 0x1f && magic[1] == 0x8b:
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return fmt.Errorf("read rule package: %w", err)
		}
		gz, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			return fmt.Errorf("read rule package (gzip): %w", err)
		}
		defer gz.Close()
		tr := tar.NewReader(gz)
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("read rule package (tar): %w", err)
			}
			if h.Typeflag != tar.TypeReg {
				rep.Skipped++
				continue
			}
			if err := write(h.Name, h.Size, tr); err != nil {
				return err
			}
		}
	}
	return errors.New("install rules: not a zip or tar.gz archive")
}

// safeRulePath returns the cleaned relative path of an archive entry that
// is a rule file, or false for anything else: absolute paths, paths that
// climb out with .., dot files and directories, test files.
func safeRulePath(name string) (string, bool) {
	name = strings.ReplaceAll(name, "\\", "/")
	if strings.HasPrefix(name, "/") || (len(name) > 1 && name[1] == ':') {
		return "", false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." || (strings.HasPrefix(seg, ".") && seg != ".") {
			return "", false
		}
	}
	p := path.Clean(name)
	if p == "." || strings.HasPrefix(p, "../") || !sigma.IsRuleFile(p) || sigma.IsRuleTestFile(p) {
		return "", false
	}
	return p, true
}

// swapIn replaces dst with the staging directory.
func swapIn(staging, dst string) error {
	old := ""
	if _, err := os.Lstat(dst); err == nil {
		old = filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".old")
		_ = os.RemoveAll(old)
		if err := os.Rename(dst, old); err != nil {
			return fmt.Errorf("replace installed rules: %w", err)
		}
	}
	if err := os.Rename(staging, dst); err != nil {
		if old != "" {
			_ = os.Rename(old, dst)
		}
		return fmt.Errorf("install rules: %w", err)
	}
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("remove the replaced rules: %w", err)
		}
	}
	return nil
}
