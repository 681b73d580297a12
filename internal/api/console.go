package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// ContentSecurityPolicy is sent with every page and asset of the console:
// scripts and styles only from the console's own files (no inline
// script), requests only to this server, no frames, no plugins.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// ConsoleViews are the URL paths of the console's views; each answers the
// console's page, which routes on its path. "/" (the overview) is served
// through RootHandler, as the Elasticsearch banner shares it.
var ConsoleViews = []string{"/login", "/search", "/alerts", "/alerts/{id}", "/incidents", "/incidents/{id}",
	"/dashboards", "/dashboards/{id}", "/sources", "/rules"}

// Console serves the web console's files from a built bundle (package ui).
type Console struct {
	files map[string]consoleFile
	// Root also mounts GET / (when no ingest handler serves the
	// Elasticsearch banner there, which hands browsers to RootHandler).
	Root bool
}

type consoleFile struct {
	body        []byte
	ctype, etag string
}

// NewConsole reads the bundle into memory (it is a few hundred KiB).
func NewConsole(bundle fs.FS) (*Console, error) {
	c := &Console{files: map[string]consoleFile{}}
	err := fs.WalkDir(bundle, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(bundle, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		c.files["/"+p] = consoleFile{body: b, ctype: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read console bundle: %w", err)
	}
	if _, ok := c.files["/index.html"]; !ok {
		return nil, fmt.Errorf("read console bundle: no index.html")
	}
	return c, nil
}

// consoleUndocumented says why the console's routes are not in the OpenAPI
// document.
const consoleUndocumented = "the console's page and static files, not an API"

// Routes implements Mounter: the console's views and files, Public and
// left out of the OpenAPI document.
func (c *Console) Routes() []Route {
	page := func(p string) Route {
		return Route{Method: "GET", Path: p, Role: Public, Undocumented: consoleUndocumented, Handler: c.RootHandler()}
	}
	var rs []Route
	for _, v := range ConsoleViews {
		rs = append(rs, page(v))
	}
	if c.Root {
		rs = append(rs, page("/{$}"))
	}
	rs = append(rs, Route{Method: "GET", Path: "/assets/{file...}", Role: Public, Undocumented: consoleUndocumented,
		Handler: func(w http.ResponseWriter, r *http.Request) {
			f, ok := c.files[r.URL.Path]
			if !ok || strings.Contains(r.URL.Path, "..") {
				http.NotFound(w, r)
				return
			}
			c.serve(w, r, f)
		}})
	for _, p := range []string{"/favicon.svg", "/favicon.ico"} {
		if f, ok := c.files[p]; ok {
			rs = append(rs, Route{Method: "GET", Path: p, Role: Public, Undocumented: consoleUndocumented,
				Handler: func(w http.ResponseWriter, r *http.Request) { c.serve(w, r, f) }})
		}
	}
	return rs
}

// RootHandler answers the console's page.
func (c *Console) RootHandler() http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { c.serve(w, r, c.files["/index.html"]) }
}

func (c *Console) serve(w http.ResponseWriter, r *http.Request, f consoleFile) {
	h := w.Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Content-Type", f.ctype)
	// File names are stable (the build is reproducible); the ETag makes a
	// revalidation cheap after an upgrade.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
