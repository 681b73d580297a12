package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/response"
	"github.com/vigilsiem/vigil/internal/store"
)

// filterLog answers the filter it was given as its one record's detail;
// the response package's tests cover the log's filtering itself.
type filterLog struct{ got response.RecordFilter }

func (l *filterLog) List(_ context.Context, f response.RecordFilter) ([]response.Record, int64, error) {
	l.got = f
	if f.Tenant == "a b" {
		return nil, 0, fmt.Errorf("list responses: %w: tenant %q", store.ErrBadRequest, f.Tenant)
	}
	if !f.From.IsZero() && !f.To.IsZero() && f.To.Before(f.From) {
		return nil, 0, fmt.Errorf("list responses: %w: bad filter", store.ErrBadRequest)
	}
	if f.Tenant == "boom" {
		return nil, 0, errors.New("list responses: disk on fire")
	}
	return []response.Record{{Tenant: f.Tenant, Response: "soar", Outcome: response.OutcomeSuccess}}, 7, nil
}

func TestResponsesList(t *testing.T) {
	log := &filterLog{}
	h := New(Deps{Mounts: []Mounter{ResponsesHandler{Records: log}}}).Handler()
	get := func(q string) (int, map[string]any) {
		t.Helper()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/responses?"+q, nil))
		var v map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil || w.Header().Get("Content-Type") != "application/json" {
			t.Fatalf("GET ?%s: %v %q: %s", q, err, w.Header().Get("Content-Type"), w.Body)
		}
		return w.Code, v
	}
	code, v := get("tenant=acme&response=soar&action=webhook&outcome=retry&subject=%20a1%20&from=2026-01-01T00:00:00Z&limit=5&offset=10")
	if code != 200 || v["total"] != float64(7) || len(v["responses"].([]any)) != 1 {
		t.Fatalf("list = %d %v", code, v)
	}
	want := response.RecordFilter{Tenant: "acme", Response: "soar", Action: "webhook", Outcome: "retry", Subject: "a1",
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Limit: 5, Offset: 10}
	if log.got != want {
		t.Errorf("filter %+v, want %+v", log.got, want)
	}
	if get(""); log.got.Tenant != "default" {
		t.Errorf("no tenant: filter tenant %q, want default", log.got.Tenant)
	}
	for q, msg := range map[string]string{"tenant=a%20b": "tenant", "outcome=maybe": "outcome", "action=email": "action",
		"limit=0": "limit", "limit=10001": "limit", "offset=x": "offset", "offset=-1": "offset", "from=soon": "from", "from=now&to=-1h": "bad filter"} {
		code, v := get(q)
		if e, _ := v["error"].(string); code != 400 || !strings.Contains(e, msg) {
			t.Errorf("GET ?%s = %d %v, want 400 about %s", q, code, v, msg)
		}
	}
	if code, _ := get("tenant=boom"); code != 500 {
		t.Errorf("a failing log: %d, want 500", code)
	}
}

type outputs []forward.OutputStatus

func (o outputs) Status() []forward.OutputStatus { return o }

func TestOutputsStatus(t *testing.T) {
	h := New(Deps{Mounts: []Mounter{OutputsHandler{Outputs: outputs{{Name: "siem", Type: "syslog", Delivered: 3}}}}}).Handler()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/api/v1/outputs", nil))
	var body struct {
		Outputs []map[string]any `json:"outputs"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" ||
		w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("GET /api/v1/outputs = %d %v %v: %s", w.Code, w.Header(), err, w.Body)
	}
	if len(body.Outputs) != 1 || body.Outputs[0]["name"] != "siem" || body.Outputs[0]["delivered"] != float64(3) {
		t.Errorf("outputs %+v", body.Outputs)
	}
}

func TestParseList(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	p, err := parseList(map[string][]string{"limit": {" 20 "}, "offset": {"40"}, "from": {"-1h"}}, now)
	if err != nil || p != (listParams{Tenant: "default", From: now.Add(-time.Hour), Limit: 20, Offset: 40}) {
		t.Errorf("parseList = %+v, %v", p, err)
	}
	for k, v := range map[string]string{"limit": "0", "offset": "1073741825", "to": "later"} {
		if _, err := parseList(map[string][]string{k: {v}}, now); err == nil || !strings.HasPrefix(err.Error(), k+":") {
			t.Errorf("%s=%s: %v, want an error naming %s", k, v, err, k)
		}
	}
}
