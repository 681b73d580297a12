package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/vigilsiem/vigil/internal/store"
)

// RunDashboards runs the conformance suite of store.Dashboards against a
// backend: dashboards per tenant, saved searches per owner and shared
// within a tenant only, changes only by the owner, and both kept across a
// reopen.
func RunDashboards(t *testing.T, open TableOpener[store.Dashboards]) {
	ctx := context.Background()
	t.Run("dashboards per tenant", func(t *testing.T) {
		o := openTable(t, open)
		s := o.s
		d := store.Dashboard{ID: "d1", Title: "SSH", Updated: Base, Panels: []store.DashboardPanel{{Title: "p", Query: "* | stats count()", Chart: "single"}}}
		if err := s.PutDashboard(ctx, "acme", d); err != nil {
			t.Fatal(err)
		}
		o.reopen()
		s = o.s
		got, err := s.Dashboard(ctx, "acme", "d1")
		if err != nil || got.Title != "SSH" || len(got.Panels) != 1 || !got.Updated.Equal(Base) {
			t.Fatalf("read back after a reopen: %+v, %v", got, err)
		}
		// Another tenant sees nothing and cannot delete it.
		if _, err := s.Dashboard(ctx, "globex", "d1"); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("globex reads acme's dashboard: %v", err)
		}
		if l, err := s.Dashboards(ctx, "globex"); err != nil || len(l) != 0 {
			t.Errorf("globex lists %v, %v", l, err)
		}
		if err := s.DeleteDashboard(ctx, "globex", "d1"); !errors.Is(err, store.ErrDashboardNotFound) {
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
		if _, err := s.Dashboard(ctx, "acme", "d1"); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if err := s.PutDashboard(ctx, "../x", d); !errors.Is(err, store.ErrBadRequest) {
			t.Errorf("bad tenant: %v", err)
		}
	})
	t.Run("saved searches: owner, shared within the tenant", func(t *testing.T) {
		o := openTable(t, open)
		s := o.s
		mine := store.SavedSearch{ID: "s1", Name: "private", Query: "x", Owner: "alice", Updated: Base}
		shared := store.SavedSearch{ID: "s2", Name: "shared", Query: "y", Owner: "alice", Shared: true, Updated: Base}
		for _, ss := range []store.SavedSearch{mine, shared} {
			if err := s.PutSavedSearch(ctx, "acme", ss); err != nil {
				t.Fatal(err)
			}
		}
		o.reopen()
		s = o.s
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
		if _, err := s.SavedSearch(ctx, "acme", "vera", "s1"); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("vera reads alice's private search: %v", err)
		}
		if _, err := s.SavedSearch(ctx, "globex", "alice", "s2"); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("globex reads acme's shared search: %v", err)
		}
		// Only the owner changes or deletes.
		steal := shared
		steal.Owner, steal.Name = "vera", "mine now"
		if err := s.PutSavedSearch(ctx, "acme", steal); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("vera overwrites alice's search: %v", err)
		}
		if err := s.DeleteSavedSearch(ctx, "acme", "vera", "s2"); !errors.Is(err, store.ErrDashboardNotFound) {
			t.Errorf("vera deletes alice's search: %v", err)
		}
		shared.Shared = false
		if err := s.PutSavedSearch(ctx, "acme", shared); err != nil {
			t.Fatal(err)
		}
		if n := names("acme", "vera"); len(n) != 0 {
			t.Errorf("unshared, vera sees %v", n)
		}
		if err := s.DeleteSavedSearch(ctx, "acme", "alice", "s2"); err != nil {
			t.Error(err)
		}
		if n := names("acme", "alice"); len(n) != 1 {
			t.Errorf("after delete alice sees %v", n)
		}
	})
}
