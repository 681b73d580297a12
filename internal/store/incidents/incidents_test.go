package incidents

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store"
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
	// Opening again over existing tables works (a restart).
	if _, err := Open(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	return s
}

// Every read names a tenant and sees nothing of another tenant's rows.
func TestTenantIsolation(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := alert.Alert{ID: "al1", Tenant: "acme", RuleID: "r", Level: "high", First: t0, Last: t0, Count: 1}
	inc := incident.Incident{ID: "inc1", Tenant: "acme", Status: incident.StatusNew, Severity: "high", First: t0, Last: t0,
		AlertCount: 1, AlertIDs: []string{"al1"}, Entities: alert.Entities{Hosts: []string{"WS1"}}}
	ch := &incident.Changes{
		Alerts:    []incident.Member{{IncidentID: "inc1", Alert: a}},
		Incidents: []incident.Incident{inc},
		Entries:   []incident.Stamped{{Tenant: "acme", IncidentID: "inc1", Entry: incident.Entry{Time: t0, Kind: incident.EntryComment, Text: "hi"}}},
	}
	if err := s.Apply(ctx, ch); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		tenant string
		n      int
	}{{"acme", 1}, {"other", 0}} {
		m, err := s.Memberships(ctx, tc.tenant, []string{"al1"})
		if err != nil || len(m) != tc.n {
			t.Errorf("%s: memberships = %v, %v", tc.tenant, m, err)
		}
		l, err := s.Load(ctx, tc.tenant, []string{"inc1"})
		if err != nil || len(l) != tc.n {
			t.Errorf("%s: load = %v, %v", tc.tenant, l, err)
		}
		list, total, err := s.List(ctx, incident.Filter{Tenant: tc.tenant, Entity: "ws1"})
		if err != nil || len(list) != tc.n || total != int64(tc.n) {
			t.Errorf("%s: list = %v, %d, %v", tc.tenant, list, total, err)
		}
		as, err := s.Alerts(ctx, tc.tenant, "inc1", 10)
		if err != nil || len(as) != tc.n {
			t.Errorf("%s: alerts = %v, %v", tc.tenant, as, err)
		}
		es, err := s.Entries(ctx, tc.tenant, "inc1")
		if err != nil || len(es) != tc.n {
			t.Errorf("%s: entries = %v, %v", tc.tenant, es, err)
		}
	}
	for _, bad := range []string{"", "' OR 1=1 --", "a b"} {
		if _, err := s.Load(ctx, bad, []string{"inc1"}); !errors.Is(err, store.ErrBadRequest) {
			t.Errorf("load with tenant %q: %v", bad, err)
		}
		if _, _, err := s.List(ctx, incident.Filter{Tenant: bad}); !errors.Is(err, store.ErrBadRequest) {
			t.Errorf("list with tenant %q: %v", bad, err)
		}
	}
}

// A merge's moves re-point alerts, following chains within one batch, and
// the alert rows written after them land in the survivor.
func TestApplyMoves(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	mk := func(id string) alert.Alert {
		return alert.Alert{ID: id, Tenant: "acme", RuleID: "r", Level: "low", First: t0, Last: t0, Count: 1}
	}
	if err := s.Apply(ctx, &incident.Changes{Alerts: []incident.Member{{IncidentID: "A", Alert: mk("a1")}, {IncidentID: "B", Alert: mk("b1")}}}); err != nil {
		t.Fatal(err)
	}
	err := s.Apply(ctx, &incident.Changes{
		Moves:  []incident.Move{{Tenant: "acme", From: "A", To: "B"}, {Tenant: "acme", From: "B", To: "C"}},
		Alerts: []incident.Member{{IncidentID: "C", Alert: mk("c1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Memberships(ctx, "acme", []string{"a1", "b1", "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if m["a1"] != "C" || m["b1"] != "C" || m["c1"] != "C" {
		t.Errorf("memberships = %v, want all in C", m)
	}
}

// A merge moves an alert that the same batch also updates: the move and
// the upsert of one row in one transaction.
func TestApplyMoveThenUpsertSameAlert(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a := alert.Alert{ID: "a1", Tenant: "acme", RuleID: "r", Level: "low", First: t0, Last: t0, Count: 1}
	if err := s.Apply(ctx, &incident.Changes{Alerts: []incident.Member{{IncidentID: "B", Alert: a}}}); err != nil {
		t.Fatal(err)
	}
	a.Count = 7
	if err := s.Apply(ctx, &incident.Changes{Moves: []incident.Move{{Tenant: "acme", From: "B", To: "A"}},
		Alerts: []incident.Member{{IncidentID: "A", Alert: a}}}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Alerts(ctx, "acme", "A", 10)
	if err != nil || len(got) != 1 || got[0].Count != 7 {
		t.Errorf("alerts of A = %+v, %v", got, err)
	}
	if got, _ := s.Alerts(ctx, "acme", "B", 10); len(got) != 0 {
		t.Errorf("alerts left in B: %+v", got)
	}
}
