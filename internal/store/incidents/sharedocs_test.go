package incidents

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/alerts"
)

func openShared(t *testing.T) (*sql.DB, *alerts.Store, *Store) {
	t.Helper()
	c, err := duckdb.NewConnector(filepath.Join(t.TempDir(), "v.duckdb")+"?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	as, err := alerts.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	is, err := Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	return db, as, is
}

func sharedAlert(id string, at time.Time) alert.Alert {
	return alert.Alert{ID: id, Tenant: "acme", RuleID: "rule-1", Title: "Rule 1", Level: "high", First: at, Last: at.Add(time.Minute), Count: 2,
		EventIDs: []string{"ev-" + id}, Tags: []string{"attack.t1110"}, Status: alert.StatusOpen,
		Entities: alert.Entities{Hosts: []string{"web01"}, SourceIPs: []string{"203.0.113.9"}}}
}

// storedDocs returns the doc column of incident_alerts by alert id.
func storedDocs(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT alert_id, doc FROM incident_alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			t.Fatal(err)
		}
		out[id] = doc
	}
	return out
}

// A store that shares alert documents keeps no copy of a member marked
// InAlertTable, and reads it back from the alerts table: the incident's
// alerts read the same as from a copy, folded updates included. A member
// not so marked keeps its copy; so does every member of a store that does
// not share.
func TestShareAlertDocs(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	a1, a2, a3 := sharedAlert("a1", at), sharedAlert("a2", at.Add(time.Second)), sharedAlert("a3", at.Add(2*time.Second))
	for _, share := range []bool{true, false} {
		db, as, is := openShared(t)
		if share {
			is.ShareAlertDocs()
		}
		if err := as.WriteAlerts(ctx, []alert.Alert{a1, a2}); err != nil {
			t.Fatal(err)
		}
		ch := &store.IncidentChanges{
			Alerts: []store.IncidentMember{
				{IncidentID: "inc-1", Alert: a1, New: true, InAlertTable: true},
				{IncidentID: "inc-1", Alert: a2, New: true, InAlertTable: true},
				{IncidentID: "inc-1", Alert: a3, New: true}, // not in the alerts table: its copy is kept
			},
			Incidents: []store.Incident{{ID: "inc-1", Tenant: "acme", Status: store.IncidentNew, First: at, Last: at, Updated: at}},
		}
		if err := is.Apply(ctx, ch); err != nil {
			t.Fatal(err)
		}
		docs := storedDocs(t, db)
		if got := docs["a1"] == "" && docs["a2"] == ""; got != share {
			t.Errorf("share %v: stored docs of a1, a2 empty = %v", share, got)
		}
		if docs["a3"] == "" {
			t.Errorf("share %v: the member not in the alerts table lost its copy", share)
		}
		// A folded update of a1, written as the applier writes it: the
		// alerts table first, then the incident member.
		a1b := a1
		a1b.Count, a1b.Last = 5, at.Add(time.Hour)
		if err := as.WriteAlerts(ctx, []alert.Alert{a1b}); err != nil {
			t.Fatal(err)
		}
		if err := is.Apply(ctx, &store.IncidentChanges{Alerts: []store.IncidentMember{{IncidentID: "inc-1", Alert: a1b, InAlertTable: true}}}); err != nil {
			t.Fatal(err)
		}
		got, err := is.Alerts(ctx, "acme", "inc-1", 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []alert.Alert{a1b, a2, a3}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("share %v: alerts of the incident\n got %+v\nwant %+v", share, got, want)
		}
		if got, err := is.Alerts(ctx, "acme", "inc-1", 2); err != nil || len(got) != 2 || got[0].ID != "a1" || got[1].ID != "a2" {
			t.Errorf("share %v: first two alerts = %+v, %v", share, got, err)
		}
		if got, err := is.Alerts(ctx, "other", "inc-1", 10); err != nil || len(got) != 0 {
			t.Errorf("share %v: another tenant reads %+v, %v", share, got, err)
		}
	}
}
