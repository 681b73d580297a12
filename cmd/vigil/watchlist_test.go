package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

func TestWatchlistCLI(t *testing.T) {
	store := watchlist.NewMemory()
	srv := httptest.NewServer(api.New(api.Deps{Mounts: []api.Mounter{api.WatchlistsHandler{Store: store}}}).Handler())
	defer srv.Close()

	run := func(stdin string, args ...string) string {
		t.Helper()
		var out bytes.Buffer
		args = append(args, "--server", srv.URL, "--tenant", "acme")
		if err := runWatchlist(commands["watchlist"], args, strings.NewReader(stdin), &out); err != nil {
			t.Fatalf("watchlist %v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	run("", "create", "bad_ips", "--ttl", "7d", "--description", "blocked addresses")
	csvFile := filepath.Join(t.TempDir(), "ips.csv")
	if err := os.WriteFile(csvFile, []byte("key,value\n203.0.113.5,scanner\n198.51.100.7,c2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run("", "import", "bad_ips", csvFile); !strings.Contains(out, "2 entries imported") {
		t.Errorf("import: %s", out)
	}
	if out := run("192.0.2.1,tor\n", "import", "bad_ips", "-"); !strings.Contains(out, "1 entries imported") {
		t.Errorf("import from stdin: %s", out)
	}
	if out := run("", "add", "bad_ips", "192.0.2.9", "manual", "--count", "4"); !strings.Contains(out, `192.0.2.9 = "manual" (count 4, expires`) {
		t.Errorf("add: %s", out)
	}
	out := run("", "list")
	if !strings.Contains(out, "bad_ips") || !strings.Contains(out, "168h0m0s") || !strings.Contains(out, "blocked addresses") {
		t.Errorf("list:\n%s", out)
	}
	out = run("", "show", "bad_ips", "--prefix", "19")
	if strings.Count(out, "\n") != 4 || !strings.Contains(out, "198.51.100.7  c2") {
		t.Errorf("show:\n%s", out)
	}
	if out := run("", "show", "bad_ips", "--format", "csv", "--limit", "1"); out != "key,value,count,ttl\n192.0.2.1,tor,0,\n" {
		t.Errorf("show csv:\n%q", out)
	}
	run("", "remove", "bad_ips", "192.0.2.1", "192.0.2.9")
	if _, total, _ := store.Entries("acme", "bad_ips", "", 0); total != 2 {
		t.Errorf("%d entries after remove, want 2", total)
	}
	run("", "remove", "bad_ips", "--all")
	if _, err := store.Get("acme", "bad_ips"); err == nil {
		t.Error("list survived remove --all")
	}
	var out2 bytes.Buffer
	err := runWatchlist(commands["watchlist"], []string{"show", "nope", "--server", srv.URL}, nil, &out2)
	if err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("show of a missing list: %v", err)
	}
	if err := runWatchlist(commands["watchlist"], []string{"remove", "x"}, nil, &out2); err != errUsage {
		t.Errorf("remove without a key or --all: %v", err)
	}
}
