package response

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/alerts"
)

// Handler serves the response records and an analyst's runs:
//
//	GET  /api/v1/responses                 {"responses":[…records…],"total":N}
//	GET  /api/v1/responses/available       {"responses":[{name,type,trigger}]}: what an analyst may run
//	POST /api/v1/alerts/{id}/responses     {"response":"name"} → 202 {"delivery":…}: run it on the alert now
//
// The list takes tenant (default "default"), response, action, outcome,
// subject (an alert or incident id), from, to (the attempt's start), limit,
// offset. A run needs the analyst role (the auth middleware: it is a
// POST); its attempts are recorded with the actor, in the records and the
// audit log. Errors are {"error":"…"}.
type Handler struct {
	Records *Recorder
	// Dispatcher runs responses by hand; nil: none offered.
	Dispatcher *Dispatcher
	// Alerts finds the alert a run acts on.
	Alerts AlertGetter
	// Now is the clock; nil: time.Now.
	Now func() time.Time
}

// AlertGetter finds one alert of a tenant; alerts.Store implements it.
type AlertGetter interface {
	Get(ctx context.Context, tenant, id string) (*alert.Alert, error)
}

// Register mounts the handler's routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/responses", h.list)
	if h.Dispatcher != nil && h.Alerts != nil {
		mux.HandleFunc("GET /api/v1/responses/available", h.available)
		mux.HandleFunc("POST /api/v1/alerts/{id}/responses", h.run)
	}
}

func (h Handler) available(w http.ResponseWriter, _ *http.Request) {
	api.WriteJSON(w, http.StatusOK, map[string]any{"responses": h.Dispatcher.Available()})
}

// maxRunBody bounds a run's body: {"response": "name"}.
const maxRunBody = 4 << 10

func (h Handler) run(w http.ResponseWriter, r *http.Request) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		api.WriteError(w, http.StatusUnsupportedMediaType, errors.New("read run: want Content-Type: application/json"))
		return
	}
	var body struct {
		Response string `json:"response"`
	}
	d := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRunBody))
	d.DisallowUnknownFields()
	if err := d.Decode(&body); err != nil {
		api.WriteError(w, http.StatusBadRequest, fmt.Errorf("read run: %w", err))
		return
	}
	if body.Response == "" {
		api.WriteError(w, http.StatusBadRequest, errors.New("response: name a configured response"))
		return
	}
	tenant := r.URL.Query().Get("tenant")
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	a, err := h.Alerts.Get(r.Context(), tenant, r.PathValue("id"))
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, alerts.ErrNotFound):
			status = http.StatusNotFound
		case errors.Is(err, store.ErrBadRequest):
			status = http.StatusBadRequest
		}
		api.WriteError(w, status, err)
		return
	}
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	delivery, err := h.Dispatcher.RunOnAlert(body.Response, a, auth.FromContext(r.Context()).Name, now)
	if err != nil {
		status := http.StatusServiceUnavailable
		if errors.Is(err, ErrNoResponse) {
			status = http.StatusNotFound
		}
		api.WriteError(w, status, err)
		return
	}
	api.WriteJSON(w, http.StatusAccepted, map[string]string{"delivery": delivery, "response": body.Response, "alert": a.ID})
}

func (h Handler) list(w http.ResponseWriter, r *http.Request) {
	f, err := parseRecordFilter(r.URL.Query(), time.Now())
	if err != nil {
		api.WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Records.List(r.Context(), f)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrBadRequest) {
			status = http.StatusBadRequest
		}
		api.WriteError(w, status, err)
		return
	}
	if list == nil {
		list = []Record{}
	}
	api.WriteJSON(w, http.StatusOK, map[string]any{"responses": list, "total": total})
}

func parseRecordFilter(q map[string][]string, now time.Time) (RecordFilter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	f := RecordFilter{Tenant: get("tenant"), Response: get("response"), Action: get("action"), Outcome: get("outcome"), Subject: get("subject")}
	if f.Tenant == "" {
		f.Tenant = event.DefaultTenant
	}
	switch f.Action {
	case "", config.ResponseWebhook, config.ResponseProgram, config.ResponseSyslog, config.ResponseKafka:
	default:
		return f, fmt.Errorf("action %q: want webhook, program, syslog or kafka", f.Action)
	}
	switch f.Outcome {
	case "", OutcomeSuccess, OutcomeRetry, OutcomeFailure, OutcomeDropped:
	default:
		return f, fmt.Errorf("outcome %q: want success, retry, failure or dropped", f.Outcome)
	}
	var err error
	if f.From, err = api.ParseTimeParam(get("from"), now); err != nil {
		return f, fmt.Errorf("from: %w", err)
	}
	if f.To, err = api.ParseTimeParam(get("to"), now); err != nil {
		return f, fmt.Errorf("to: %w", err)
	}
	if f.Limit, err = intParam(get("limit"), 1, store.MaxLimit); err != nil {
		return f, fmt.Errorf("limit: %w", err)
	}
	if f.Offset, err = intParam(get("offset"), 0, 1<<30); err != nil {
		return f, fmt.Errorf("offset: %w", err)
	}
	return f, nil
}

// intParam reads an optional number in [lo, hi]; "" is 0.
func intParam(s string, lo, hi int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q: want a number from %d to %d", s, lo, hi)
	}
	return n, nil
}
