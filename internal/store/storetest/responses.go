package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// RunResponses runs the conformance suite of store.ResponseLog against a
// backend.
func RunResponses(t *testing.T, open TableOpener[store.ResponseLog]) {
	ctx := context.Background()
	rec := func(tenant, delivery string, attempt int, outcome string, at time.Duration) store.ResponseRecord {
		return store.ResponseRecord{Time: Base.Add(at), Tenant: tenant, Response: "soar", Action: "webhook", Kind: "alert",
			Subject: "alert-" + delivery, Delivery: delivery, Attempt: attempt, Outcome: outcome, DurationMS: int64(attempt) * 10}
	}
	t.Run("write and list", func(t *testing.T) {
		s := openTable(t, open).s
		full := store.ResponseRecord{Time: Base.In(time.FixedZone("x", 3600)), Tenant: "acme", Response: "block", Action: "program", Kind: "incident",
			Subject: "inc-1", RuleID: "r1", Reason: "opened", Delivery: "d0", Attempt: 1, Outcome: store.OutcomeFailure, DurationMS: 1500,
			Detail: "exit status 2: \"quoted\" and ünïcode"}
		recs := []store.ResponseRecord{
			full,
			rec("acme", "d1", 1, store.OutcomeRetry, time.Minute),
			rec("acme", "d1", 2, store.OutcomeSuccess, time.Minute), // same time: the later attempt first
			rec("acme", "d2", 0, store.OutcomeDropped, 2*time.Minute),
			rec("other", "d3", 1, store.OutcomeSuccess, 3*time.Minute),
		}
		if err := s.WriteResponses(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if err := s.WriteResponses(ctx, nil); err != nil {
			t.Fatalf("an empty batch: %v", err)
		}
		got, total, err := s.ListResponses(ctx, store.ResponseFilter{Tenant: "acme"})
		if err != nil {
			t.Fatal(err)
		}
		if total != 4 || len(got) != 4 {
			t.Fatalf("listed %d records (total %d), want 4", len(got), total)
		}
		var order []string
		for _, r := range got {
			order = append(order, fmt.Sprint(r.Delivery, "/", r.Attempt))
		}
		if want := []string{"d2/0", "d1/2", "d1/1", "d0/1"}; !slices.Equal(order, want) {
			t.Errorf("order = %v, want %v (most recent first, then the latest attempt)", order, want)
		}
		want := full
		want.Time = full.Time.UTC()
		if g := got[3]; g != want || g.Time.Location() != time.UTC {
			t.Errorf("record = %+v, want %+v in UTC", g, want)
		}
		f := func(filter store.ResponseFilter, want ...string) {
			t.Helper()
			got, total, err := s.ListResponses(ctx, filter)
			if err != nil {
				t.Fatalf("ListResponses(%+v): %v", filter, err)
			}
			ids := []string{}
			for _, r := range got {
				ids = append(ids, fmt.Sprint(r.Delivery, "/", r.Attempt))
			}
			if !slices.Equal(ids, want) || (filter.Limit == 0 && filter.Offset == 0 && int(total) != len(want)) {
				t.Errorf("ListResponses(%+v) = %v (total %d), want %v", filter, ids, total, want)
			}
		}
		f(store.ResponseFilter{Tenant: "other"}, "d3/1")
		f(store.ResponseFilter{Tenant: "nobody"})
		f(store.ResponseFilter{Tenant: "acme", Response: "block"}, "d0/1")
		f(store.ResponseFilter{Tenant: "acme", Action: "webhook"}, "d2/0", "d1/2", "d1/1")
		f(store.ResponseFilter{Tenant: "acme", Outcome: store.OutcomeDropped}, "d2/0")
		f(store.ResponseFilter{Tenant: "acme", Subject: "alert-d1"}, "d1/2", "d1/1")
		f(store.ResponseFilter{Tenant: "acme", From: Base.Add(time.Minute), To: Base.Add(2 * time.Minute)}, "d1/2", "d1/1")
		f(store.ResponseFilter{Tenant: "acme", Limit: 2, Offset: 1}, "d1/2", "d1/1")
		if _, total, _ := s.ListResponses(ctx, store.ResponseFilter{Tenant: "acme", Limit: 1}); total != 4 {
			t.Errorf("total of a page = %d, want 4", total)
		}
		for _, bad := range []store.ResponseFilter{{}, {Tenant: "' OR 1=1 --"}, {Tenant: "acme", Offset: -1}, {Tenant: "acme", From: Base, To: Base}} {
			if _, _, err := s.ListResponses(ctx, bad); !errors.Is(err, store.ErrBadRequest) {
				t.Errorf("ListResponses(%+v) = %v, want a bad request", bad, err)
			}
		}
	})
	t.Run("big batch", func(t *testing.T) {
		s := openTable(t, open).s
		var recs []store.ResponseRecord
		for i := range 450 {
			recs = append(recs, rec("acme", fmt.Sprintf("d%03d", i), 1, store.OutcomeSuccess, time.Duration(i)*time.Second))
		}
		if err := s.WriteResponses(ctx, recs); err != nil {
			t.Fatal(err)
		}
		if _, total, err := s.ListResponses(ctx, store.ResponseFilter{Tenant: "acme"}); err != nil || total != 450 {
			t.Errorf("total = %d, %v; want 450", total, err)
		}
	})
	t.Run("recent deliveries", func(t *testing.T) {
		s := openTable(t, open).s
		if err := s.WriteResponses(ctx, []store.ResponseRecord{
			rec("acme", "old", 1, store.OutcomeSuccess, -48*time.Hour),
			rec("acme", "d1", 1, store.OutcomeRetry, time.Minute),
			rec("other", "d2", 1, store.OutcomeSuccess, 2*time.Minute),
			rec("acme", "d1", 2, store.OutcomeSuccess, 3*time.Minute),
			rec("acme", "d3", 1, store.OutcomeSuccess, 90*time.Second),
		}); err != nil {
			t.Fatal(err)
		}
		got, err := s.RecentDeliveries(ctx, Base.Add(-24*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"d1", "d2", "d3"}; !slices.Equal(got, want) {
			t.Errorf("RecentDeliveries = %v, want %v (by last record, of every tenant, each once)", got, want)
		}
		if got, _ := s.RecentDeliveries(ctx, Base.Add(-24*time.Hour), 2); !slices.Equal(got, []string{"d1", "d2"}) {
			t.Errorf("RecentDeliveries(limit 2) = %v", got)
		}
	})
	t.Run("durable across reopen", func(t *testing.T) {
		o := openTable(t, open)
		if err := o.s.WriteResponses(ctx, []store.ResponseRecord{rec("acme", "d1", 1, store.OutcomeSuccess, 0)}); err != nil {
			t.Fatal(err)
		}
		o.reopen()
		if got, total, err := o.s.ListResponses(ctx, store.ResponseFilter{Tenant: "acme"}); err != nil || total != 1 || got[0].Delivery != "d1" {
			t.Errorf("after reopen: %+v, %d, %v", got, total, err)
		}
	})
}
