// Package alerts owns the stored alerts: a table in the store's DuckDB
// database, written by detection (as an alert.Sink) and read by the API.
// Alerts are few next to events, so they live in an ordinary table with a
// primary key, and a folded alert's update replaces its row.
package alerts

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlrows"
)

const schema = `CREATE TABLE IF NOT EXISTS alerts (
	id VARCHAR PRIMARY KEY,
	tenant VARCHAR NOT NULL,
	rule_id VARCHAR NOT NULL,
	rule_title VARCHAR,
	level VARCHAR,
	level_rank INTEGER,
	status VARCHAR,
	first_seen TIMESTAMP,
	last_seen TIMESTAMP,
	count BIGINT,
	doc VARCHAR NOT NULL
)`

// Store keeps alerts in DuckDB.
type Store struct {
	db *sql.DB
	mu sync.Mutex // DuckDB takes one writer; serialise upserts
}

var _ store.Alerts = (*Store)(nil)

// Open creates the table if needed.
func Open(ctx context.Context, db *sql.DB) (*Store, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create alerts table: %w", err)
	}
	s := &Store{db: db}
	if err := s.openTriage(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// WriteAlerts implements alert.Sink: new alerts are inserted, folded ones
// (same id) replaced, a batch in one transaction of multi-row statements.
func (s *Store) WriteAlerts(ctx context.Context, as []alert.Alert) error {
	if len(as) == 0 {
		return nil
	}
	// One row per id, its last update: within one statement, DuckDB's
	// INSERT OR REPLACE keeps the first row of a key, not the last.
	last := make(map[string]int, len(as))
	for i, a := range as {
		last[a.ID] = i
	}
	// The batch goes as one statement of one list per column
	// (sqlrows.InsertColumns says why).
	n := len(last)
	var (
		ids, tenants, rules, titles, levels, statuses, docs = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n),
			make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		ranks         = make([]int32, 0, n)
		firsts, lasts = make([]time.Time, 0, n), make([]time.Time, 0, n)
		counts        = make([]int64, 0, n)
		buf           []byte
	)
	for i, a := range as {
		if last[a.ID] != i {
			continue
		}
		if a.Status == "" {
			a.Status = alert.StatusOpen
		}
		doc, err := alert.AppendJSON(buf[:0], &a)
		if err != nil {
			return fmt.Errorf("store alert %s: %w", a.ID, err)
		}
		buf = doc
		ids, tenants, rules, titles, levels = append(ids, a.ID), append(tenants, a.Tenant), append(rules, a.RuleID), append(titles, a.Title), append(levels, a.Level)
		ranks, statuses = append(ranks, int32(alert.LevelRank(a.Level))), append(statuses, string(a.Status))
		firsts, lasts, counts, docs = append(firsts, a.First.UTC()), append(lasts, a.Last.UTC()), append(counts, int64(a.Count)), append(docs, string(doc))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := sqlrows.Begin(ctx, s.db)
	if err != nil {
		return fmt.Errorf("store alerts: %w", err)
	}
	defer tx.Rollback()
	// INSERT OR REPLACE costs several times a plain INSERT per row, and
	// more as the table grows; in a storm most alerts are new. The ids
	// already stored are read first (writes are serialised by mu, so none
	// appears meanwhile): their rows are replaced, the new ones appended
	// (sqlrows.Tx says why an appender).
	stored, err := storedIDs(ctx, tx, ids)
	if err != nil {
		return fmt.Errorf("store alerts: %w", err)
	}
	cols := []any{ids, tenants, rules, titles, levels, ranks, statuses, firsts, lasts, counts, docs}
	fresh := pick(cols, func(i int) bool { return !stored[ids[i]] })
	if err := tx.Append(ctx, "alerts", columns, len(fresh[0].([]string)), fresh...); err != nil {
		return fmt.Errorf("store alerts: %w", err)
	}
	if len(stored) > 0 {
		old := pick(cols, func(i int) bool { return stored[ids[i]] })
		if err := sqlrows.InsertColumns(ctx, tx, "INSERT OR REPLACE INTO alerts ("+strings.Join(columns, ", ")+")", len(old[0].([]string)),
			[]string{"VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "VARCHAR", "TIMESTAMP", "TIMESTAMP", "BIGINT", "VARCHAR"},
			old...); err != nil {
			return fmt.Errorf("store alerts: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store alerts: %w", err)
	}
	return nil
}

// columns are the alerts table's columns in the order WriteAlerts gives them.
var columns = []string{"id", "tenant", "rule_id", "rule_title", "level", "level_rank", "status", "first_seen", "last_seen", "count", "doc"}

// storedIDs returns which of ids the alerts table holds.
func storedIDs(ctx context.Context, tx *sqlrows.Tx, ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	rows, err := tx.QueryContext(ctx, "SELECT id FROM alerts WHERE id IN (SELECT unnest(?::VARCHAR[]))", ids)
	if err != nil {
		return nil, fmt.Errorf("read stored alert ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("read stored alert ids: %w", err)
		}
		out[id] = true
	}
	return out, rows.Err()
}

// pick returns the rows i of the column lists cols for which keep(i).
func pick(cols []any, keep func(i int) bool) []any {
	out := make([]any, len(cols))
	for c, col := range cols {
		switch v := col.(type) {
		case []string:
			out[c] = pickRows(v, keep)
		case []int32:
			out[c] = pickRows(v, keep)
		case []int64:
			out[c] = pickRows(v, keep)
		case []time.Time:
			out[c] = pickRows(v, keep)
		default:
			panic(fmt.Sprintf("pick: column type %T", col))
		}
	}
	return out
}

func pickRows[T any](col []T, keep func(i int) bool) []T {
	out := make([]T, 0, len(col))
	for i, v := range col {
		if keep(i) {
			out = append(out, v)
		}
	}
	return out
}

// Filter selects alerts (store.AlertFilter).
type Filter = store.AlertFilter

// List returns the alerts matching f, the most recent first, and how many
// match in all.
func (s *Store) List(ctx context.Context, f Filter) ([]alert.Alert, int64, error) {
	rank, err := f.Normalize()
	if err != nil {
		return nil, 0, err
	}
	where := []string{"a.tenant = ?"}
	args := []any{f.Tenant}
	if rank >= 0 {
		where = append(where, "a.level_rank >= ?")
		args = append(args, rank)
	}
	if f.RuleID != "" {
		where = append(where, "a.rule_id = ?")
		args = append(args, f.RuleID)
	}
	if f.Status != "" {
		where = append(where, "COALESCE(t.status, a.status) = ?")
		args = append(args, f.Status)
	}
	if f.Entity != "" {
		where = append(where, "(list_contains(CAST(json_extract_string(a.doc, '$.entities.hosts[*]') AS VARCHAR[]), ?) OR "+
			"list_contains(CAST(json_extract_string(a.doc, '$.entities.users[*]') AS VARCHAR[]), ?) OR "+
			"list_contains(CAST(json_extract_string(a.doc, '$.entities.source_ips[*]') AS VARCHAR[]), ?) OR "+
			"list_contains(CAST(json_extract_string(a.doc, '$.entities.destination_ips[*]') AS VARCHAR[]), ?))")
		args = append(args, f.Entity, f.Entity, f.Entity, f.Entity)
	}
	if !f.From.IsZero() {
		where = append(where, "a.last_seen >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "a.last_seen < ?")
		args = append(args, f.To.UTC())
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM alerts a LEFT JOIN alert_triage t ON t.id = a.id WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count alerts: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, "SELECT "+triageColumns+" FROM alerts a LEFT JOIN alert_triage t ON t.id = a.id WHERE "+cond+
		" ORDER BY a.last_seen DESC, a.id LIMIT ?", append(args, f.Limit)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	var out []alert.Alert
	for rows.Next() {
		a, err := scanAlert(rows.Scan)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *a)
	}
	return out, total, rows.Err()
}

// ErrNotFound is returned for an unknown alert id (store.ErrAlertNotFound).
var ErrNotFound = store.ErrAlertNotFound
