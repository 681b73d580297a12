package alerts

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
)

func TestRuleStats(t *testing.T) {
	s := openTest(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	if err := s.WriteAlerts(ctx, []alert.Alert{
		{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "one", Level: "high", First: base, Last: base, Count: 2,
			Tactics: []string{"execution"}, Techniques: []string{"T1059"}},
		{ID: "a2", Tenant: "acme", RuleID: "r1", Title: "one", Level: "high", First: base, Last: base.Add(time.Hour), Count: 3,
			Tactics: []string{"execution"}, Techniques: []string{"T1059"}},
		{ID: "a3", Tenant: "acme", RuleID: "r2", Title: "two", Level: "low", First: base, Last: base.Add(-48 * time.Hour), Count: 1},
		{ID: "b1", Tenant: "other", RuleID: "r1", Title: "one", Level: "high", First: base, Last: base, Count: 7},
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.RuleStats(ctx, "acme", base.Add(-24*time.Hour), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].RuleID != "r1" || got[0].Alerts != 2 || got[0].Events != 5 || !got[0].Last.Equal(base.Add(time.Hour)) ||
		!slices.Equal(got[0].Tactics, []string{"execution"}) || !slices.Equal(got[0].Techniques, []string{"T1059"}) {
		t.Fatalf("last 24 h: %+v", got)
	}
	all, err := s.RuleStats(ctx, "acme", time.Time{}, time.Time{})
	if err != nil || len(all) != 2 || all[1].RuleID != "r2" || len(all[1].Tactics) != 0 {
		t.Fatalf("all time: %+v, %v", all, err)
	}
	if _, err := s.RuleStats(ctx, "bad tenant!", time.Time{}, time.Time{}); err == nil {
		t.Fatal("bad tenant accepted")
	}
}
