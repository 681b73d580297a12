package response

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
)

// ReasonManual is the reason of a run an analyst asked for.
const ReasonManual = "manual"

// Errors of RunOnAlert.
var (
	ErrNoResponse = errors.New("no configured response has this name")
	ErrQueueFull  = errors.New("the response's queue is full")
)

// Available is a configured response as the console offers it.
type Available struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Trigger string `json:"trigger"`
}

// Available lists the configured responses, in configuration order.
func (d *Dispatcher) Available() []Available {
	out := make([]Available, 0, len(d.rs))
	for _, r := range d.rs {
		out = append(out, Available{Name: r.cfg.Name, Type: r.cfg.Type, Trigger: r.cfg.Trigger})
	}
	return out
}

// RunOnAlert queues response name for alert a now, as actor asked (from
// the alert's page or the API), whatever the response's trigger and
// match say. Each request is its own delivery — an analyst running it
// again means it — so it is neither deduplicated against the automatic
// run nor against an earlier request; its attempts are recorded, and
// audited, with the actor. It waits only for the job's fsync into the
// response's durable queue; a full queue is an error.
func (d *Dispatcher) RunOnAlert(name string, a *alert.Alert, actor string, now time.Time) (string, error) {
	var r *responder
	for _, x := range d.rs {
		if x.cfg.Name == name {
			r = x
		}
	}
	if r == nil {
		return "", fmt.Errorf("run response %q: %w", name, ErrNoResponse)
	}
	j, err := alertJob(name, a, now)
	if err != nil {
		return "", err
	}
	j.reason, j.actor = ReasonManual, actor
	j.delivery = manualDelivery(name, j, now)
	if j.body, err = encodeAlertEnvelope(name, j, a); err != nil {
		return "", err
	}
	rec, err := j.marshal()
	if err != nil {
		return "", err
	}
	d.mu.RLock()
	defer d.mu.RUnlock()
	if d.closed {
		return "", fmt.Errorf("run response %q: vigil is stopping", name)
	}
	if r.pending.Load() >= r.limit() {
		return "", fmt.Errorf("run response %q: %w (%d jobs)", name, ErrQueueFull, r.cfg.Queue)
	}
	if _, err := r.q.Append([][]byte{rec}); err != nil {
		return "", fmt.Errorf("run response %q: queue: %w", name, err)
	}
	r.pending.Add(1)
	return j.delivery, nil
}

// manualDelivery is the delivery id of one analyst's request.
func manualDelivery(name string, j *job, now time.Time) string {
	return event.NewID(j.tenant, "response", name, 0, []byte("manual\x00"+j.subject+"\x00"+j.actor+"\x00"+now.UTC().Format(time.RFC3339Nano)))
}

func encodeAlertEnvelope(name string, j *job, a *alert.Alert) ([]byte, error) {
	b, err := json.Marshal(Envelope{Kind: KindAlert, Response: name, Delivery: j.delivery, Tenant: j.tenant, Reason: j.reason, Actor: j.actor, Alert: a})
	if err != nil {
		return nil, fmt.Errorf("encode alert %s: %w", a.ID, err)
	}
	return b, nil
}
