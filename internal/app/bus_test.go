package app

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vigilsiem/vigil/internal/config"
)

// TestIngestNodeOnBus: an ingest node with a bus publishes from its
// pipeline and opens no store; a changed bus section asks for a restart.
func TestIngestNodeOnBus(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1))
	defer c.Close()
	dir := t.TempDir()
	load := func(prefix string) *config.Config {
		t.Helper()
		cfg, err := config.Parse([]byte(fmt.Sprintf("data_dir: %s\nhttp: {listen: '127.0.0.1:0'}\nsources: []\nbus: {kafka: {brokers: [%q], topic_prefix: %s}}\n",
			dir, c.ListenAddrs()[0], prefix)))
		if err != nil {
			t.Fatal(err)
		}
		return cfg
	}
	a, err := New(load("one"), Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Version: "test", Roles: Roles{RoleIngest}})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	if a.bus == nil || a.Store() != nil || a.storeRole != nil || a.deadFile == nil {
		t.Fatalf("ingest node: bus %v, store %v, dead-letter file %v", a.bus, a.Store(), a.deadFile)
	}
	err = a.ApplyConfig(load("two"))
	if err == nil || !strings.Contains(err.Error(), "bus changed: restart vigil to apply it") {
		t.Fatalf("changing the bus: %v, want a restart asked for", err)
	}
}
