package audit

import (
	"fmt"
	"net/netip"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// SystemTenant holds the entries of actions on the whole node. Its name
// has a dot, which the tenant names of vigil.yaml may have too, so a
// deployment should not name a tenant so.
const SystemTenant = "vigil.system"

// Source is the source name of audit events (the envelope's source).
const Source = "audit"

// Outcomes, as ECS event.outcome.
const (
	Success = "success"
	Failure = "failure"
)

// Entry is one audited action.
type Entry struct {
	// Time is when it happened; zero means now.
	Time time.Time
	// Tenant is the tenant the action concerned; "" means SystemTenant.
	Tenant string
	// User is who acted (user.name): a user, an API token's name,
	// "anonymous" on an open API, "vigil" for the node itself, or the name
	// a failed login tried.
	User string
	// Role is the actor's role (user.roles), when known.
	Role string
	// SourceIP is the client address (source.ip), when over HTTP.
	SourceIP string
	// Action names what was done (event.action): "login", "search",
	// "freeze", "watchlist.put", "rules.reload", "response.run", …
	Action string
	// Category is the ECS event.category: authentication, iam,
	// configuration, database, process, web.
	Category string
	// Outcome is Success or Failure (event.outcome).
	Outcome string
	// Reason says why it failed (event.reason), or what changed.
	Reason string
	// Method, Path and Status describe an HTTP request
	// (http.request.method, url.path, http.response.status_code).
	Method string
	Path   string
	Status int
	// Fields are further ECS fields (e.g. vigil.search.query, rule.name).
	Fields map[string]string
}

// Event renders the entry as the event the audit dataset stores. seq makes
// the id of each entry of a run distinct.
func (e Entry) Event(position string) *event.Event {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	tenant := e.Tenant
	if tenant == "" {
		tenant = SystemTenant
	}
	msg := e.Message()
	ev := &event.Event{Timestamp: e.Time.UTC(), Ingested: e.Time.UTC(), Tenant: tenant, Source: Source,
		ID: event.NewID(tenant, Source, position, 0, []byte(msg))}
	ev.SetString("event.kind", "event")
	ev.SetString("event.dataset", "vigil.audit")
	ev.SetString("event.action", e.Action)
	ev.SetString("event.category", e.Category)
	ev.SetString("event.outcome", e.Outcome)
	ev.SetString("event.reason", e.Reason)
	ev.SetString("user.name", e.User)
	ev.SetString("user.roles", e.Role)
	if ip, err := netip.ParseAddr(e.SourceIP); err == nil {
		ev.Set("source.ip", event.IP(ip))
	}
	ev.SetString("http.request.method", e.Method)
	ev.SetString("url.path", e.Path)
	if e.Status != 0 {
		ev.Set("http.response.status_code", event.Int(int64(e.Status)))
	}
	for k, v := range e.Fields {
		ev.SetString(k, v)
	}
	ev.SetString("message", msg)
	return ev
}

// Message is a one-line summary: "ana search acme: success".
func (e Entry) Message() string {
	var b strings.Builder
	user := e.User
	if user == "" {
		user = "-"
	}
	fmt.Fprintf(&b, "%s %s", user, e.Action)
	if e.Method != "" {
		fmt.Fprintf(&b, " (%s %s)", e.Method, e.Path)
	}
	fmt.Fprintf(&b, ": %s", e.Outcome)
	if e.Reason != "" {
		fmt.Fprintf(&b, ": %s", e.Reason)
	}
	return b.String()
}
