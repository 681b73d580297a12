package response

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

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
		writeError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Records.List(r.Context(), f)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrBadRequest) {
			status = http.StatusBadRequest
		}
		writeError(w, status, err)
		return
	}
	if list == nil {
		list = []Record{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"responses": list, "total": total})
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
	if f.From, err = parseTime(get("from"), now); err != nil {
		return f, fmt.Errorf("from: %w", err)
	}
	if f.To, err = parseTime(get("to"), now); err != nil {
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

// parseTime reads a time bound as the rest of the API does: RFC 3339, Unix
// seconds, "now", or a duration relative to now ("-15m", "now-1h", "-7d").
func parseTime(s string, now time.Time) (time.Time, error) {
	switch s {
	case "":
		return time.Time{}, nil
	case "now":
		return now.UTC(), nil
	}
	if rel := strings.TrimPrefix(s, "now"); strings.HasPrefix(rel, "-") || strings.HasPrefix(rel, "+") {
		d, err := config.ParseDuration(rel[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		if rel[0] == '-' {
			d = -d
		}
		return now.Add(d).UTC(), nil
	}
	t, err := event.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339, epoch seconds, now or -15m style: %w", s, err)
	}
	return t, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeError(w http.ResponseWriter, status int, err error) {
	writeJSON(w, status, map[string]string{"error": err.Error()})
}
