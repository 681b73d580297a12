package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// dashboardsDDL are the console's dashboards and saved searches: one row
// per write, the highest version of a (tenant, id) being the current one
// (FINAL); a delete writes a row with deleted = 1. doc is the JSON
// document (docs/format/dashboards.md).
func dashboardsDDL(db string) []string {
	d := sqlgen.CHIdent(db)
	return []string{
		"CREATE TABLE IF NOT EXISTS " + d + `.dashboards (
  tenant String,
  id String,
  title String,
  doc String,
  deleted UInt8,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, id)`,
		"CREATE TABLE IF NOT EXISTS " + d + `.saved_searches (
  tenant String,
  id String,
  owner String,
  shared UInt8,
  name String,
  doc String,
  deleted UInt8,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, id)`,
	}
}

// Dashboards keeps dashboards and saved searches in ClickHouse
// (store.Dashboards). Every query names the tenant; a saved search is read
// where the caller owns it or it is shared, and changed only by its owner,
// in the SQL.
type Dashboards struct {
	s *Store
	v versions
	// mu serialises writes: each reads what is there (the limits, the
	// owner) before it inserts.
	mu sync.Mutex
}

// OpenDashboards creates the tables if needed.
func (s *Store) OpenDashboards(ctx context.Context) (*Dashboards, error) {
	for _, ddl := range dashboardsDDL(s.db) {
		if err := s.c.exec(ctx, ddl); err != nil {
			return nil, fmt.Errorf("create clickhouse dashboard tables: %w", err)
		}
	}
	d := &Dashboards{s: s}
	if err := d.v.resume(ctx, s.c, s.db, "dashboards.version", "saved_searches.version"); err != nil {
		return nil, fmt.Errorf("open clickhouse dashboards: %w", err)
	}
	return d, nil
}

func checkTenant(t string) error {
	if !store.ValidTenant(t) {
		return fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", store.ErrBadRequest, t)
	}
	return nil
}

// live is the FROM clause of a table's current, undeleted rows of tenant.
func (d *Dashboards) live(table, tenant string) string {
	return " FROM " + sqlgen.CHIdent(d.s.db) + "." + table + " FINAL WHERE tenant = " + sqlgen.CHString(tenant) + " AND deleted = 0"
}

// docs runs a query of one doc column and decodes each into a T.
func docs[T any](ctx context.Context, c *client, sql string) ([]T, error) {
	out := []T{}
	err := c.queryRows(ctx, sql, func(row []json.RawMessage) error {
		var doc string
		if err := cols(row, &doc); err != nil {
			return err
		}
		var v T
		if err := json.Unmarshal([]byte(doc), &v); err != nil {
			return fmt.Errorf("decode document: %w", err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// Dashboards implements store.Dashboards: the tenant's dashboards by title.
func (d *Dashboards) Dashboards(ctx context.Context, tenant string) ([]store.Dashboard, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out, err := docs[store.Dashboard](ctx, d.s.c, "SELECT doc"+d.live("dashboards", tenant)+" ORDER BY title, id")
	if err != nil {
		return nil, fmt.Errorf("list dashboards: %w", err)
	}
	return out, nil
}

// Dashboard implements store.Dashboards.
func (d *Dashboards) Dashboard(ctx context.Context, tenant, id string) (*store.Dashboard, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out, err := docs[store.Dashboard](ctx, d.s.c, "SELECT doc"+d.live("dashboards", tenant)+" AND id = "+sqlgen.CHString(id))
	if err != nil {
		return nil, fmt.Errorf("read dashboard: %w", err)
	}
	if len(out) == 0 {
		return nil, store.ErrDashboardNotFound
	}
	return &out[0], nil
}

type dashboardRow struct {
	Tenant  string `json:"tenant"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Doc     string `json:"doc"`
	Deleted uint8  `json:"deleted"`
	Version uint64 `json:"version"`
}

// PutDashboard implements store.Dashboards.
func (d *Dashboards) PutDashboard(ctx context.Context, tenant string, db store.Dashboard) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	doc, err := json.Marshal(db)
	if err != nil {
		return fmt.Errorf("encode dashboard: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var n, exists int64
	err = d.s.c.queryRows(ctx, "SELECT count(), countIf(id = "+sqlgen.CHString(db.ID)+")"+d.live("dashboards", tenant),
		func(row []json.RawMessage) error { return cols(row, &n, &exists) })
	if err != nil {
		return fmt.Errorf("write dashboard: %w", err)
	}
	if exists == 0 && n >= store.MaxDashboards {
		return fmt.Errorf("write dashboard: %w: a tenant keeps at most %d dashboards", store.ErrDashboardLimit, store.MaxDashboards)
	}
	return d.insert(ctx, "dashboards", dashboardRow{tenant, db.ID, db.Title, string(doc), 0, d.v.next()})
}

// DeleteDashboard implements store.Dashboards.
func (d *Dashboards) DeleteDashboard(ctx context.Context, tenant, id string) error {
	if _, err := d.Dashboard(ctx, tenant, id); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.insert(ctx, "dashboards", dashboardRow{Tenant: tenant, ID: id, Deleted: 1, Version: d.v.next()})
}

func (d *Dashboards) insert(ctx context.Context, table string, row any) error {
	b, err := json.Marshal(row)
	if err == nil {
		err = d.s.c.insert(ctx, sqlgen.CHIdent(d.s.db)+"."+table, append(b, '\n'))
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", table, err)
	}
	return nil
}

// visible is the condition under which user sees a saved search: theirs,
// or shared.
func visible(user string) string {
	return " AND (owner = " + sqlgen.CHString(user) + " OR shared = 1)"
}

// SavedSearches implements store.Dashboards: the user's own and the
// tenant's shared searches, by name.
func (d *Dashboards) SavedSearches(ctx context.Context, tenant, user string) ([]store.SavedSearch, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out, err := docs[store.SavedSearch](ctx, d.s.c, "SELECT doc"+d.live("saved_searches", tenant)+visible(user)+" ORDER BY name, id")
	if err != nil {
		return nil, fmt.Errorf("list saved searches: %w", err)
	}
	return out, nil
}

// SavedSearch implements store.Dashboards.
func (d *Dashboards) SavedSearch(ctx context.Context, tenant, user, id string) (*store.SavedSearch, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out, err := docs[store.SavedSearch](ctx, d.s.c, "SELECT doc"+d.live("saved_searches", tenant)+visible(user)+" AND id = "+sqlgen.CHString(id))
	if err != nil {
		return nil, fmt.Errorf("read saved search: %w", err)
	}
	if len(out) == 0 {
		return nil, store.ErrDashboardNotFound
	}
	return &out[0], nil
}

type searchRow struct {
	Tenant  string `json:"tenant"`
	ID      string `json:"id"`
	Owner   string `json:"owner"`
	Shared  uint8  `json:"shared"`
	Name    string `json:"name"`
	Doc     string `json:"doc"`
	Deleted uint8  `json:"deleted"`
	Version uint64 `json:"version"`
}

// PutSavedSearch implements store.Dashboards: it creates ss, or replaces
// the search of the same id where ss.Owner owns it; an id another user
// owns is ErrDashboardNotFound.
func (d *Dashboards) PutSavedSearch(ctx context.Context, tenant string, ss store.SavedSearch) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	doc, err := json.Marshal(ss)
	if err != nil {
		return fmt.Errorf("encode saved search: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var n, mine, theirs int64
	id, owner := sqlgen.CHString(ss.ID), sqlgen.CHString(ss.Owner)
	err = d.s.c.queryRows(ctx, "SELECT count(), countIf(id = "+id+" AND owner = "+owner+"), countIf(id = "+id+" AND owner != "+owner+")"+
		d.live("saved_searches", tenant), func(row []json.RawMessage) error { return cols(row, &n, &mine, &theirs) })
	if err != nil {
		return fmt.Errorf("write saved search: %w", err)
	}
	if theirs > 0 {
		return fmt.Errorf("write saved search %s: %w", ss.ID, store.ErrDashboardNotFound)
	}
	if mine == 0 && n >= store.MaxSavedSearches {
		return fmt.Errorf("write saved search: %w: a tenant keeps at most %d saved searches", store.ErrDashboardLimit, store.MaxSavedSearches)
	}
	var shared uint8
	if ss.Shared {
		shared = 1
	}
	return d.insert(ctx, "saved_searches", searchRow{tenant, ss.ID, ss.Owner, shared, ss.Name, string(doc), 0, d.v.next()})
}

// DeleteSavedSearch implements store.Dashboards: only the owner deletes.
func (d *Dashboards) DeleteSavedSearch(ctx context.Context, tenant, user, id string) error {
	if err := checkTenant(tenant); err != nil {
		return err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	n, err := d.s.c.queryInt(ctx, "SELECT count()"+d.live("saved_searches", tenant)+" AND owner = "+sqlgen.CHString(user)+" AND id = "+sqlgen.CHString(id))
	if err != nil {
		return fmt.Errorf("delete saved search: %w", err)
	}
	if n == 0 {
		return store.ErrDashboardNotFound
	}
	return d.insert(ctx, "saved_searches", searchRow{Tenant: tenant, ID: id, Owner: user, Deleted: 1, Version: d.v.next()})
}
