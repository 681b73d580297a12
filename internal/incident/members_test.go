package incident_test

import (
	"context"
	"testing"

	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

var _ incident.MembershipLister = (*incidents.Store)(nil)

// queryOnly hides the store's MembershipLister: the Manager asks the store
// for each batch's memberships.
type queryOnly struct{ incident.Store }

// TestMembersInMemoryGroupAsStored: a storm written with the memberships
// held in memory (with restarts in between, which reload them, and with a
// bound crossed midway, past which the Manager asks the store) groups
// exactly as when each batch asks the store.
func TestMembersInMemoryGroupAsStored(t *testing.T) {
	ctx := context.Background()
	stream := stormStream(3000)
	write := func(t *testing.T, st incident.Store, cfg func(part int) incident.Config) {
		var m *incident.Manager
		for i, part := 0, -1; i < len(stream); i += 100 {
			if p := i / 1000; p != part { // a restart every 1,000 alerts
				part, m = p, newManager(t, st, cfg(p))
			}
			if err := m.WriteAlerts(ctx, stream[i:min(i+100, len(stream))]); err != nil {
				t.Fatal(err)
			}
		}
	}
	ref := openStore(t, openDB(t))
	write(t, queryOnly{ref}, func(int) incident.Config { return incident.Config{} })
	for _, tc := range []struct {
		name string
		cfg  func(part int) incident.Config
	}{
		{"held", func(int) incident.Config { return incident.Config{} }},
		{"bound crossed", func(part int) incident.Config { return incident.Config{MaxMembers: []int{500, 5000, 1}[part]} }},
		// The filter fills and is too big to rebuild (part 0), or too big
		// to build at a restart (part 2): each batch asks the store.
		{"filter bound crossed", func(part int) incident.Config {
			return incident.Config{MaxMembers: []int{150, 5000, 500}[part], MaxFilterKeys: 1000}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := openStore(t, openDB(t))
			write(t, got, tc.cfg)
			ids := make([]string, 0, len(stream))
			for _, a := range stream {
				ids = append(ids, a.ID)
			}
			want, err := ref.Memberships(ctx, "acme", ids)
			if err != nil {
				t.Fatal(err)
			}
			have, err := got.Memberships(ctx, "acme", ids)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 || len(have) != len(want) {
				t.Fatalf("%d memberships, want %d", len(have), len(want))
			}
			for a, inc := range want {
				if have[a] != inc {
					t.Fatalf("alert %s in incident %s, want %s", a, have[a], inc)
				}
			}
			wl, _, err := ref.List(ctx, incident.Filter{Tenant: "acme", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			hl, _, err := got.List(ctx, incident.Filter{Tenant: "acme", Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			count := func(l []incident.Incident) map[string]int {
				c := map[string]int{}
				for _, inc := range l {
					c[inc.ID+"/"+string(inc.Status)+"/"+inc.MergedInto] = inc.AlertCount
				}
				return c
			}
			wc, hc := count(wl), count(hl)
			if len(wc) != len(hc) {
				t.Fatalf("%d incidents, want %d", len(hc), len(wc))
			}
			for k, n := range wc {
				if hc[k] != n {
					t.Errorf("incident %s holds %d alerts, want %d", k, hc[k], n)
				}
			}
		})
	}
}
