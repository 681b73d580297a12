package app

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
)

// TestQueryWithoutStore: the query role runs without the store role only
// over ClickHouse; the embedded store keeps its clear error.
func TestQueryWithoutStore(t *testing.T) {
	rs, err := ParseRoles("query")
	if err != nil {
		t.Fatal(err)
	}
	emb := &config.Config{Storage: config.Storage{Backend: config.BackendEmbedded}}
	if err := rs.Check(emb); err == nil || !strings.Contains(err.Error(), "needs role store") {
		t.Errorf("query on the embedded store: %v", err)
	}
	ch := &config.Config{Storage: config.Storage{Backend: config.BackendClickHouse}}
	if err := rs.Check(ch); err != nil {
		t.Errorf("query on clickhouse: %v", err)
	}
	both, _ := ParseRoles("store,query")
	if err := both.Check(emb); err != nil {
		t.Errorf("store,query on the embedded store: %v", err)
	}
}
