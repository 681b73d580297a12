package api

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/vigilsiem/vigil/internal/api/ui"
)

func TestConsoleServesViewsAndAssets(t *testing.T) {
	c, err := NewConsole(fstest.MapFS{
		"index.html":    {Data: []byte(`<!doctype html><div id="app"></div>`)},
		"assets/app.js": {Data: []byte(`console.log(1)`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	c.Root = true
	mux := New(Deps{Mounts: []Mounter{c}}).Handler()
	get := func(path string, hdr ...string) *http.Response {
		r := httptest.NewRequest("GET", path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			r.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w.Result()
	}
	for _, p := range []string{"/", "/search?q=x", "/alerts", "/alerts/abc", "/incidents", "/incidents/i1", "/login"} {
		resp := get(p)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `id="app"`) || resp.Header.Get("Content-Security-Policy") != ContentSecurityPolicy ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("GET %s: %d %v %s", p, resp.StatusCode, resp.Header, b)
		}
	}
	resp := get("/assets/app.js")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("asset: %d %v", resp.StatusCode, resp.Header)
	}
	if r2 := get("/assets/app.js", "If-None-Match", resp.Header.Get("ETag")); r2.StatusCode != http.StatusNotModified {
		t.Fatalf("revalidation: %d", r2.StatusCode)
	}
	if resp := get("/assets/nope.js"); resp.StatusCode != 404 {
		t.Fatalf("unknown asset: %d", resp.StatusCode)
	}
	if strings.Contains(ContentSecurityPolicy, "unsafe") {
		t.Fatal("the CSP allows unsafe sources")
	}
}

// TestEmbeddedBundle checks the committed bundle: an index.html whose
// scripts are files of the bundle (no inline script), within 500 KB
// gzipped (the budget).
func TestEmbeddedBundle(t *testing.T) {
	c, err := NewConsole(ui.FS())
	if err != nil {
		t.Fatal(err)
	}
	idx := string(c.files["/index.html"].body)
	if !strings.Contains(idx, `<script type="module" crossorigin src="/assets/app.js"></script>`) {
		t.Fatalf("index.html does not load /assets/app.js: %s", idx)
	}
	if strings.Count(idx, "<script") != 1 {
		t.Fatalf("index.html has inline scripts: %s", idx)
	}
	var gz bytes.Buffer
	for _, f := range c.files {
		w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = w.Write(f.body)
		_ = w.Close()
	}
	if gz.Len() > 500<<10 {
		t.Fatalf("bundle of %d bytes gzipped, budget 500 KB", gz.Len())
	}
	t.Logf("bundle: %d bytes gzipped", gz.Len())
}
