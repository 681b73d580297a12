package clickhouse

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
)

// The cases of internal/store/alerts' tests, on ClickHouse.

func openAlerts(t *testing.T) *Alerts {
	t.Helper()
	s := openOn(t, chtest.Start(t), "alerts_test")
	a, err := s.OpenAlerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAlertsWriteListFilters(t *testing.T) {
	s := openAlerts(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	as := []alert.Alert{
		{ID: "a1", Tenant: "acme", RuleID: "r1", Title: "one", Level: "high", First: base, Last: base, Count: 1,
			Entities: alert.Entities{Hosts: []string{"ws01"}, Users: []string{"bob"}}},
		{ID: "a2", Tenant: "acme", RuleID: "r2", Title: "two", Level: "low", First: base, Last: base.Add(time.Minute), Count: 3,
			Entities: alert.Entities{SourceIPs: []string{"10.0.0.9"}}},
		{ID: "b1", Tenant: "other", RuleID: "r1", Title: "one", Level: "critical", First: base, Last: base, Count: 1},
	}
	if err := s.WriteAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	// A folded update replaces the row.
	as[0].Count, as[0].Last = 5, base.Add(2*time.Minute)
	if err := s.WriteAlerts(ctx, as[:1]); err != nil {
		t.Fatal(err)
	}
	f := func(filter store.AlertFilter, want ...string) {
		t.Helper()
		got, total, err := s.List(ctx, filter)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, a := range got {
			ids = append(ids, a.ID)
		}
		if len(ids) != len(want) || int(total) != len(want) {
			t.Fatalf("List(%+v) = %v (total %d), want %v", filter, ids, total, want)
		}
		for i := range want {
			if ids[i] != want[i] {
				t.Fatalf("List(%+v) = %v, want %v", filter, ids, want)
			}
		}
	}
	f(store.AlertFilter{Tenant: "acme"}, "a1", "a2")
	f(store.AlertFilter{Tenant: "other"}, "b1")
	f(store.AlertFilter{Tenant: "acme", MinLevel: "medium"}, "a1")
	f(store.AlertFilter{Tenant: "acme", RuleID: "r2"}, "a2")
	f(store.AlertFilter{Tenant: "acme", Entity: "bob"}, "a1")
	f(store.AlertFilter{Tenant: "acme", Entity: "10.0.0.9"}, "a2")
	f(store.AlertFilter{Tenant: "acme", From: base.Add(90 * time.Second)}, "a1")
	got, _, _ := s.List(ctx, store.AlertFilter{Tenant: "acme", RuleID: "r1"})
	if got[0].Count != 5 || got[0].Status != alert.StatusOpen {
		t.Errorf("folded alert = %+v", got[0])
	}
	if _, _, err := s.List(ctx, store.AlertFilter{Tenant: "acme", MinLevel: "apocalyptic"}); err == nil {
		t.Error("a bad level was accepted")
	}
	if _, _, err := s.List(ctx, store.AlertFilter{Tenant: "' OR 1=1"}); err == nil {
		t.Error("a bad tenant was accepted")
	}
}

// A batch larger than one statement, holding several updates of one alert,
// stores every alert once with its last update.
func TestAlertsBigBatchWithRepeats(t *testing.T) {
	s := openAlerts(t)
	ctx := context.Background()
	base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	var as []alert.Alert
	for i := range 250 {
		as = append(as, alert.Alert{ID: fmt.Sprintf("a%03d", i), Tenant: "acme", RuleID: "r", Title: "t", Level: "low",
			First: base, Last: base, Count: 1})
	}
	for c := 2; c <= 4; c++ { // folded updates of a007 in the same batch
		as = append(as, alert.Alert{ID: "a007", Tenant: "acme", RuleID: "r", Title: "t", Level: "high",
			First: base, Last: base.Add(time.Duration(c) * time.Minute), Count: c})
	}
	if err := s.WriteAlerts(ctx, as); err != nil {
		t.Fatal(err)
	}
	got, total, err := s.List(ctx, store.AlertFilter{Tenant: "acme", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if total != 250 || len(got) != 250 {
		t.Fatalf("stored %d alerts (total %d), want 250", len(got), total)
	}
	for _, a := range got {
		if a.ID == "a007" && (a.Count != 4 || a.Level != "high") {
			t.Errorf("a007 = count %d level %s, want its last update (4, high)", a.Count, a.Level)
		}
	}
}
