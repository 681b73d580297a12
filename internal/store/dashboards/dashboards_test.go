package dashboards

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/dashboard"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	c, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	s, err := Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Open(context.Background(), db); err != nil { // a restart
		t.Fatal(err)
	}
	return s
}

var t0 = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

func TestDashboardsPerTenant(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	d := dashboard.Dashboard{ID: "d1", Title: "SSH", Updated: t0, Panels: []dashboard.Panel{{Title: "p", Query: "* | stats count()", Chart: dashboard.Single}}}
	if err := s.PutDashboard(ctx, "acme", d); err != nil {
		t.Fatal(err)
	}
	got, err := s.Dashboard(ctx, "acme", "d1")
	if err != nil || got.Title != "SSH" || len(got.Panels) != 1 {
		t.Fatalf("read back: %+v, %v", got, err)
	}
	// Another tenant sees nothing, cannot delete it, and its own d1 is another row.
	if _, err := s.Dashboard(ctx, "globex", "d1"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("globex reads acme's dashboard: %v", err)
	}
	if l, _ := s.Dashboards(ctx, "globex"); len(l) != 0 {
		t.Errorf("globex lists %v", l)
	}
	if err := s.DeleteDashboard(ctx, "globex", "d1"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("globex deletes acme's dashboard: %v", err)
	}
	d.Title = "SSH 2"
	if err := s.PutDashboard(ctx, "acme", d); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Dashboards(ctx, "acme"); len(l) != 1 || l[0].Title != "SSH 2" {
		t.Errorf("replace: %v", l)
	}
	if err := s.DeleteDashboard(ctx, "acme", "d1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Dashboard(ctx, "acme", "d1"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	if err := s.PutDashboard(ctx, "../x", d); err == nil {
		t.Error("bad tenant accepted")
	}
}

func TestSavedSearchVisibility(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	mine := dashboard.SavedSearch{ID: "s1", Name: "private", Query: "x", Owner: "alice", Updated: t0}
	shared := dashboard.SavedSearch{ID: "s2", Name: "shared", Query: "y", Owner: "alice", Shared: true, Updated: t0}
	for _, ss := range []dashboard.SavedSearch{mine, shared} {
		if err := s.PutSavedSearch(ctx, "acme", ss); err != nil {
			t.Fatal(err)
		}
	}
	names := func(tenant, user string) []string {
		l, err := s.SavedSearches(ctx, tenant, user)
		if err != nil {
			t.Fatal(err)
		}
		var n []string
		for _, x := range l {
			n = append(n, x.Name)
		}
		return n
	}
	if n := names("acme", "alice"); len(n) != 2 {
		t.Errorf("alice sees %v", n)
	}
	if n := names("acme", "vera"); len(n) != 1 || n[0] != "shared" {
		t.Errorf("vera (same tenant) sees %v, want the shared one", n)
	}
	// A user of the same name in another tenant sees nothing.
	if n := names("globex", "alice"); len(n) != 0 {
		t.Errorf("globex's alice sees %v", n)
	}
	if _, err := s.SavedSearch(ctx, "acme", "vera", "s1"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("vera reads alice's private search: %v", err)
	}
	if _, err := s.SavedSearch(ctx, "globex", "alice", "s2"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("globex reads acme's shared search: %v", err)
	}
	// Only the owner changes or deletes.
	steal := shared
	steal.Owner, steal.Name = "vera", "mine now"
	if err := s.PutSavedSearch(ctx, "acme", steal); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("vera overwrites alice's search: %v", err)
	}
	if err := s.DeleteSavedSearch(ctx, "acme", "vera", "s2"); !errors.Is(err, dashboard.ErrNotFound) {
		t.Errorf("vera deletes alice's search: %v", err)
	}
	if err := s.DeleteSavedSearch(ctx, "acme", "alice", "s2"); err != nil {
		t.Error(err)
	}
	if n := names("acme", "vera"); len(n) != 0 {
		t.Errorf("after delete vera sees %v", n)
	}
}
