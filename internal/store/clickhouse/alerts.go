package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// alertsDDL is the alerts table: one row per alert id and update, the
// newest update (highest version) kept by merges and read with FINAL. A
// folded alert's update is a new row with the same id; alerts are few next
// to events, so they are not partitioned.
func alertsDDL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(db) + `.alerts (
  tenant String,
  id String,
  rule_id String,
  level String,
  level_rank Int32,
  status String,
  first_seen Int64,
  last_seen Int64,
  count Int64,
  entities Array(String),
  doc String,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, id)`
}

// Alerts keeps alerts and their triage in ClickHouse, as
// internal/store/alerts keeps them in DuckDB (store.Alerts).
type Alerts struct {
	s *Store
	v versions
	// upd serialises triage changes (a read, then an insert).
	upd sync.Mutex
}

// OpenAlerts creates the alerts table if needed.
func (s *Store) OpenAlerts(ctx context.Context) (*Alerts, error) {
	for _, ddl := range []string{alertsDDL(s.db), alertNotesDDL(s.db)} {
		if err := s.c.exec(ctx, ddl); err != nil {
			return nil, fmt.Errorf("create clickhouse alerts table: %w", err)
		}
	}
	a := &Alerts{s: s}
	if err := a.v.resume(ctx, s.c, s.db, "alerts.version", "alert_notes.seq"); err != nil {
		return nil, fmt.Errorf("open clickhouse alerts: %w", err)
	}
	return a, nil
}

// WriteAlerts implements alert.Sink: each alert's last update in the batch
// replaces what is stored under its id.
func (a *Alerts) WriteAlerts(ctx context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	last := make(map[string]int, len(as))
	for i, al := range as {
		last[al.ID] = i
	}
	version := a.v.next()
	var b []byte
	for i, al := range as {
		if last[al.ID] != i {
			continue
		}
		if !store.ValidTenant(al.Tenant) {
			return fmt.Errorf("store alert %s: tenant %q is not valid", al.ID, al.Tenant)
		}
		if al.Status == "" {
			al.Status = alert.StatusOpen
		}
		doc, err := json.Marshal(al)
		if err != nil {
			return fmt.Errorf("store alert %s: %w", al.ID, err)
		}
		en := al.Entities
		entities, _ := json.Marshal(append(append(append(append([]string{}, en.Hosts...), en.Users...), en.SourceIPs...), en.DestinationIPs...))
		row := struct {
			Tenant    string          `json:"tenant"`
			ID        string          `json:"id"`
			RuleID    string          `json:"rule_id"`
			Level     string          `json:"level"`
			LevelRank int             `json:"level_rank"`
			Status    string          `json:"status"`
			First     int64           `json:"first_seen"`
			Last      int64           `json:"last_seen"`
			Count     int64           `json:"count"`
			Entities  json.RawMessage `json:"entities"`
			Doc       string          `json:"doc"`
			Version   uint64          `json:"version"`
		}{al.Tenant, al.ID, al.RuleID, al.Level, alert.LevelRank(al.Level), string(al.Status),
			al.First.UnixMicro(), al.Last.UnixMicro(), int64(al.Count), entities, string(doc), version}
		line, err := json.Marshal(row)
		if err != nil {
			return fmt.Errorf("store alert %s: %w", al.ID, err)
		}
		b = append(append(b, line...), '\n')
	}
	if err := a.s.c.insert(ctx, sqlgen.CHIdent(a.s.db)+".alerts", b); err != nil {
		return fmt.Errorf("store alerts: %w", err)
	}
	return nil
}

// List returns the alerts matching f, the most recent first, and how many
// match in all (store.Alerts.List), each with its triage.
func (a *Alerts) List(ctx context.Context, f store.AlertFilter) ([]alert.Alert, int64, error) {
	rank, err := f.Normalize()
	if err != nil {
		return nil, 0, err
	}
	where := []string{"tenant = " + sqlgen.CHString(f.Tenant)}
	if rank >= 0 {
		where = append(where, "level_rank >= "+strconv.Itoa(rank))
	}
	if f.RuleID != "" {
		where = append(where, "rule_id = "+sqlgen.CHString(f.RuleID))
	}
	if f.Entity != "" {
		where = append(where, "has(entities, "+sqlgen.CHString(f.Entity)+")")
	}
	if !f.From.IsZero() {
		where = append(where, "last_seen >= "+strconv.FormatInt(f.From.UnixMicro(), 10))
	}
	if !f.To.IsZero() {
		where = append(where, "last_seen < "+strconv.FormatInt(f.To.UnixMicro(), 10))
	}
	outer := ""
	if f.Status != "" {
		outer = " WHERE if(t_status = '', status, t_status) = " + sqlgen.CHString(f.Status)
	}
	from := a.joined(f.Tenant, strings.Join(where, " AND ")) + outer
	total, err := a.s.c.queryInt(ctx, "SELECT count()"+from)
	if err != nil {
		return nil, 0, fmt.Errorf("count alerts: %w", err)
	}
	out, err := a.read(ctx, "SELECT "+triageColumns+from+" ORDER BY last_seen DESC, id LIMIT "+strconv.Itoa(f.Limit))
	if err != nil {
		return nil, 0, fmt.Errorf("list alerts: %w", err)
	}
	return out, total, nil
}
