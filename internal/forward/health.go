package forward

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/queue"
)

// HealthRuleID is the rule id of the alerts RunHealthAlerts raises.
const HealthRuleID = "vigil-output-queue-health"

// healthPoll is how often RunHealthAlerts looks at the queues besides the
// queues' own notifications: a limit of days needs no finer watch, and a
// missed notification costs at most this delay.
const healthPoll = 30 * time.Second

// RunHealthAlerts writes an alert through sink each time a tenant queue
// of an output passes 80% of its age or byte limit (level high) or starts
// dropping data at a limit (critical), until ctx ends. One alert is raised
// per episode: while the queue stays at that level nothing more is sent;
// once it is back to ok, the next rise raises a new alert. Queues already
// unhealthy at start raise theirs at once. Call it in its own goroutine
// with the alert store's sink.
func (m *Manager) RunHealthAlerts(ctx context.Context, sink alert.Sink) error {
	levels := map[[2]string]queue.HealthLevel{}
	t := time.NewTicker(healthPoll)
	defer t.Stop()
	for {
		var raise []alert.Alert
		var keys [][2]string
		now := time.Now().UTC()
		for _, o := range m.outputs {
			for _, st := range o.set.Status() {
				k := [2]string{o.name, st.Tenant}
				prev := levels[k]
				levels[k] = st.Health.Level
				if st.Health.Level > prev {
					raise = append(raise, healthAlert(o.name, st, now))
					keys = append(keys, k)
				}
			}
		}
		if len(raise) > 0 {
			if err := sink.WriteAlerts(ctx, raise); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				m.log.Error("write queue health alert", "err", err)
				// Raise them again at the next look.
				for _, k := range keys {
					delete(levels, k)
				}
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-m.health:
		}
	}
}

func healthAlert(output string, st queue.Status, now time.Time) alert.Alert {
	level, title := "high", fmt.Sprintf("Output %s: undelivered data near a queue limit", output)
	if st.Health.Level == queue.HealthDropping {
		level, title = "critical", fmt.Sprintf("Output %s: undelivered data dropped at a queue limit", output)
	}
	id := event.NewID(st.Tenant, "vigil.output", output+"/"+st.Health.Level.String(), 0, []byte(strconv.FormatInt(now.UnixNano(), 10)))
	return alert.Alert{
		ID: id, Tenant: st.Tenant, RuleID: HealthRuleID, Title: title + ": " + st.Health.Reason, Level: level,
		Tags: []string{"vigil.delivery"}, First: now, Last: now, Count: 1, EventIDs: []string{},
		// The output's name stands where a host would: it is what the
		// operator must look at.
		Entities: alert.Entities{Hosts: []string{output}},
		Status:   alert.StatusOpen,
	}
}
