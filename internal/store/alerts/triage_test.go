package alerts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

func TestUpdateSurvivesFoldAndFilters(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	as := []alert.Alert{
		{ID: "a1", Tenant: "acme", RuleID: "r1", Level: "high", First: base, Last: base, Count: 1},
		{ID: "a2", Tenant: "acme", RuleID: "r1", Level: "high", First: base, Last: base, Count: 1},
		{ID: "b1", Tenant: "other", RuleID: "r1", Level: "high", First: base, Last: base, Count: 1},
	}
	if err := s.WriteAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	ack := alert.StatusAcknowledged
	bob := "bob"
	got, err := s.Update(ctx, "acme", []string{"a1", "a2"}, Change{Status: &ack, Assignee: &bob, Comment: "looking", Actor: "alice"}, base)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Status != ack || got[0].Assignee != "bob" || got[0].Triage.By != "alice" || len(got[0].Triage.Notes) != 1 {
		t.Fatalf("Update = %+v", got)
	}
	// Detection folds a further hit into a1: the analyst's status stays.
	as[0].Count = 7
	if err := s.WriteAlerts(ctx, as[:1]); err != nil {
		t.Fatal(err)
	}
	list, total, err := s.List(ctx, Filter{Tenant: "acme", Status: "acknowledged"})
	if err != nil || total != 2 || list[0].Status != ack {
		t.Fatalf("List(acknowledged) = %+v, %d, %v", list, total, err)
	}
	if _, total, _ := s.List(ctx, Filter{Tenant: "acme", Status: "open"}); total != 0 {
		t.Fatalf("open alerts after ack: %d", total)
	}
	a, err := s.Get(ctx, "acme", "a1")
	if err != nil || a.Count != 7 || a.Status != ack {
		t.Fatalf("Get = %+v, %v", a, err)
	}
	// Another tenant's alert is not found, and fails the whole change.
	cl := alert.StatusClosed
	if _, err := s.Update(ctx, "acme", []string{"a1", "b1"}, Change{Status: &cl, Actor: "alice"}, base); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Update across tenants: %v", err)
	}
	if a, _ := s.Get(ctx, "acme", "a1"); a.Status != ack {
		t.Fatalf("a failed bulk change applied: %s", a.Status)
	}
	if _, err := s.Get(ctx, "acme", "b1"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get of another tenant's alert: %v", err)
	}
	bad := alert.Status("done")
	for _, c := range []Change{{}, {Status: &bad}, {Comment: string(make([]byte, MaxTextBytes+1))}} {
		if _, err := s.Update(ctx, "acme", []string{"a1"}, c, base); !errors.Is(err, store.ErrBadRequest) {
			t.Fatalf("Update(%+v): %v", c.Status, err)
		}
	}
}
