package response

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// Handler serves GET /api/v1/responses: {"responses":[…records…],"total":N}.
// Parameters: tenant (default "default"), response, action, outcome,
// subject (an alert or incident id), from, to (the attempt's start), limit,
// offset. Errors are {"error":"…"}.
type Handler struct {
	Records *Recorder
}

// Register mounts the handler's routes.
func (h Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /api/v1/responses", h.list)
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
