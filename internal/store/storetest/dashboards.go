package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/dashboard"
	"github.com/vigilsiem/vigil/internal/store"
)

// RunDashboards runs the conformance suite of store.Dashboards against a
// backend.
func RunDashboards(t *testing.T, open TableOpener[store.Dashboards]) {
	ctx := context.Background()
	board := func(id, title string) dashboard.Dashboard {
		return dashboard.Dashboard{ID: id, Title: title, Updated: Base,
			Panels: []dashboard.Panel{{Title: "p", Query: "* | stats count()", Chart: dashboard.Single}}}
	}
	t.Run("dashboards per tenant", func(t *testing.T) {
		s := openTable(t, open).s
		d := board("d1", "SSH")
		if err := s.PutDashboard(ctx, "acme", d); err != nil {
			t.Fatal(err)
		}
		got, err := s.Dashboard(ctx, "acme", "d1")
		if err != nil || got.Title != "SSH" || len(got.Panels) != 1 || got.Panels[0].Query != d.Panels[0].Query || !got.Updated.Equal(Base) {
			t.Fatalf("read back: %+v, %v", got, err)
		}
		// Another tenant sees nothing, cannot delete it, and its own d1 is
		// another row.
		if _, err := s.Dashboard(ctx, "globex", "d1"); !errors.Is(err, dashboard.ErrNotFound) {
			t.Errorf("globex reads acme's dashboard: %v", err)
		}
		if l, err := s.Dashboards(ctx, "globex"); err != nil || len(l) != 0 {
			t.Errorf("globex lists %v, %v", l, err)
		}
		if err := s.DeleteDashboard(ctx, "globex", "d1"); !errors.Is(err, dashboard.ErrNotFound) {
			t.Errorf("globex deletes acme's dashboard: %v", err)
		}
		if err := s.PutDashboard(ctx, "globex", board("d1", "Globex")); err != nil {
			t.Fatal(err)
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
		if g, err := s.Dashboard(ctx, "globex", "d1"); err != nil || g.Title != "Globex" {
			t.Errorf("globex's own d1 = %+v, %v", g, err)
		}
		for _, bad := range []string{"../x", "", "' OR 1=1 --"} {
			if err := s.PutDashboard(ctx, bad, d); err == nil {
				t.Errorf("tenant %q accepted", bad)
			}
			if _, err := s.Dashboards(ctx, bad); err == nil {
				t.Errorf("list of tenant %q accepted", bad)
			}
		}
	})
	t.Run("saved search visibility", func(t *testing.T) {
		s := openTable(t, open).s
		mine := dashboard.SavedSearch{ID: "s1", Name: "private", Query: "x", Owner: "alice", Updated: Base}
		shared := dashboard.SavedSearch{ID: "s2", Name: "shared", Query: "y", Owner: "alice", Shared: true, Updated: Base}
		for _, ss := range []dashboard.SavedSearch{mine, shared} {
			if err := s.PutSavedSearch(ctx, "acme", ss); err != nil {
				t.Fatal(err)
			}
		}
		names := func(tenant, user string) []string {
			t.Helper()
			l, err := s.SavedSearches(ctx, tenant, user)
			if err != nil {
				t.Fatal(err)
			}
			n := []string{}
			for _, x := range l {
				n = append(n, x.Name)
			}
			slices.Sort(n)
			return n
		}
		if n := names("acme", "alice"); !slices.Equal(n, []string{"private", "shared"}) {
			t.Errorf("alice sees %v", n)
		}
		if n := names("acme", "vera"); !slices.Equal(n, []string{"shared"}) {
			t.Errorf("vera (same tenant) sees %v, want the shared one", n)
		}
		// A user of the same name in another tenant sees nothing.
		if n := names("globex", "alice"); len(n) != 0 {
			t.Errorf("globex's alice sees %v", n)
		}
		if got, err := s.SavedSearch(ctx, "acme", "alice", "s1"); err != nil || got.Query != "x" || got.Owner != "alice" {
			t.Errorf("alice reads her search: %+v, %v", got, err)
		}
		if got, err := s.SavedSearch(ctx, "acme", "vera", "s2"); err != nil || got.Name != "shared" {
			t.Errorf("vera reads the shared search: %+v, %v", got, err)
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
		shared.Name = "shared 2"
		if err := s.PutSavedSearch(ctx, "acme", shared); err != nil {
			t.Errorf("alice replaces her search: %v", err)
		}
		if n := names("acme", "vera"); !slices.Equal(n, []string{"shared 2"}) {
			t.Errorf("after the owner's change vera sees %v", n)
		}
		if err := s.DeleteSavedSearch(ctx, "acme", "alice", "s2"); err != nil {
			t.Error(err)
		}
		if n := names("acme", "vera"); len(n) != 0 {
			t.Errorf("after delete vera sees %v", n)
		}
	})
	t.Run("dashboard limit", func(t *testing.T) {
		s := openTable(t, open).s
		for i := range dashboard.MaxDashboards {
			if err := s.PutDashboard(ctx, "acme", board(fmt.Sprint("d", i), "x")); err != nil {
				t.Fatalf("dashboard %d: %v", i, err)
			}
		}
		if err := s.PutDashboard(ctx, "acme", board("one-more", "x")); !errors.Is(err, dashboard.ErrLimit) {
			t.Errorf("dashboard %d: %v, want the limit", dashboard.MaxDashboards+1, err)
		}
		if err := s.PutDashboard(ctx, "acme", board("d7", "replaced")); err != nil {
			t.Errorf("replacing at the limit: %v", err)
		}
		if err := s.PutDashboard(ctx, "globex", board("d1", "x")); err != nil {
			t.Errorf("another tenant at acme's limit: %v", err)
		}
	})
	t.Run("durable across reopen", func(t *testing.T) {
		o := openTable(t, open)
		if err := o.s.PutDashboard(ctx, "acme", board("d1", "SSH")); err != nil {
			t.Fatal(err)
		}
		if err := o.s.PutSavedSearch(ctx, "acme", dashboard.SavedSearch{ID: "s1", Name: "n", Query: "x", Owner: "alice", Updated: Base}); err != nil {
			t.Fatal(err)
		}
		o.reopen()
		if d, err := o.s.Dashboard(ctx, "acme", "d1"); err != nil || d.Title != "SSH" {
			t.Errorf("after reopen: %+v, %v", d, err)
		}
		if ss, err := o.s.SavedSearch(ctx, "acme", "alice", "s1"); err != nil || ss.Query != "x" {
			t.Errorf("after reopen: %+v, %v", ss, err)
		}
	})
}
