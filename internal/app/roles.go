package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/vigilsiem/vigil/internal/config"
)

// Role names a part of a distributed deployment (DESIGN §8). A node runs
// one or more; `vigil serve` without --role runs them all.
type Role string

// Roles.
const (
	// RoleIngest runs the configured sources, parsing and normalisation.
	RoleIngest Role = "ingest"
	// RoleDetect runs Sigma rules, enrichment alerts and correlation.
	RoleDetect Role = "detect"
	// RoleStore keeps events, dead letters and alerts in the embedded store.
	RoleStore Role = "store"
	// RoleForward delivers events and alerts to the configured outputs.
	RoleForward Role = "forward"
	// RoleQuery serves searches and the API over the backend: the store
	// of its node, or ClickHouse (storage.backend: clickhouse) with no
	// store role on the node (Roles.Check).
	RoleQuery Role = "query"
)

// AllRoles is what a single node runs.
var AllRoles = []Role{RoleIngest, RoleDetect, RoleStore, RoleForward, RoleQuery}

// Roles is a set of roles.
type Roles []Role

// ParseRoles reads a comma-separated list ("ingest,forward"); "" or "all"
// means every role.
func ParseRoles(s string) (Roles, error) {
	if s == "" || s == "all" {
		return AllRoles, nil
	}
	var rs Roles
	for _, p := range strings.Split(s, ",") {
		r := Role(strings.TrimSpace(p))
		if !slices.Contains(AllRoles, r) {
			return nil, fmt.Errorf("role %q: want %s or all", r, strings.Join([]string{"ingest", "detect", "store", "forward", "query"}, ", "))
		}
		if !slices.Contains(rs, r) {
			rs = append(rs, r)
		}
	}
	return rs, nil
}

// Check refuses a set of roles the configuration cannot run: query
// without store on the embedded backend, whose files only the store role
// of the same node opens.
func (rs Roles) Check(cfg *config.Config) error {
	if rs.Has(RoleQuery) && !rs.Has(RoleStore) && cfg.Storage.Backend != config.BackendClickHouse {
		return fmt.Errorf("role query needs role store on the same node: the embedded store is what it searches (or set storage.backend: clickhouse)")
	}
	return nil
}

// Has reports whether r is in the set.
func (rs Roles) Has(r Role) bool { return slices.Contains(rs, r) }
