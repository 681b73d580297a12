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

// RunIncidents runs the conformance suite of store.Incidents against a
// backend.
func RunIncidents(t *testing.T, open TableOpener[store.Incidents]) {
	ctx := context.Background()
	mkAlert := func(tenant, id string) alert.Alert {
		return alert.Alert{ID: id, Tenant: tenant, RuleID: "r", Level: "low", First: Base, Last: Base, Count: 1}
	}
	t.Run("tenant isolation", func(t *testing.T) {
		s := openTable(t, open).s
		inc := store.Incident{ID: "inc1", Tenant: "acme", Status: store.IncidentNew, Severity: "high", First: Base, Last: Base,
			AlertCount: 1, AlertIDs: []string{"al1"}, Entities: alert.Entities{Hosts: []string{"WS1"}}}
		ch := &store.IncidentChanges{
			Alerts:    []store.IncidentMember{{IncidentID: "inc1", Alert: mkAlert("acme", "al1")}},
			Incidents: []store.Incident{inc},
			Entries:   []store.IncidentStamped{{Tenant: "acme", IncidentID: "inc1", Entry: store.IncidentEntry{Time: Base, Kind: "comment", Text: "hi"}}},
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
			list, total, err := s.List(ctx, store.IncidentFilter{Tenant: tc.tenant, Entity: "ws1"})
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
			if _, err := s.Memberships(ctx, bad, []string{"al1"}); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("memberships with tenant %q: %v", bad, err)
			}
			if _, _, err := s.List(ctx, store.IncidentFilter{Tenant: bad}); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("list with tenant %q: %v", bad, err)
			}
			if _, err := s.Alerts(ctx, bad, "inc1", 10); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("alerts with tenant %q: %v", bad, err)
			}
			if _, err := s.Entries(ctx, bad, "inc1"); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("entries with tenant %q: %v", bad, err)
			}
		}
	})
	t.Run("documents round trip", func(t *testing.T) {
		s := openTable(t, open).s
		inc := store.Incident{ID: "inc1", Tenant: "acme", Title: "Brute force (+1 rule)", Severity: "high", Status: store.IncidentInProgress,
			Assignee: "bob", First: Base, Last: Base.Add(time.Minute), Created: Base.Add(time.Second), Updated: Base.Add(2 * time.Second),
			AlertCount: 2, AlertIDs: []string{"a1", "a2"}, Rules: []store.IncidentRule{{ID: "r", Title: "Brute force", Level: "high", Alerts: 2}},
			Tags: []string{"attack.t1110"}, Entities: alert.Entities{Hosts: []string{"ws1"}, SourceIPs: []string{"10.0.0.1"}},
			Comments: []store.IncidentComment{{Author: "bob", Time: Base, Text: "kept in the timeline, not the document"}}}
		if err := s.Apply(ctx, &store.IncidentChanges{Incidents: []store.Incident{inc}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Load(ctx, "acme", []string{"inc1", "missing"})
		if err != nil || len(got) != 1 {
			t.Fatalf("Load = %+v, %v", got, err)
		}
		want := inc
		want.Comments = nil
		if g := got[0]; g.ID != want.ID || g.Title != want.Title || g.Status != want.Status || g.Assignee != want.Assignee ||
			!g.First.Equal(want.First) || !g.Last.Equal(want.Last) || !g.Created.Equal(want.Created) || !g.Updated.Equal(want.Updated) ||
			g.AlertCount != 2 || !slices.Equal(g.AlertIDs, want.AlertIDs) || !slices.Equal(g.Rules, want.Rules) || !slices.Equal(g.Tags, want.Tags) ||
			!slices.Equal(g.Entities.SourceIPs, want.Entities.SourceIPs) || len(g.Comments) != 0 {
			t.Errorf("Load = %+v, want %+v", g, want)
		}
	})
	t.Run("list filters and pages", func(t *testing.T) {
		s := openTable(t, open).s
		mk := func(id string, st store.IncidentStatus, sev, assignee string, first, last int, en alert.Entities) store.Incident {
			return store.Incident{ID: id, Tenant: "acme", Status: st, Severity: sev, Assignee: assignee,
				First: Base.Add(time.Duration(first) * time.Minute), Last: Base.Add(time.Duration(last) * time.Minute), Entities: en}
		}
		incs := []store.Incident{
			mk("i1", store.IncidentNew, "low", "", 0, 10, alert.Entities{Hosts: []string{"WS1"}}),
			mk("i2", store.IncidentInProgress, "high", "bob", 5, 20, alert.Entities{Users: []string{"Alice"}}),
			mk("i3", store.IncidentClosed, "critical", "carol", 30, 40, alert.Entities{SourceIPs: []string{"::ffff:10.0.0.1"}}),
			mk("i4", store.IncidentNew, "medium", "", 50, 60, alert.Entities{DestinationIPs: []string{"10.0.0.2"}}),
		}
		if err := s.Apply(ctx, &store.IncidentChanges{Incidents: incs}); err != nil {
			t.Fatal(err)
		}
		f := func(filter store.IncidentFilter, want ...string) {
			t.Helper()
			filter.Tenant = "acme"
			got, total, err := s.List(ctx, filter)
			if err != nil {
				t.Fatalf("List(%+v): %v", filter, err)
			}
			ids := []string{}
			for _, i := range got {
				ids = append(ids, i.ID)
			}
			if !slices.Equal(ids, want) || (filter.Limit == 0 && filter.Offset == 0 && int(total) != len(want)) {
				t.Errorf("List(%+v) = %v (total %d), want %v", filter, ids, total, want)
			}
		}
		f(store.IncidentFilter{}, "i4", "i3", "i2", "i1")
		f(store.IncidentFilter{Statuses: []store.IncidentStatus{store.IncidentNew, store.IncidentInProgress}}, "i4", "i2", "i1")
		f(store.IncidentFilter{MinSeverity: "high"}, "i3", "i2")
		f(store.IncidentFilter{Assignee: "bob"}, "i2")
		f(store.IncidentFilter{Unassigned: true}, "i4", "i1")
		f(store.IncidentFilter{Entity: "ws1"}, "i1")
		f(store.IncidentFilter{Entity: "ALICE"}, "i2")
		f(store.IncidentFilter{Entity: "10.0.0.1"}, "i3")
		f(store.IncidentFilter{Entity: "10.0.0.2"}, "i4")
		f(store.IncidentFilter{Entity: "nobody"})
		// [From, To) overlaps the first-to-last range.
		f(store.IncidentFilter{From: Base.Add(15 * time.Minute), To: Base.Add(35 * time.Minute)}, "i3", "i2")
		f(store.IncidentFilter{Limit: 2, Offset: 1}, "i3", "i2")
		if _, total, _ := s.List(ctx, store.IncidentFilter{Tenant: "acme", Limit: 1}); total != 4 {
			t.Errorf("total of a page = %d, want 4", total)
		}
		for _, bad := range []store.IncidentFilter{
			{Tenant: "acme", Statuses: []store.IncidentStatus{"done"}},
			{Tenant: "acme", MinSeverity: "apocalyptic"},
			{Tenant: "acme", Offset: -1},
			{Tenant: "acme", From: Base, To: Base},
		} {
			if _, _, err := s.List(ctx, bad); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("List(%+v) = %v, want a bad request", bad, err)
			}
		}
		active, err := s.Active(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, i := range active {
			ids = append(ids, i.ID)
		}
		if !slices.Equal(ids, []string{"i4", "i2", "i1"}) {
			t.Errorf("Active = %v, want the open incidents, the most recent first", ids)
		}
		if active, _ := s.Active(ctx, 1); len(active) != 1 {
			t.Errorf("Active(1) = %d incidents", len(active))
		}
	})
	t.Run("alerts and timeline", func(t *testing.T) {
		s := openTable(t, open).s
		a1, a2 := mkAlert("acme", "a1"), mkAlert("acme", "a2")
		a2.First = Base.Add(-time.Minute)
		var entries []store.IncidentStamped
		for i := range 3 {
			// Entries of the same time keep the order they were recorded in.
			entries = append(entries, store.IncidentStamped{Tenant: "acme", IncidentID: "inc1",
				Entry: store.IncidentEntry{Time: Base, Kind: "comment", Actor: "bob", Text: fmt.Sprint("note ", i)}})
		}
		if err := s.Apply(ctx, &store.IncidentChanges{Alerts: []store.IncidentMember{{IncidentID: "inc1", Alert: a1}, {IncidentID: "inc1", Alert: a2}},
			Entries: entries}); err != nil {
			t.Fatal(err)
		}
		if err := s.Apply(ctx, &store.IncidentChanges{Entries: []store.IncidentStamped{{Tenant: "acme", IncidentID: "inc1",
			Entry: store.IncidentEntry{Time: Base.Add(-time.Hour), Kind: "status", From: "new", To: "closed"}}}}); err != nil {
			t.Fatal(err)
		}
		as, err := s.Alerts(ctx, "acme", "inc1", 10)
		if err != nil || len(as) != 2 || as[0].ID != "a2" || as[1].ID != "a1" {
			t.Fatalf("Alerts = %+v, %v; want a2, a1 (by first time)", as, err)
		}
		if as, _ := s.Alerts(ctx, "acme", "inc1", 1); len(as) != 1 {
			t.Errorf("Alerts(limit 1) = %d alerts", len(as))
		}
		es, err := s.Entries(ctx, "acme", "inc1")
		if err != nil || len(es) != 4 {
			t.Fatalf("Entries = %+v, %v", es, err)
		}
		for i, e := range es[:3] {
			if e.Text != fmt.Sprint("note ", i) || e.Actor != "bob" || !e.Time.Equal(Base) {
				t.Errorf("entry %d = %+v", i, e)
			}
			if e.Seq >= es[i+1].Seq {
				t.Errorf("entry %d: seq %d, next %d: want increasing in the order recorded", i, e.Seq, es[i+1].Seq)
			}
		}
		if es[3].Kind != "status" || es[3].To != "closed" {
			t.Errorf("last entry = %+v", es[3])
		}
		if err := s.Apply(ctx, &store.IncidentChanges{}); err != nil {
			t.Errorf("empty changes: %v", err)
		}
	})
	t.Run("moves", func(t *testing.T) {
		// A merge's moves re-point alerts, following chains within one
		// batch, and the alert rows written after them land in the survivor.
		s := openTable(t, open).s
		if err := s.Apply(ctx, &store.IncidentChanges{Alerts: []store.IncidentMember{
			{IncidentID: "A", Alert: mkAlert("acme", "a1")}, {IncidentID: "B", Alert: mkAlert("acme", "b1")},
			{IncidentID: "A", Alert: mkAlert("other", "o1")}}}); err != nil {
			t.Fatal(err)
		}
		err := s.Apply(ctx, &store.IncidentChanges{
			Moves:  []store.IncidentMove{{Tenant: "acme", From: "A", To: "B"}, {Tenant: "acme", From: "B", To: "C"}},
			Alerts: []store.IncidentMember{{IncidentID: "C", Alert: mkAlert("acme", "c1")}},
		})
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.Memberships(ctx, "acme", []string{"a1", "b1", "c1", "zz"})
		if err != nil {
			t.Fatal(err)
		}
		if len(m) != 3 || m["a1"] != "C" || m["b1"] != "C" || m["c1"] != "C" {
			t.Errorf("memberships = %v, want all in C", m)
		}
		if m, _ := s.Memberships(ctx, "other", []string{"o1"}); m["o1"] != "A" {
			t.Errorf("another tenant's incident A moved too: %v", m)
		}
		// A move and an upsert of the same alert in one batch.
		a := mkAlert("acme", "a1")
		a.Count = 7
		if err := s.Apply(ctx, &store.IncidentChanges{Moves: []store.IncidentMove{{Tenant: "acme", From: "C", To: "D"}},
			Alerts: []store.IncidentMember{{IncidentID: "D", Alert: a}}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Alerts(ctx, "acme", "D", 10)
		if err != nil || len(got) != 3 {
			t.Fatalf("alerts of D = %+v, %v", got, err)
		}
		for _, g := range got {
			if g.ID == "a1" && g.Count != 7 {
				t.Errorf("a1 in D = count %d, want 7", g.Count)
			}
		}
		if got, _ := s.Alerts(ctx, "acme", "C", 10); len(got) != 0 {
			t.Errorf("alerts left in C: %+v", got)
		}
	})
	t.Run("many ids", func(t *testing.T) {
		// Lookups of more ids than one statement takes.
		s := openTable(t, open).s
		var ch store.IncidentChanges
		var ids, alertIDs []string
		for i := range 1200 {
			id := fmt.Sprintf("i%04d", i)
			ids, alertIDs = append(ids, id), append(alertIDs, "a"+id)
			ch.Incidents = append(ch.Incidents, store.Incident{ID: id, Tenant: "acme", Status: store.IncidentNew, First: Base, Last: Base})
			ch.Alerts = append(ch.Alerts, store.IncidentMember{IncidentID: id, Alert: mkAlert("acme", "a"+id)})
		}
		if err := s.Apply(ctx, &ch); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Load(ctx, "acme", ids); err != nil || len(got) != len(ids) {
			t.Errorf("Load of %d ids = %d, %v", len(ids), len(got), err)
		}
		if got, err := s.Memberships(ctx, "acme", alertIDs); err != nil || len(got) != len(ids) {
			t.Errorf("Memberships of %d ids = %d, %v", len(ids), len(got), err)
		}
	})
	t.Run("durable across reopen", func(t *testing.T) {
		o := openTable(t, open)
		inc := store.Incident{ID: "inc1", Tenant: "acme", Status: store.IncidentNew, Severity: "low", First: Base, Last: Base}
		if err := o.s.Apply(ctx, &store.IncidentChanges{Incidents: []store.Incident{inc},
			Alerts:  []store.IncidentMember{{IncidentID: "inc1", Alert: mkAlert("acme", "a1")}},
			Entries: []store.IncidentStamped{{Tenant: "acme", IncidentID: "inc1", Entry: store.IncidentEntry{Time: Base, Kind: "comment", Text: "one"}}}}); err != nil {
			t.Fatal(err)
		}
		o.reopen()
		if err := o.s.Apply(ctx, &store.IncidentChanges{Entries: []store.IncidentStamped{{Tenant: "acme", IncidentID: "inc1",
			Entry: store.IncidentEntry{Time: Base, Kind: "comment", Text: "two"}}}}); err != nil {
			t.Fatal(err)
		}
		if l, err := o.s.Load(ctx, "acme", []string{"inc1"}); err != nil || len(l) != 1 {
			t.Errorf("after reopen: Load = %v, %v", l, err)
		}
		if m, err := o.s.Memberships(ctx, "acme", []string{"a1"}); err != nil || m["a1"] != "inc1" {
			t.Errorf("after reopen: Memberships = %v, %v", m, err)
		}
		es, err := o.s.Entries(ctx, "acme", "inc1")
		if err != nil || len(es) != 2 || es[0].Text != "one" || es[1].Text != "two" {
			t.Errorf("after reopen: Entries = %+v, %v; want one then two", es, err)
		}
	})
}
