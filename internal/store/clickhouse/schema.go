package clickhouse

import (
	"context"
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// promoted are the common ECS fields with a column of their own: the ones
// queries filter and group on most. Their scalar values are stored as text
// (a list value goes to v_lists), and a search reads them with the type the
// catalog gives the field (toInt64OrNull for a port, say), so that an event
// with an odd value (a port "unknown") is kept as it is rather than refused.
var promoted = []struct{ field, column string }{
	{"source.ip", "v_source_ip"},
	{"destination.ip", "v_destination_ip"},
	{"source.port", "v_source_port"},
	{"destination.port", "v_destination_port"},
	{"user.name", "v_user_name"},
	{"host.name", "v_host_name"},
	{"event.code", "v_event_code"},
	{"event.action", "v_event_action"},
	{"event.outcome", "v_event_outcome"},
	{"event.kind", "v_event_kind"},
}

var promotedColumn = func() map[string]string {
	m := map[string]string{}
	for _, p := range promoted {
		m[p.field] = p.column
	}
	return m
}()

// tableDDL is the CREATE TABLE of a dataset's table (docs/format/clickhouse.md);
// on a cluster, of its local table on each shard (cluster.go).
//
//   - ReplacingMergeTree: rows with the same sorting key (tenant, time, id)
//     are one event stored twice (a retried insert or a replay); merges
//     keep one and queries read with FINAL. Non-replicated MergeTree in
//     18.16 has no insert deduplication, so this is how a retry stays one.
//   - PARTITION BY (day, tenant): retention drops a tenant's day at once,
//     and queries skip the partitions outside their tenant and time.
//   - Times are Int64 Unix microseconds: 18.16 has no DateTime64.
func tableDDL(s *Store, d store.Dataset) string {
	name := s.localName(string(d))
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(name) + s.onCluster() + " (\n" +
		tableColumns() + "\n) ENGINE = " + s.engine("ReplacingMergeTree", name, "") + `
PARTITION BY (v_day, v_tenant)
ORDER BY (v_tenant, v_ts, v_id)`
}

// tableColumns are the columns of a dataset's table.
func tableColumns() string {
	var b strings.Builder
	b.WriteString(`  v_day Date,
  v_tenant String,
  v_ts Int64,
  v_ingested Int64,
  v_id String,
  v_source String,
  v_original String,
  v_message Nullable(String),
`)
	for _, p := range promoted {
		fmt.Fprintf(&b, "  %s Nullable(String),\n", p.column)
	}
	b.WriteString(`  v_attrs Nested(key String, value String),
  v_lists Nested(key String, value Array(String)),
  v_raw String`)
	return b.String()
}

// fieldsColumns are the columns of the catalog table.
const fieldsColumns = "dataset String, field String, kinds UInt16"

// fieldsDDL is the catalog table: which kinds of values each field of a
// dataset has had. Rows only ever add kinds; readers OR them together.
func fieldsDDL(s *Store) string {
	name := s.localName("fields")
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(name) + s.onCluster() +
		" (" + fieldsColumns + ") ENGINE = " + s.engine("MergeTree", name, "") + " ORDER BY (dataset, field)"
}

// reserved are names a field may not have a column under in the FROM item
// of a search: ClickHouse aliases are visible in the whole SELECT, so a
// field named like a physical column would shadow it. Such fields are kept
// in v_raw and returned, but not searchable by name.
func reserved(field string) bool {
	if strings.HasPrefix(field, "v_") || field == "vigil_e" {
		return true
	}
	switch field {
	case event.FieldTimestamp, event.FieldIngested, event.FieldID, event.FieldTenant,
		event.FieldSource, event.FieldOriginal, event.FieldMessage:
		return true
	}
	return false
}

// createSchema runs the DDL of the event tables on each node (one server,
// or every server of a cluster when Vigil is given them; ON CLUSTER DDL
// once otherwise).
func (s *Store) createSchema(ctx context.Context) error {
	for _, c := range s.nodes() {
		for _, q := range s.schemaStatements() {
			if err := c.exec(ctx, q); err != nil {
				return fmt.Errorf("create clickhouse schema on %s: %w", c.base.Redacted(), err)
			}
		}
	}
	return nil
}

// table is the quoted name of a dataset's table: the one searches read and
// inserts go to (on a cluster, the Distributed table).
func (s *Store) table(d store.Dataset) string {
	return sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(string(d))
}
