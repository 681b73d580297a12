package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/alerts"
)

// AlertTriager reads one alert and applies analysts' changes; alerts.Store
// implements it.
type AlertTriager interface {
	Get(ctx context.Context, tenant, id string) (*alert.Alert, error)
	Update(ctx context.Context, tenant string, ids []string, c alerts.Change, now time.Time) ([]alert.Alert, error)
}

// AlertTriageHandler serves an analyst's handling of alerts:
//
//	GET   /api/v1/alerts/{id}   the alert, with its triage notes
//	PATCH /api/v1/alerts/{id}   {"status","assignee","comment"} → the alert
//	POST  /api/v1/alerts/bulk   {"ids":[…],"status","assignee","comment"} → {"alerts":[…]}
//
// status is open, acknowledged or closed; assignee "" unassigns. A bulk
// change of status needs a comment (the reason), and applies to all the
// alerts or none. Every change is recorded with the authenticated actor.
// ?tenant= names the tenant (default "default"); an alert of another
// tenant is answered 404.
type AlertTriageHandler struct {
	Alerts AlertTriager
}

// Routes implements Mounter.
func (h AlertTriageHandler) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/alerts/{id}", Role: auth.Viewer, Tag: "alerts", Tenanted: true, Handler: h.get,
			Summary: "One alert with its triage notes"},
		{Method: "PATCH", Path: "/api/v1/alerts/{id}", Role: auth.Analyst, Tag: "alerts", Tenanted: true, Handler: h.patch,
			Body: []string{"application/json"}, Summary: "Change an alert's status or assignee, or comment on it"},
		{Method: "POST", Path: "/api/v1/alerts/bulk", Role: auth.Analyst, Tag: "alerts", Tenanted: true, Handler: h.bulk,
			Body: []string{"application/json"}, Summary: "Change many alerts at once, all or none: {\"alerts\":[…]}"},
	}
}

// maxTriageBody bounds a change's body: a bulk change of MaxBulk ids of
// ~100 bytes and a comment of MaxTextBytes fit.
const maxTriageBody = alerts.MaxBulk*128 + alerts.MaxTextBytes + 4<<10

type triageBody struct {
	IDs      []string      `json:"ids,omitempty"`
	Status   *alert.Status `json:"status,omitempty"`
	Assignee *string       `json:"assignee,omitempty"`
	Comment  string        `json:"comment,omitempty"`
}

// errNotJSON refuses a change sent as anything but JSON: a cross-site
// form can send text/plain without a preflight, JSON it cannot, which
// matters where the API is open (no users configured, no CSRF token).
var errNotJSON = errors.New("read change: want Content-Type: application/json")

func readTriage(w http.ResponseWriter, r *http.Request) (triageBody, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return triageBody{}, errNotJSON
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxTriageBody))
	if err != nil {
		return triageBody{}, fmt.Errorf("read change: %w", err)
	}
	return parseTriage(data)
}

// parseTriage reads a change: one JSON object with the fields of
// triageBody and nothing else.
func parseTriage(data []byte) (triageBody, error) {
	var b triageBody
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(&b); err != nil {
		return b, fmt.Errorf("read change: %w", err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return b, errors.New("read change: data after the JSON object")
	}
	return b, nil
}

func triageStatus(err error) int {
	switch {
	case errors.Is(err, alerts.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrBadRequest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

func (h AlertTriageHandler) get(w http.ResponseWriter, r *http.Request) {
	a, err := h.Alerts.Get(r.Context(), tenantOf(r), r.PathValue("id"))
	if err != nil {
		WriteError(w, triageStatus(err), err)
		return
	}
	WriteJSON(w, http.StatusOK, a)
}

func (h AlertTriageHandler) patch(w http.ResponseWriter, r *http.Request) {
	b, err := readTriage(w, r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNotJSON) {
			status = http.StatusUnsupportedMediaType
		}
		WriteError(w, status, err)
		return
	}
	if b.IDs != nil {
		WriteError(w, http.StatusBadRequest, errors.New("ids: the alert is named in the path; use POST /api/v1/alerts/bulk for several"))
		return
	}
	c := alerts.Change{Status: b.Status, Assignee: b.Assignee, Comment: b.Comment, Actor: auth.FromContext(r.Context()).Name}
	got, err := h.Alerts.Update(r.Context(), tenantOf(r), []string{r.PathValue("id")}, c, time.Now())
	if err != nil {
		WriteError(w, triageStatus(err), err)
		return
	}
	WriteJSON(w, http.StatusOK, got[0])
}

func (h AlertTriageHandler) bulk(w http.ResponseWriter, r *http.Request) {
	b, err := readTriage(w, r)
	if err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, errNotJSON) {
			status = http.StatusUnsupportedMediaType
		}
		WriteError(w, status, err)
		return
	}
	if b.Status != nil && b.Comment == "" {
		WriteError(w, http.StatusBadRequest, errors.New("comment: a bulk change of status needs a reason"))
		return
	}
	c := alerts.Change{Status: b.Status, Assignee: b.Assignee, Comment: b.Comment, Actor: auth.FromContext(r.Context()).Name}
	got, err := h.Alerts.Update(r.Context(), tenantOf(r), b.IDs, c, time.Now())
	if err != nil {
		WriteError(w, triageStatus(err), err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"alerts": got})
}
