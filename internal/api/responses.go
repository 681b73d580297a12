package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/response"
)

// ResponseLog lists the response log; response.Recorder implements it.
type ResponseLog interface {
	List(ctx context.Context, f response.RecordFilter) ([]response.Record, int64, error)
}

// ResponsesHandler serves GET /api/v1/responses (docs/responses.md):
// {"responses":[…records…],"total":N}, newest attempt first.
type ResponsesHandler struct {
	Records ResponseLog
}

// Routes implements Mounter.
func (h ResponsesHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/responses", Role: auth.Viewer, Tag: "responses", Tenanted: true, Handler: h.list,
		Summary: "List the response log's attempts: {\"responses\":[…],\"total\":N}",
		Query: append([]Param{
			{Name: "response", Description: "the response's name"},
			{Name: "action", Description: "webhook, program, syslog or kafka"},
			{Name: "outcome", Description: "success, retry, failure or dropped"},
			{Name: "subject", Description: "an alert or incident id"},
		}, listParamDocs...)}}
}

func (h ResponsesHandler) list(w http.ResponseWriter, r *http.Request) {
	f, err := responseFilter(r.URL.Query(), time.Now())
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, total, err := h.Records.List(r.Context(), f)
	if err != nil {
		writeServiceError(w, err)
		return
	}
	if list == nil {
		list = []response.Record{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"responses": list, "total": total})
}

// responseFilter reads the list parameters (parseList) and response,
// action, outcome and subject; from and to bound the attempt's start.
func responseFilter(q url.Values, now time.Time) (response.RecordFilter, error) {
	lp, err := parseList(q, now)
	if err != nil {
		return response.RecordFilter{}, err
	}
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := response.RecordFilter{Tenant: lp.Tenant, From: lp.From, To: lp.To, Limit: lp.Limit, Offset: lp.Offset,
		Response: get("response"), Action: get("action"), Outcome: get("outcome"), Subject: get("subject")}
	switch f.Action {
	case "", config.ResponseWebhook, config.ResponseProgram, config.ResponseSyslog, config.ResponseKafka:
	default:
		return f, fmt.Errorf("action %q: want webhook, program, syslog or kafka", f.Action)
	}
	switch f.Outcome {
	case "", response.OutcomeSuccess, response.OutcomeRetry, response.OutcomeFailure, response.OutcomeDropped:
	default:
		return f, fmt.Errorf("outcome %q: want success, retry, failure or dropped", f.Outcome)
	}
	return f, nil
}
