package response

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/incident"
)

// Kinds of subject a response acts on.
const (
	KindAlert    = "alert"
	KindIncident = "incident"
)

// Envelope is the JSON document every action sends: the webhook's body, the
// program's standard input, the syslog message's MSG, the Kafka record's
// value.
type Envelope struct {
	// Kind is alert or incident.
	Kind string `json:"kind"`
	// Response is the name of the configured response.
	Response string `json:"response"`
	// Delivery is the same for every attempt of one job and across
	// restarts: receivers drop duplicates by it.
	Delivery string `json:"delivery"`
	Tenant   string `json:"tenant"`
	// Reason of an incident notice: opened or escalated.
	Reason string `json:"reason,omitempty"`
	// Actor is the user who ran the response by hand (reason "manual").
	Actor    string             `json:"actor,omitempty"`
	Alert    *alert.Alert       `json:"alert,omitempty"`
	Incident *incident.Incident `json:"incident,omitempty"`
}

// job is one response to run for one alert or incident notice.
type job struct {
	kind, reason    string
	tenant, subject string
	ruleID, level   string
	delivery        string
	// actor ran the job by hand (RunOnAlert); "" when configured.
	actor  string
	body   []byte
	queued time.Time
}

func alertJob(name string, a *alert.Alert, now time.Time) (*job, error) {
	tenant := a.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	j := &job{kind: KindAlert, tenant: tenant, subject: a.ID, ruleID: a.RuleID, level: a.Level, queued: now,
		delivery: event.NewID(tenant, "response", name, 0, []byte("alert\x00"+a.ID))}
	var err error
	j.body, err = json.Marshal(Envelope{Kind: KindAlert, Response: name, Delivery: j.delivery, Tenant: tenant, Alert: a})
	if err != nil {
		return nil, fmt.Errorf("encode alert %s: %w", a.ID, err)
	}
	return j, nil
}

func incidentJob(name string, n *incident.Notice, now time.Time) (*job, error) {
	inc := &n.Incident
	rule := ""
	if len(inc.Rules) > 0 {
		rule = inc.Rules[0].ID
	}
	// An escalation to each severity is its own delivery; an incident opens once.
	key := "incident\x00" + inc.ID + "\x00" + n.Reason
	if n.Reason == incident.ReasonEscalated {
		key += "\x00" + inc.Severity
	}
	j := &job{kind: KindIncident, reason: n.Reason, tenant: inc.Tenant, subject: inc.ID, ruleID: rule, level: inc.Severity,
		queued: now, delivery: event.NewID(inc.Tenant, "response", name, 0, []byte(key))}
	var err error
	j.body, err = json.Marshal(Envelope{Kind: KindIncident, Response: name, Delivery: j.delivery, Tenant: inc.Tenant, Reason: n.Reason, Incident: inc})
	if err != nil {
		return nil, fmt.Errorf("encode incident %s: %w", inc.ID, err)
	}
	return j, nil
}
