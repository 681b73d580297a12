package dashboards

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/store"
)

// visible is the condition under which user sees a saved search: theirs,
// or shared. Every read of saved_searches also names the tenant.
const visible = "tenant = ? AND (owner = ? OR shared)"

// SavedSearches implements store.Dashboards: the user's own and the
// tenant's shared searches, by name.
func (s *Store) SavedSearches(ctx context.Context, tenant, user string) ([]store.SavedSearch, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT doc FROM saved_searches WHERE "+visible+" ORDER BY name, id", tenant, user)
	if err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	defer rows.Close()
	out := []store.SavedSearch{}
	for rows.Next() {
		var ss store.SavedSearch
		if err := scanDoc(rows, &ss); err != nil {
			return nil, fmt.Errorf("list saved searches: %w", err)
		}
		out = append(out, ss)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	return out, nil
}

// SavedSearch implements store.Dashboards.
func (s *Store) SavedSearch(ctx context.Context, tenant, user, id string) (*store.SavedSearch, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var ss store.SavedSearch
	err := scanDoc(s.db.QueryRowContext(ctx, "SELECT doc FROM saved_searches WHERE "+visible+" AND id = ?", tenant, user, id), &ss)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrDashboardNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read saved search: %w", err)
	}
	return &ss, nil
}

// PutSavedSearch implements store.Dashboards: it inserts ss, or replaces
// the row of the same id where ss.Owner owns it. An id another user owns
// is ErrNotFound (whether or not it is shared: sharing lets others read).
func (s *Store) PutSavedSearch(ctx context.Context, tenant string, ss store.SavedSearch) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	doc, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("encode saved search: %w", err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write saved search: %w", err)
	}
	defer tx.Rollback()
	var n, mine, theirs int
	if err := tx.QueryRowContext(ctx, `SELECT count(*), count(*) FILTER (WHERE id = ? AND owner = ?), count(*) FILTER (WHERE id = ? AND owner <> ?)
FROM saved_searches WHERE tenant = ?`, ss.ID, ss.Owner, ss.ID, ss.Owner, tenant).Scan(&n, &mine, &theirs); err != nil {
		return fmt.Errorf("write saved search: %w", err)
	}
	if theirs > 0 {
		return fmt.Errorf("write saved search %s: %w", ss.ID, store.ErrDashboardNotFound)
	}
	if mine == 0 && n >= store.MaxSavedSearches {
		return fmt.Errorf("write saved search: %w: a tenant keeps at most %d saved searches", store.ErrDashboardLimit, store.MaxSavedSearches)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO saved_searches (tenant, id, owner, shared, name, updated, doc) VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant, id) DO UPDATE SET shared = excluded.shared, name = excluded.name, updated = excluded.updated, doc = excluded.doc`,
		tenant, ss.ID, ss.Owner, ss.Shared, ss.Name, ss.Updated.UTC(), string(doc)); err != nil {
		return fmt.Errorf("write saved search: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write saved search: %w", err)
	}
	return nil
}

// DeleteSavedSearch implements store.Dashboards.
func (s *Store) DeleteSavedSearch(ctx context.Context, tenant, user, id string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, "DELETE FROM saved_searches WHERE tenant = ? AND owner = ? AND id = ?", tenant, user, id)
	if err != nil {
		return fmt.Errorf("delete saved search: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrDashboardNotFound
	}
	return nil
}
