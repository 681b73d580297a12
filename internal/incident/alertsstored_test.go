package incident_test

import (
	"context"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
)

// recordStore is a memStore that keeps the members of every Apply.
type recordStore struct {
	*memStore
	members []incident.Member
}

func (s *recordStore) Apply(ctx context.Context, ch *incident.Changes) error {
	s.members = append(s.members, ch.Alerts...)
	return s.memStore.Apply(ctx, ch)
}

// With Config.AlertsStored, a member is marked InAlertTable only when
// grouping changed nothing in its alert, so that a store keeping a
// reference to the alert table's row reads back what it was given: an
// alert whose tenant, status or first time grouping fills, or whose times
// it moves to UTC, keeps its own copy. Without AlertsStored nothing is
// marked.
func TestAlertsStoredMarksUnchangedAlerts(t *testing.T) {
	ctx := context.Background()
	plain := func(id string) alert.Alert { return al(id, "high", 1, "h:web01") }
	noTenant := plain("no-tenant")
	noTenant.Tenant = ""
	noStatus := plain("no-status")
	noStatus.Status = ""
	noFirst := plain("no-first")
	noFirst.First = time.Time{}
	local := plain("local")
	local.First, local.Last = local.First.In(time.FixedZone("CET", 3600)), local.Last.In(time.FixedZone("CET", 3600))
	backwards := plain("backwards")
	backwards.Last = backwards.First.Add(-time.Minute)
	// The last copy of an id in a batch is the one kept: a changed copy
	// followed by an unchanged one is unchanged, and the reverse changed.
	foldOK, foldBad := plain("fold-ok"), plain("fold-bad")
	foldOKEarly, foldBadLate := foldOK, foldBad
	foldOKEarly.Status, foldBadLate.Status = "", ""
	batch := []alert.Alert{plain("ok"), noTenant, noStatus, noFirst, local, backwards, foldOKEarly, foldOK, foldBad, foldBadLate}
	want := map[string]bool{"ok": true, "fold-ok": true}
	for _, stored := range []bool{true, false} {
		st := &recordStore{memStore: newMemStore()}
		m := newManager(t, st, incident.Config{AlertsStored: stored})
		if err := m.WriteAlerts(ctx, batch); err != nil {
			t.Fatal(err)
		}
		if len(st.members) != 8 {
			t.Fatalf("AlertsStored %v: %d members, want 8", stored, len(st.members))
		}
		for _, mb := range st.members {
			if w := stored && want[mb.Alert.ID]; mb.InAlertTable != w {
				t.Errorf("AlertsStored %v: alert %s InAlertTable = %v, want %v", stored, mb.Alert.ID, mb.InAlertTable, w)
			}
		}
		// A folded update of an unchanged alert in a later batch is
		// marked too.
		st.members = nil
		up := plain("ok")
		up.Count, up.Last = 3, up.Last.Add(time.Minute)
		if err := m.WriteAlerts(ctx, []alert.Alert{up}); err != nil {
			t.Fatal(err)
		}
		if len(st.members) != 1 || st.members[0].New || st.members[0].InAlertTable != stored {
			t.Errorf("AlertsStored %v: the update's member = %+v", stored, st.members)
		}
	}
}
