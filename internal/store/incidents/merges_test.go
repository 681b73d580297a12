package incidents

import (
	"context"
	"database/sql"
	"maps"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

// rowIncidents returns the incident_id column of incident_alerts by alert id.
func rowIncidents(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	rows, err := db.Query("SELECT alert_id, incident_id FROM incident_alerts")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, i string
		if err := rows.Scan(&a, &i); err != nil {
			t.Fatal(err)
		}
		out[a] = i
	}
	return out
}

// A merge rewrites no row of incident_alerts: it is one row of
// incident_merges, and every read follows it (chains across batches too),
// answering as when the rows were re-pointed.
func TestMergesRewriteNoRows(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	db, as, is := openShared(t)
	is.ShareAlertDocs()
	a1, b1, c1, o1 := sharedAlert("a1", at), sharedAlert("b1", at.Add(time.Second)), sharedAlert("c1", at.Add(2*time.Second)), sharedAlert("o1", at)
	o1.Tenant = "other"
	if err := as.WriteAlerts(ctx, []alert.Alert{a1, b1, c1, o1}); err != nil {
		t.Fatal(err)
	}
	if err := is.Apply(ctx, &store.IncidentChanges{Alerts: []store.IncidentMember{
		{IncidentID: "A", Alert: a1, New: true, InAlertTable: true},
		{IncidentID: "B", Alert: b1, New: true, InAlertTable: true},
		{IncidentID: "A", Alert: o1, New: true, InAlertTable: true}}}); err != nil {
		t.Fatal(err)
	}
	// A into B in one batch, B into C in the next.
	if err := is.Apply(ctx, &store.IncidentChanges{Moves: []store.IncidentMove{{Tenant: "acme", From: "A", To: "B"}}}); err != nil {
		t.Fatal(err)
	}
	if err := is.Apply(ctx, &store.IncidentChanges{Moves: []store.IncidentMove{{Tenant: "acme", From: "B", To: "C"}},
		Alerts: []store.IncidentMember{{IncidentID: "C", Alert: c1, New: true, InAlertTable: true}}}); err != nil {
		t.Fatal(err)
	}
	if got, want := rowIncidents(t, db), map[string]string{"a1": "A", "b1": "B", "c1": "C", "o1": "A"}; !maps.Equal(got, want) {
		t.Errorf("rows of incident_alerts = %v, want them as written %v", got, want)
	}
	var merges int
	if err := db.QueryRow("SELECT count(*) FROM incident_merges").Scan(&merges); err != nil || merges != 2 {
		t.Errorf("incident_merges rows = %d, %v; want 2", merges, err)
	}
	m, err := is.Memberships(ctx, "acme", []string{"a1", "b1", "c1", "zz"})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"a1": "C", "b1": "C", "c1": "C"}; !maps.Equal(m, want) {
		t.Errorf("memberships = %v, want %v", m, want)
	}
	if m, _ := is.Memberships(ctx, "other", []string{"o1"}); m["o1"] != "A" {
		t.Errorf("another tenant's incident A followed acme's merge: %v", m)
	}
	all, complete, err := is.AllMemberships(ctx, 100)
	if err != nil || !complete {
		t.Fatalf("all memberships: %v, complete %v", err, complete)
	}
	if want := map[string]string{"a1": "C", "b1": "C", "c1": "C"}; !maps.Equal(all["acme"], want) || all["other"]["o1"] != "A" {
		t.Errorf("all memberships = %v", all)
	}
	got, err := is.Alerts(ctx, "acme", "C", 10)
	if err != nil || len(got) != 3 || got[0].ID != "a1" || got[1].ID != "b1" || got[2].ID != "c1" {
		t.Errorf("alerts of C = %+v, %v; want a1, b1, c1", got, err)
	}
	if got, err := is.Alerts(ctx, "acme", "C", 2); err != nil || len(got) != 2 || got[1].ID != "b1" {
		t.Errorf("first two alerts of C = %+v, %v", got, err)
	}
	for _, id := range []string{"A", "B"} {
		if got, err := is.Alerts(ctx, "acme", id, 10); err != nil || len(got) != 0 {
			t.Errorf("alerts left in merged incident %s: %+v, %v", id, got, err)
		}
	}
	if got, err := is.Alerts(ctx, "other", "A", 10); err != nil || len(got) != 1 || got[0].ID != "o1" {
		t.Errorf("alerts of the other tenant's A = %+v, %v", got, err)
	}
}

// New incidents are appended and stored ones replaced, in one batch; the
// rows read back are the batch's, whichever way each went.
func TestIncidentsAppendedOrReplaced(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	db, _, is := openShared(t)
	inc := func(tenant, id string, st store.IncidentStatus, sev string) store.Incident {
		return store.Incident{ID: id, Tenant: tenant, Status: st, Severity: sev, First: at, Last: at, Updated: at, Title: id + " " + sev}
	}
	if err := is.Apply(ctx, &store.IncidentChanges{Incidents: []store.Incident{
		inc("acme", "X", store.IncidentNew, "low"), inc("acme", "Y", store.IncidentNew, "low")}}); err != nil {
		t.Fatal(err)
	}
	// X stored (replaced), Z new (appended), X of another tenant new
	// (appended: the key is the tenant and the id).
	if err := is.Apply(ctx, &store.IncidentChanges{Incidents: []store.Incident{
		inc("acme", "X", store.IncidentInProgress, "high"), inc("acme", "Z", store.IncidentNew, "medium"),
		inc("other", "X", store.IncidentNew, "critical")}}); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := db.QueryRow("SELECT count(*) FROM incidents").Scan(&rows); err != nil || rows != 4 {
		t.Fatalf("incident rows = %d, %v; want 4", rows, err)
	}
	got, err := is.Load(ctx, "acme", []string{"X", "Y", "Z"})
	if err != nil || len(got) != 3 {
		t.Fatalf("load = %+v, %v", got, err)
	}
	by := map[string]store.Incident{}
	for _, g := range got {
		by[g.ID] = g
	}
	if x := by["X"]; x.Status != store.IncidentInProgress || x.Severity != "high" || x.Title != "X high" {
		t.Errorf("X = %+v, want the second batch's", x)
	}
	if y, z := by["Y"], by["Z"]; y.Severity != "low" || z.Severity != "medium" {
		t.Errorf("Y = %+v, Z = %+v", y, z)
	}
	if o, err := is.Load(ctx, "other", []string{"X"}); err != nil || len(o) != 1 || o[0].Severity != "critical" {
		t.Errorf("other's X = %+v, %v", o, err)
	}
	var rank int
	if err := db.QueryRow("SELECT severity_rank FROM incidents WHERE tenant = 'acme' AND id = 'X'").Scan(&rank); err != nil || rank != alert.LevelRank("high") {
		t.Errorf("X's severity_rank = %d, %v", rank, err)
	}
	// The same new incident twice in one batch: stored once, as before.
	if err := is.Apply(ctx, &store.IncidentChanges{Incidents: []store.Incident{
		inc("acme", "W", store.IncidentNew, "low"), inc("acme", "W", store.IncidentNew, "low")}}); err != nil {
		t.Fatal(err)
	}
	if got, err := is.Load(ctx, "acme", []string{"W"}); err != nil || len(got) != 1 {
		t.Errorf("W = %+v, %v", got, err)
	}
}
