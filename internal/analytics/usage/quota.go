package usage

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// RuleQuota is the rule id of quota alerts.
const RuleQuota = "vigil-usage-quota"

// Run writes a snapshot each SnapshotInterval, and each CheckInterval an
// alert for every tenant that passed a quota today and has not been told
// yet (one alert per tenant, quota and UTC day), until ctx ends.
func (m *Meter) Run(ctx context.Context, sink alert.Sink) {
	check := time.NewTicker(m.opts.CheckInterval)
	defer check.Stop()
	snap := time.NewTicker(m.opts.SnapshotInterval)
	defer snap.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-snap.C:
			if err := m.Snapshot(); err != nil {
				m.log.Error("snapshot usage", "err", err)
			}
		case <-check.C:
			raised, undo := m.CheckQuotas()
			if len(raised) == 0 {
				continue
			}
			if err := sink.WriteAlerts(ctx, raised); err != nil {
				if ctx.Err() != nil {
					return
				}
				m.log.Error("write quota alerts", "alerts", len(raised), "err", err)
				undo()
			}
		}
	}
}

// CheckQuotas returns the alerts of tenants that passed a quota today and
// were not alerted yet, marks them alerted, and returns a function that
// undoes the marks (for a failed write). It also sets
// vigil_usage_quota_exceeded.
func (m *Meter) CheckQuotas() (raised []alert.Alert, undo func()) {
	now := m.now().UTC()
	today := now.Unix() / 86400
	m.mu.Lock()
	defer m.mu.Unlock()
	type mark struct {
		field *int64
		prev  int64
	}
	var marks []mark
	for name, q := range m.opts.Quotas {
		t := m.tenants[name]
		if t == nil {
			continue
		}
		set := func(quota string, over bool) {
			v := 0.0
			if over {
				v = 1
			}
			m.m.exceeded.WithLabelValues(name, quota).Set(v)
		}
		set("eps", t.overEPS == today)
		set("events_per_day", t.overDay == today)
		if q.EPS > 0 && t.overEPS == today && t.alertedEPS != today {
			marks = append(marks, mark{&t.alertedEPS, t.alertedEPS})
			t.alertedEPS = today
			raised = append(raised, quotaAlert(name, "eps", fmt.Sprintf("Tenant %s passed its quota of %d events per second (peak today %d); events are kept", name, q.EPS, t.peakEPS), now))
		}
		if q.EventsPerDay > 0 && t.overDay == today && t.alertedDay != today {
			marks = append(marks, mark{&t.alertedDay, t.alertedDay})
			t.alertedDay = today
			raised = append(raised, quotaAlert(name, "events_per_day", fmt.Sprintf("Tenant %s passed its quota of %d events per day (%d so far today); events are kept", name, q.EventsPerDay, t.dayCount), now))
		}
	}
	return raised, func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, mk := range marks {
			*mk.field = mk.prev
		}
	}
}

func quotaAlert(tenant, quota, title string, now time.Time) alert.Alert {
	return alert.Alert{
		ID:     event.NewID(tenant, "vigil.usage", quota, 0, []byte(strconv.FormatInt(now.UnixNano(), 10))),
		Tenant: tenant, RuleID: RuleQuota, Title: title, Level: "medium",
		Tags: []string{"vigil.usage"}, First: now, Last: now, Count: 1, EventIDs: []string{},
		Status: alert.StatusOpen,
	}
}
