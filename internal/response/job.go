package response

import (
	"bytes"
	"encoding/json"
	"errors"
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

// jobVersion is the version of a queued job record (docs/format/response-queue.md).
const jobVersion = 1

// jobHeader is a queued job's first line: one JSON object. The envelope
// follows the newline exactly as first encoded, so every attempt, before
// and after a restart, sends the same bytes (and a webhook signs the same
// body), and queueing a job does not encode the envelope twice.
//
//	{"v":1,"kind":"alert","tenant":"acme","subject":"<alert id>",…,"queued":<Unix ns>}\n
//	<envelope JSON>
type jobHeader struct {
	V        int    `json:"v"`
	Kind     string `json:"kind"`
	Reason   string `json:"reason,omitempty"`
	Actor    string `json:"actor,omitempty"`
	Tenant   string `json:"tenant"`
	Subject  string `json:"subject"`
	RuleID   string `json:"rule_id,omitempty"`
	Level    string `json:"level,omitempty"`
	Delivery string `json:"delivery"`
	Queued   int64  `json:"queued"`
}

// marshal encodes the job for its queue.
func (j *job) marshal() ([]byte, error) {
	h, err := json.Marshal(jobHeader{V: jobVersion, Kind: j.kind, Reason: j.reason, Actor: j.actor, Tenant: j.tenant, Subject: j.subject,
		RuleID: j.ruleID, Level: j.level, Delivery: j.delivery, Queued: j.queued.UnixNano()})
	if err != nil {
		return nil, fmt.Errorf("encode job %s: %w", j.delivery, err)
	}
	b := make([]byte, 0, len(h)+1+len(j.body))
	return append(append(append(b, h...), '\n'), j.body...), nil
}

// unmarshalJob decodes a queued job; a record of another version, or
// without a delivery id or body, is an error.
func unmarshalJob(b []byte) (*job, error) {
	line, body, ok := bytes.Cut(b, []byte{'\n'})
	if !ok || len(body) == 0 {
		return nil, errors.New("decode job: no envelope after the header line")
	}
	var h jobHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("decode job: %w", err)
	}
	if h.V != jobVersion {
		return nil, fmt.Errorf("decode job: version %d, want %d", h.V, jobVersion)
	}
	if h.Delivery == "" {
		return nil, errors.New("decode job: no delivery id")
	}
	return &job{kind: h.Kind, reason: h.Reason, actor: h.Actor, tenant: h.Tenant, subject: h.Subject, ruleID: h.RuleID, level: h.Level,
		delivery: h.Delivery, queued: time.Unix(0, h.Queued), body: body}, nil
}
