package app

import (
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// A configuration read again applies to each module: retention changes
// while the node runs; a listener, which a running node cannot move, is
// refused with the reason, and the rest still applies.
func TestApplyConfig(t *testing.T) {
	dir := t.TempDir()
	load := func(listen, extra string) *config.Config {
		t.Helper()
		cfg, err := config.Parse([]byte("data_dir: " + dir + "\nhttp: {listen: '" + listen + "'}\nsources: []\n" + extra))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	a, err := New(load("127.0.0.1:0", "storage: {retention: {max_age: 720h}, tenants: {acme: {max_age: 48h}}}\n"),
		Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	if len(a.modules) != 5 {
		t.Fatalf("%d modules, want one per role", len(a.modules))
	}
	age := func(tenant string) time.Duration {
		d, _ := a.storeRole.retention(tenant)
		return d
	}
	if age("other") != 720*time.Hour || age("acme") != 48*time.Hour {
		t.Fatalf("retention before: %v, %v", age("other"), age("acme"))
	}

	if err := a.ApplyConfig(load("127.0.0.1:0", "storage: {retention: {max_age: 168h}, tenants: {acme: {max_age: 24h}}}\n")); err != nil {
		t.Fatalf("ApplyConfig: %v", err)
	}
	if age("other") != 168*time.Hour || age("acme") != 24*time.Hour {
		t.Errorf("retention after: %v, %v", age("other"), age("acme"))
	}

	err = a.ApplyConfig(load("127.0.0.1:1", "storage: {retention: {max_age: 72h}}\n"))
	if err == nil || !strings.Contains(err.Error(), "http changed: restart vigil to apply it") {
		t.Fatalf("moving the listener: %v, want a restart asked for", err)
	}
	if age("other") != 72*time.Hour || age("acme") != 72*time.Hour {
		t.Errorf("retention not applied beside a refused setting: %v, %v", age("other"), age("acme"))
	}
}
