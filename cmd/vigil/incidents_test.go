package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

func TestIncidentsCommand(t *testing.T) {
	c, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	st, err := incidents.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	m, err := incident.New(context.Background(), st, incident.Config{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	if err := m.WriteAlerts(context.Background(), []alert.Alert{{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "Port scan", Level: "high",
		First: now, Last: now, Count: 1, Entities: alert.Entities{SourceIPs: []string{"198.51.100.7"}}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Mounts: []api.Mounter{api.IncidentsHandler{Incidents: m}}}).Handler())
	defer srv.Close()
	run := func(args ...string) (string, string, int) {
		t.Helper()
		var out, errs bytes.Buffer
		incidentsOut = &out
		defer func() { incidentsOut = nil }()
		code := runCommand(commands["incidents"], append(args, "--server", srv.URL, "--tenant", "acme"), &errs)
		return out.String(), errs.String(), code
	}
	out, errs, code := run("list", "--severity", "medium")
	if code != 0 || !strings.Contains(out, "Port scan") || !strings.Contains(out, "198.51.100.7") {
		t.Fatalf("list: %d %q %q", code, out, errs)
	}
	id := strings.Fields(strings.Split(out, "\n")[1])[0]
	if out, errs, code = run("update", id, "--status", "in_progress", "--assignee", "ann", "--comment", "looking", "--author", "ann"); code != 0 {
		t.Fatalf("update: %d %q %q", code, out, errs)
	}
	out, errs, code = run("show", id)
	for _, want := range []string{"status in_progress", `assignee "ann"`, "comment", "looking", "Port scan [high]"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show lacks %q: %d %q %q", want, code, out, errs)
		}
	}
	if _, errs, code = run("show", "nope"); code != 1 || !strings.Contains(errs, "not found") {
		t.Errorf("show of an unknown incident: %d %q", code, errs)
	}
	if _, errs, code = run("update", id); code != 1 || !strings.Contains(errs, "give --status") {
		t.Errorf("empty update: %d %q", code, errs)
	}
	if _, _, code = run("frobnicate"); code != 2 {
		t.Errorf("unknown verb: %d", code)
	}
	if out, _, code = run("list", "--format", "json"); code != 0 || !strings.HasPrefix(out, `{"incidents":[`) {
		t.Errorf("json: %d %q", code, out)
	}
}
