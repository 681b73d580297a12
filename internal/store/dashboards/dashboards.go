// Package dashboards keeps the console's dashboards and saved searches in
// two tables of the store's DuckDB database (dashboards, saved_searches);
// it implements store.Dashboards (docs/format/dashboards.md). Each row holds its JSON document beside
// the columns queries filter on.
//
// Every query names the tenant: another tenant's rows do not exist. A
// saved search is read where its owner is the caller or it is shared, and
// changed or deleted only where its owner is the caller; those conditions
// are in the SQL, not left to the API.
package dashboards

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/store"
)

var schema = []string{
	`CREATE TABLE IF NOT EXISTS dashboards (
	tenant VARCHAR NOT NULL,
	id VARCHAR NOT NULL,
	title VARCHAR NOT NULL,
	updated TIMESTAMP,
	doc VARCHAR NOT NULL,
	PRIMARY KEY (tenant, id)
)`,
	`CREATE TABLE IF NOT EXISTS saved_searches (
	tenant VARCHAR NOT NULL,
	id VARCHAR NOT NULL,
	owner VARCHAR NOT NULL,
	shared BOOLEAN NOT NULL,
	name VARCHAR NOT NULL,
	updated TIMESTAMP,
	doc VARCHAR NOT NULL,
	PRIMARY KEY (tenant, id)
)`,
}

// Store keeps dashboards and saved searches in DuckDB.
type Store struct {
	db *sql.DB
}

var _ store.Dashboards = (*Store)(nil)

// Open creates the tables if needed.
func Open(ctx context.Context, db *sql.DB) (*Store, error) {
	for _, s := range schema {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("create dashboard tables: %w", err)
		}
	}
	return &Store{db: db}, nil
}

func checkTenant(t string) error {
	if !store.ValidTenant(t) {
		return fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", store.ErrBadRequest, t)
	}
	return nil
}

// Dashboards implements store.Dashboards: the tenant's stored dashboards by title.
func (s *Store) Dashboards(ctx context.Context, tenant string) ([]store.Dashboard, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT doc FROM dashboards WHERE tenant = ? ORDER BY title, id", tenant)
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	defer rows.Close()
	out := []store.Dashboard{}
	for rows.Next() {
		var d store.Dashboard
		if err := scanDoc(rows, &d); err != nil {
			return nil, fmt.Errorf("list dashboards: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	return out, nil
}

// Dashboard implements store.Dashboards.
func (s *Store) Dashboard(ctx context.Context, tenant, id string) (*store.Dashboard, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var d store.Dashboard
	err := scanDoc(s.db.QueryRowContext(ctx, "SELECT doc FROM dashboards WHERE tenant = ? AND id = ?", tenant, id), &d)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrDashboardNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	return &d, nil
}

// PutDashboard implements store.Dashboards. A new dashboard beyond
// store.MaxDashboards is ErrLimit.
func (s *Store) PutDashboard(ctx context.Context, tenant string, d store.Dashboard) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	doc, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode dashboard: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	defer tx.Rollback()
	var n, exists int
	if err := tx.QueryRowContext(ctx, "SELECT count(*), count(*) FILTER (WHERE id = ?) FROM dashboards WHERE tenant = ?", d.ID, tenant).Scan(&n, &exists); err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	if exists == 0 && n >= store.MaxDashboards {
		return fmt.Errorf("write dashboard: %w: a tenant keeps at most %d dashboards", store.ErrDashboardLimit, store.MaxDashboards)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO dashboards (tenant, id, title, updated, doc) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (tenant, id) DO UPDATE SET title = excluded.title, updated = excluded.updated, doc = excluded.doc`,
		tenant, d.ID, d.Title, d.Updated.UTC(), string(doc)); err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	return nil
}

// DeleteDashboard implements store.Dashboards.
func (s *Store) DeleteDashboard(ctx context.Context, tenant, id string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM dashboards WHERE tenant = ? AND id = ?", tenant, id)
	if err != nil {
		return fmt.Errorf("delete dashboard: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrDashboardNotFound
	}
	return nil
}

type scanner interface{ Scan(dst ...any) error }

func scanDoc(r scanner, v any) error {
	var doc string
	if err := r.Scan(&doc); err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(doc), v); err != nil {
		return fmt.Errorf("decode document: %w", err)
	}
	return nil
}
