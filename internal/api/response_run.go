package api

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/response"
)

// AlertGetter finds one alert of a tenant; alerts.Store implements it.
type AlertGetter interface {
	Get(ctx context.Context, tenant, id string) (*alert.Alert, error)
}

// ResponseRunHandler serves an analyst's runs of a configured response on
// an alert (docs/responses.md, "Running a response by hand"). A run needs
// the analyst role; its attempts are recorded with the actor in the
// response log and the audit log.
type ResponseRunHandler struct {
	Dispatcher *response.Dispatcher
	// Alerts finds the alert a run acts on.
	Alerts AlertGetter
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// Routes implements Mounter.
func (h ResponseRunHandler) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/responses/available", Role: auth.Viewer, Tag: "responses", Handler: h.available,
			Summary: "The configured responses an analyst may run on an alert: {\"responses\":[{name,type,trigger}]}"},
		{Method: "POST", Path: "/api/v1/alerts/{id}/responses", Role: auth.Analyst, Tag: "responses", Tenanted: true, Handler: h.run,
			Body: []string{"application/json"}, OK: http.StatusAccepted,
			Summary: "Run a configured response on the alert now: {\"response\":\"name\"} → {\"delivery\":…}"},
	}
}

func (h ResponseRunHandler) available(w http.ResponseWriter, _ *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]any{"responses": h.Dispatcher.Available()})
}

// maxRunBody bounds a run's body: {"response": "name"}.
const maxRunBody = 4 << 10

func (h ResponseRunHandler) run(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Response string `json:"response"`
	}
	if err := readJSON(w, r, maxRunBody, &body); err != nil {
		writeBodyError(w, err)
		return
	}
	if body.Response == "" {
		WriteError(w, http.StatusBadRequest, errors.New("response: name a configured response"))
		return
	}
	noteAudit(r, "", "vigil.response.name", truncate(body.Response, 256))
	a, err := h.Alerts.Get(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		WriteError(w, triageStatus(err), err)
		return
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	delivery, err := h.Dispatcher.RunOnAlert(body.Response, a, auth.FromContext(r.Context()).Name, now)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, response.ErrNoResponse) {
			status = http.StatusNotFound
		}
		WriteError(w, status, err)
		return
	}
	WriteJSON(w, http.StatusAccepted, map[string]string{"delivery": delivery, "response": body.Response, "alert": a.ID})
}
