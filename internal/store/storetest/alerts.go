package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

// RunAlerts runs the conformance suite of store.Alerts against a backend:
// RunAlertRecords, then triage.
func RunAlerts(t *testing.T, open TableOpener[store.Alerts]) {
	RunAlertRecords(t, func(t *testing.T, dir string) (store.AlertRecords, func() error) { return open(t, dir) })
	runTriage(t, open)
}

// RunAlertRecords runs the part of the alerts suite that store.AlertRecords
// covers: writes, folds and lists.
func RunAlertRecords(t *testing.T, open TableOpener[store.AlertRecords]) {
	ctx := context.Background()
	t.Run("write and list filters", func(t *testing.T) {
		s := openTable(t, open).s
		as := []alert.Alert{
			{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "one", Level: "high", First: Base, Last: Base, Count: 1,
				Entities: alert.Entities{Hosts: []string{"ws01"}, Users: []string{"bob"}}},
			{ID: "a2", Tenant: "acme", RuleID: "r2", Title: "two", Level: "low", First: Base, Last: Base.Add(time.Minute), Count: 3,
				Entities: alert.Entities{SourceIPs: []string{"10.0.0.9"}}},
			{ID: "b1", Tenant: "other", RuleID: "r1", Title: "one", Level: "critical", First: Base, Last: Base, Count: 1},
		}
		if err := s.WriteAlerts(ctx, as); err != nil {
			t.Fatal(err)
		}
		// A folded update replaces the row.
		as[0].Count, as[0].Last = 5, Base.Add(2*time.Minute)
		if err := s.WriteAlerts(ctx, as[:1]); err != nil {
			t.Fatal(err)
		}
		f := func(filter store.AlertFilter, want ...string) {
			t.Helper()
			if got := alertIDs(t, s, filter); !slices.Equal(got, want) {
				t.Fatalf("List(%+v) = %v, want %v", filter, got, want)
			}
		}
		f(store.AlertFilter{Tenant: "acme"}, "a1", "a2")
		f(store.AlertFilter{Tenant: "other"}, "b1")
		f(store.AlertFilter{Tenant: "nobody"})
		f(store.AlertFilter{Tenant: "acme", MinLevel: "medium"}, "a1")
		f(store.AlertFilter{Tenant: "acme", RuleID: "r2"}, "a2")
		f(store.AlertFilter{Tenant: "acme", Status: "open"}, "a1", "a2")
		f(store.AlertFilter{Tenant: "acme", Entity: "bob"}, "a1")
		f(store.AlertFilter{Tenant: "acme", Entity: "10.0.0.9"}, "a2")
		f(store.AlertFilter{Tenant: "acme", From: Base.Add(90 * time.Second)}, "a1")
		f(store.AlertFilter{Tenant: "acme", To: Base.Add(90 * time.Second)}, "a2")
		got, total, err := s.List(ctx, store.AlertFilter{Tenant: "acme", Limit: 1})
		if err != nil || len(got) != 1 || total != 2 {
			t.Fatalf("List(limit 1) = %d alerts, total %d, %v; want 1 of 2", len(got), total, err)
		}
		if got[0].ID != "a1" || got[0].Count != 5 || got[0].Status != alert.StatusOpen || !got[0].Last.Equal(as[0].Last) {
			t.Errorf("folded alert = %+v", got[0])
		}
		for _, bad := range []store.AlertFilter{{Tenant: "acme", MinLevel: "apocalyptic"}, {Tenant: "' OR 1=1"}, {}} {
			if _, _, err := s.List(ctx, bad); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("List(%+v) = %v, want a bad request", bad, err)
			}
		}
	})
	t.Run("a batch with repeats", func(t *testing.T) {
		// A batch larger than any statement, holding several updates of
		// one alert, stores every alert once with its last update.
		s := openTable(t, open).s
		var as []alert.Alert
		for i := range 250 {
			as = append(as, alert.Alert{ID: fmt.Sprintf("a%03d", i), Tenant: "acme", RuleID: "r", Title: "t", Level: "low",
				First: Base, Last: Base, Count: 1})
		}
		for c := 2; c <= 4; c++ {
			as = append(as, alert.Alert{ID: "a007", Tenant: "acme", RuleID: "r", Title: "t", Level: "high",
				First: Base, Last: Base.Add(time.Duration(c) * time.Minute), Count: c})
		}
		if err := s.WriteAlerts(ctx, as); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteAlerts(ctx, nil); err != nil {
			t.Fatalf("an empty batch: %v", err)
		}
		got, total, err := s.List(ctx, store.AlertFilter{Tenant: "acme", Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if total != 250 || len(got) != 250 {
			t.Fatalf("stored %d alerts (total %d), want 250", len(got), total)
		}
		if got[0].ID != "a007" || got[0].Count != 4 || got[0].Level != "high" {
			t.Errorf("first alert = %s count %d level %s, want a007 with its last update (4, high)", got[0].ID, got[0].Count, got[0].Level)
		}
	})
	t.Run("rule stats", func(t *testing.T) {
		s := openTable(t, open).s
		exec, persist := []string{"execution"}, []string{"execution", "persistence"}
		as := []alert.Alert{
			{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "one", Level: "high", First: Base, Last: Base, Count: 2,
				Tactics: exec, Techniques: []string{"T1059"}},
			{ID: "a2", Tenant: "acme", RuleID: "r1", Title: "one, renamed", Level: "high", First: Base, Last: Base.Add(time.Hour), Count: 3,
				Tactics: persist, Techniques: []string{"T1059", "T1053"}},
			{ID: "a3", Tenant: "acme", RuleID: "r2", Title: "two", Level: "low", First: Base, Last: Base.Add(-48 * time.Hour), Count: 1},
			{ID: "a4", Tenant: "acme", RuleID: "r3", Title: "three", Level: "low", First: Base, Last: Base, Count: 1},
			{ID: "b1", Tenant: "other", RuleID: "r1", Title: "one", Level: "high", First: Base, Last: Base, Count: 7},
		}
		if err := s.WriteAlerts(ctx, as); err != nil {
			t.Fatal(err)
		}
		// A folded alert counts once, as its newest update: its events
		// and its last time, also for the period it falls in.
		as[3].Count, as[3].Last = 4, Base.Add(30*time.Minute)
		if err := s.WriteAlerts(ctx, as[3:4]); err != nil {
			t.Fatal(err)
		}
		r1 := "r1 one, renamed: 2 alerts, 5 events, last " + Base.Add(time.Hour).Format(time.RFC3339) + ", [execution persistence] [T1059 T1053]"
		r2 := "r2 two: 1 alerts, 1 events, last " + Base.Add(-48*time.Hour).Format(time.RFC3339) + ", [] []"
		r3 := "r3 three: 1 alerts, 4 events, last " + Base.Add(30*time.Minute).Format(time.RFC3339) + ", [] []"
		for _, c := range []struct {
			tenant   string
			from, to time.Time
			want     []string
		}{
			{"acme", time.Time{}, time.Time{}, []string{r1, r2, r3}},
			{"acme", Base.Add(-24 * time.Hour), time.Time{}, []string{r1, r3}},
			{"acme", Base.Add(-24 * time.Hour), Base.Add(10 * time.Minute), []string{
				"r1 one: 1 alerts, 2 events, last " + Base.Format(time.RFC3339) + ", [execution] [T1059]"}},
			{"acme", Base.Add(2 * time.Hour), time.Time{}, nil},
			{"other", time.Time{}, time.Time{}, []string{"r1 one: 1 alerts, 7 events, last " + Base.Format(time.RFC3339) + ", [] []"}},
			{"nobody", time.Time{}, time.Time{}, nil},
		} {
			sts, err := s.RuleStats(ctx, c.tenant, c.from, c.to)
			if err != nil {
				t.Fatalf("RuleStats(%s, %v, %v): %v", c.tenant, c.from, c.to, err)
			}
			var got []string
			for _, st := range sts {
				got = append(got, fmt.Sprintf("%s %s: %d alerts, %d events, last %s, %v %v", st.RuleID, st.Title, st.Alerts, st.Events,
					st.Last.Format(time.RFC3339), st.Tactics, st.Techniques))
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("RuleStats(%s, %v, %v) =\n%q\nwant\n%q", c.tenant, c.from, c.to, got, c.want)
			}
		}
		for _, bad := range []string{"", "' OR 1=1"} {
			if _, err := s.RuleStats(ctx, bad, time.Time{}, time.Time{}); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("RuleStats(%q) = %v, want a bad request", bad, err)
			}
		}
	})
}

// runTriage runs the triage part of the alerts suite.
func runTriage(t *testing.T, open TableOpener[store.Alerts]) {
	ctx := context.Background()
	t.Run("triage survives a fold", func(t *testing.T) {
		s := openTable(t, open).s
		as := []alert.Alert{
			{ID: "a1", Tenant: "acme", RuleID: "r1", Level: "high", First: Base, Last: Base, Count: 1},
			{ID: "a2", Tenant: "acme", RuleID: "r1", Level: "high", First: Base, Last: Base, Count: 1},
			{ID: "b1", Tenant: "other", RuleID: "r1", Level: "high", First: Base, Last: Base, Count: 1},
		}
		if err := s.WriteAlerts(ctx, as); err != nil {
			t.Fatal(err)
		}
		ack, bob := alert.StatusAcknowledged, "bob"
		got, err := s.Update(ctx, "acme", []string{"a1", "a2"}, store.AlertChange{Status: &ack, Assignee: &bob, Comment: "looking", Actor: "alice"}, Base)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Status != ack || got[0].Assignee != "bob" || got[0].Triage == nil || got[0].Triage.By != "alice" || len(got[0].Triage.Notes) != 1 {
			t.Fatalf("Update = %+v", got)
		}
		// Detection folds a further hit into a1: the analyst's status stays.
		as[0].Count = 7
		if err := s.WriteAlerts(ctx, as[:1]); err != nil {
			t.Fatal(err)
		}
		if got := alertIDs(t, s, store.AlertFilter{Tenant: "acme", Status: "acknowledged"}); len(got) != 2 {
			t.Fatalf("acknowledged alerts = %v, want a1 and a2", got)
		}
		if got := alertIDs(t, s, store.AlertFilter{Tenant: "acme", Status: "open"}); len(got) != 0 {
			t.Fatalf("open alerts after the acknowledgement: %v", got)
		}
		a, err := s.Get(ctx, "acme", "a1")
		if err != nil || a.Count != 7 || a.Status != ack || a.Assignee != "bob" {
			t.Fatalf("Get = %+v, %v", a, err)
		}
		n := a.Triage.Notes[0]
		if n.Actor != "alice" || n.Status != ack || n.Assignee != "bob" || n.Text != "looking" || !n.At.Equal(Base) {
			t.Errorf("note = %+v", n)
		}
		// A comment alone keeps the status and adds a note.
		if got, err := s.Update(ctx, "acme", []string{"a1"}, store.AlertChange{Comment: "still", Actor: "carol"}, Base.Add(time.Minute)); err != nil ||
			got[0].Status != ack || len(got[0].Triage.Notes) != 2 || got[0].Triage.Notes[1].Text != "still" {
			t.Fatalf("Update(comment) = %+v, %v", got, err)
		}
		// Another tenant's alert is not found, and fails the whole change.
		cl := alert.StatusClosed
		if _, err := s.Update(ctx, "acme", []string{"a1", "b1"}, store.AlertChange{Status: &cl, Actor: "alice"}, Base); !errors.Is(err, store.ErrAlertNotFound) {
			t.Fatalf("Update across tenants: %v", err)
		}
		if a, _ := s.Get(ctx, "acme", "a1"); a.Status != ack {
			t.Fatalf("a failed bulk change applied: %s", a.Status)
		}
		if _, err := s.Get(ctx, "acme", "b1"); !errors.Is(err, store.ErrAlertNotFound) {
			t.Fatalf("Get of another tenant's alert: %v", err)
		}
		if _, err := s.Get(ctx, "acme", "nope"); !errors.Is(err, store.ErrAlertNotFound) {
			t.Fatalf("Get of an unknown alert: %v", err)
		}
		bad := alert.Status("done")
		for _, c := range []store.AlertChange{{}, {Status: &bad}, {Comment: string(make([]byte, store.MaxAlertText+1))}} {
			if _, err := s.Update(ctx, "acme", []string{"a1"}, c, Base); !errors.Is(err, store.ErrBadRequest) {
				t.Fatalf("Update(%+v): %v", c.Status, err)
			}
		}
		many := make([]string, store.MaxAlertBulk+1)
		for i := range many {
			many[i] = fmt.Sprint("x", i)
		}
		if _, err := s.Update(ctx, "acme", many, store.AlertChange{Comment: "x"}, Base); !errors.Is(err, store.ErrBadRequest) {
			t.Fatalf("Update of %d alerts: %v", len(many), err)
		}
		if _, err := s.Update(ctx, "' OR 1=1", []string{"a1"}, store.AlertChange{Comment: "x"}, Base); !errors.Is(err, store.ErrBadRequest) {
			t.Fatalf("Update with a bad tenant: %v", err)
		}
	})
	t.Run("durable across reopen", func(t *testing.T) {
		o := openTable(t, open)
		if err := o.s.WriteAlerts(ctx, []alert.Alert{{ID: "a1", Tenant: "acme", RuleID: "r1", Level: "high", First: Base, Last: Base, Count: 2}}); err != nil {
			t.Fatal(err)
		}
		cl := alert.StatusClosed
		if _, err := o.s.Update(ctx, "acme", []string{"a1"}, store.AlertChange{Status: &cl, Actor: "alice"}, Base); err != nil {
			t.Fatal(err)
		}
		o.reopen()
		a, err := o.s.Get(ctx, "acme", "a1")
		if err != nil || a.Count != 2 || a.Status != cl || a.Triage == nil || len(a.Triage.Notes) != 1 {
			t.Fatalf("after reopen: Get = %+v, %v", a, err)
		}
	})
}

// alertIDs lists the ids of the alerts matching f, checking the total.
func alertIDs(t *testing.T, s store.AlertRecords, f store.AlertFilter) []string {
	t.Helper()
	got, total, err := s.List(context.Background(), f)
	if err != nil {
		t.Fatalf("List(%+v): %v", f, err)
	}
	ids := []string{}
	for _, a := range got {
		ids = append(ids, a.ID)
	}
	if int(total) != len(ids) {
		t.Fatalf("List(%+v) = %v with total %d", f, ids, total)
	}
	return ids
}
