package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestStorageBackend(t *testing.T) {
	c, err := config.Parse(nil)
	if err != nil || c.Storage.Backend != config.BackendEmbedded {
		t.Fatalf("default backend %q, %v", c.Storage.Backend, err)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("s3cret\nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = config.Parse([]byte("storage:\n  backend: clickhouse\n  clickhouse: {url: http://127.0.0.1:8123, user: vigil, password_file: " + pw + "}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ch := c.Storage.ClickHouse
	if ch.Database != "vigil" || ch.User != "vigil" {
		t.Errorf("clickhouse = %+v", ch)
	}
	if p, err := ch.Password(); err != nil || p != "s3cret" {
		t.Errorf("password = %q, %v", p, err)
	}
	c, err = config.Parse([]byte("storage:\n  backend: clickhouse\n  clickhouse: {url: 'http://h:1', cluster: prod, replicated: true, " +
		"zookeeper_path: '/ch/{shard}', replica: '{replica}', sharding_key: host, nodes: ['http://a:8123', 'http://b:8123'], insert_local: true}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ch := c.Storage.ClickHouse; ch.Cluster != "prod" || !ch.Replicated || ch.ZooKeeperPath != "/ch/{shard}" || ch.Replica != "{replica}" ||
		ch.ShardingKey != "host" || len(ch.Nodes) != 2 || !ch.InsertLocal {
		t.Errorf("cluster settings = %+v", ch)
	}
	for doc, want := range map[string]string{
		"storage: {backend: clickhouse}":                                                                         "storage.clickhouse.url: required",
		"storage: {backend: clickhouse, clickhouse: {url: 'ftp://x'}}":                                           "want http(s)",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://u:p@127.0.0.1:8123'}}":                         "must not carry credentials",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://h:1', database: 'a-b'}}":                       "storage.clickhouse.database",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://h:1', cluster: c, insert_local: true}}":        "insert_local: needs nodes",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://h:1', replicated: true}}":                      "need cluster",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://h:1', cluster: c, sharding_key: rand}}":        "sharding_key",
		"storage: {backend: clickhouse, clickhouse: {url: 'http://h:1', cluster: c, nodes: ['http://u:p@h:1']}}": "storage.clickhouse.nodes",
		"storage: {backend: postgres}": "storage.backend",
	} {
		_, err := config.Parse([]byte(doc))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", doc, err, want)
		}
		if err != nil && strings.Contains(err.Error(), ":p@") {
			t.Errorf("%s: the error shows the password: %v", doc, err)
		}
	}
}

// TestIdleMemoryLimit: storage.idle_memory_limit defaults to
// DefaultIdleMemoryLimit and takes a size.
func TestIdleMemoryLimit(t *testing.T) {
	c, err := config.Parse(nil)
	if err != nil || c.Storage.IdleMemoryLimit != config.DefaultIdleMemoryLimit {
		t.Fatalf("default idle_memory_limit %d, %v", c.Storage.IdleMemoryLimit, err)
	}
	c, err = config.Parse([]byte("storage:\n  idle_memory_limit: 64MiB\n"))
	if err != nil || c.Storage.IdleMemoryLimit != 64<<20 {
		t.Fatalf("idle_memory_limit %d, %v", c.Storage.IdleMemoryLimit, err)
	}
}
