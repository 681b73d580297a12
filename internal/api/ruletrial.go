package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"time"

	"github.com/vigilsiem/vigil/internal/detect"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
)

// EventScanner streams the stored events of a range; the embedded store
// implements it.
type EventScanner interface {
	Scan(ctx context.Context, req store.Request, opt store.ScanOptions, fn func(store.Row) error) (store.ScanStats, error)
}

// Limits of rule tests and backtests.
const (
	// maxTestEvents and maxTestBody bound a pasted sample: enough to try
	// a rule on a few dozen real events, not a bulk upload.
	maxTestEvents = 1000
	maxTestBody   = 4 << 20
	// maxBacktests bound the backtests running at once on a node: each
	// reads a whole range of events and runs DuckDB's threads.
	maxBacktests = 2
	// maxBacktestBody: {"from","to","query"}.
	maxBacktestBody = 16 << 10
)

// backtestSlots is the semaphore of maxBacktests.
var backtestSlots = make(chan struct{}, maxBacktests)

type testResult struct {
	alertsOfTest
	// Matched says, per pasted event, whether the rule matched it.
	Matched []bool `json:"matched"`
}

func ruleTestStatus(err error) int {
	switch {
	case errors.Is(err, detect.ErrRuleNotFound):
		return http.StatusNotFound
	case errors.Is(err, detect.ErrCorrelationTest):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// test runs a rule over pasted events: {"events":[{…}, …]}, each a JSON
// event as POST /api/v1/ingest takes it. They get the request's tenant.
func (h RulesHandler) test(w http.ResponseWriter, r *http.Request) {
	id, tenant := r.PathValue("id"), tenantOf(r)
	noteAudit(r, "", "vigil.rule.id", truncate(id, 256))
	var body struct {
		Events []json.RawMessage `json:"events"`
	}
	if err := readJSON(w, r, maxTestBody, &body); err != nil {
		writeBodyError(w, err)
		return
	}
	if len(body.Events) == 0 || len(body.Events) > maxTestEvents {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("events: want 1 to %d events", maxTestEvents))
		return
	}
	evs := make([]*event.Event, len(body.Events))
	now := h.now().UTC()
	for i, raw := range body.Events {
		e := &event.Event{}
		if err := json.Unmarshal(raw, e); err != nil {
			WriteError(w, http.StatusBadRequest, fmt.Errorf("event %d: %w", i+1, err))
			return
		}
		e.Tenant = tenant
		if e.Timestamp.IsZero() {
			e.Timestamp = now
		}
		if e.ID == "" {
			e.ID = fmt.Sprintf("sample-%d", i+1)
		}
		evs[i] = e
	}
	start := time.Now()
	rt, err := h.Engine.NewRuleTest(id)
	if err != nil {
		WriteError(w, ruleTestStatus(err), err)
		return
	}
	res := testResult{Matched: make([]bool, len(evs))}
	for i, e := range evs {
		res.Matched[i] = rt.Add(e)
	}
	res.alertsOfTest = result(rt, start)
	WriteJSON(w, http.StatusOK, res)
}

func result(rt *detect.RuleTest, start time.Time) alertsOfTest {
	return alertsOfTest{Events: rt.Events, Matches: rt.Matches, Alerts: rt.Alerts(), More: rt.More, TookMS: time.Since(start).Milliseconds()}
}

type backtestResult struct {
	alertsOfTest
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// InRange are the stored events of the range (and query); Events
	// those the store let through its prefilter (the rule's literals) and
	// the rule was run on.
	InRange int64 `json:"events_in_range"`
}

// backtest runs a rule over the tenant's stored events of a range:
// {"from": "-24h", "to": "now", "query": "…"} (query optional: a filter
// narrowing the events read).
func (h RulesHandler) backtest(w http.ResponseWriter, r *http.Request) {
	id, tenant := r.PathValue("id"), tenantOf(r)
	noteAudit(r, "", "vigil.rule.id", truncate(id, 256))
	if h.Events == nil {
		WriteError(w, http.StatusNotImplemented, errors.New("this node keeps no events to backtest over (the embedded store does; ClickHouse not yet)"))
		return
	}
	var body struct {
		From  string `json:"from"`
		To    string `json:"to"`
		Query string `json:"query"`
	}
	if err := readJSON(w, r, maxBacktestBody, &body); err != nil {
		writeBodyError(w, err)
		return
	}
	now := h.now()
	if body.From == "" {
		body.From = "-24h"
	}
	from, err := ParseTimeParam(body.From, now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("from: %w", err))
		return
	}
	to, err := ParseTimeParam(body.To, now)
	if err != nil {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("to: %w", err))
		return
	}
	if to.IsZero() {
		to = now
	}
	noteAudit(r, "", "vigil.backtest.from", from.UTC().Format(time.RFC3339), "vigil.backtest.to", to.UTC().Format(time.RFC3339))
	start := time.Now()
	rt, err := h.Engine.NewRuleTest(id)
	if err != nil {
		WriteError(w, ruleTestStatus(err), err)
		return
	}
	select {
	case backtestSlots <- struct{}{}:
		defer func() { <-backtestSlots }()
	default:
		w.Header().Set("Retry-After", "5")
		WriteError(w, http.StatusTooManyRequests, fmt.Errorf("%d backtests are running; try again when one is done", maxBacktests))
		return
	}
	var opt store.ScanOptions
	if fields, all := rt.Fields(); !all {
		opt.Fields = fields
	}
	opt.AnyOf = rt.Requirement()
	var ev event.Event
	st, err := h.Events.Scan(r.Context(), store.Request{Tenant: tenant, Query: body.Query, From: from, To: to}, opt, func(row store.Row) error {
		ev.Reset()
		rowEvent(row, &ev)
		rt.Add(&ev) // a match is copied: the event is reused
		return nil
	})
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, store.ErrBadRequest) {
			status = http.StatusBadRequest
		}
		writeSearchError(w, status, err)
		return
	}
	WriteJSON(w, http.StatusOK, backtestResult{alertsOfTest: result(rt, start), From: from.UTC(), To: to.UTC(), InRange: st.InRange})
}

// rowEvent fills e with a stored event's cells, typed as the store keeps
// them (text that is an IP address becomes an IP, as parsers make it).
func rowEvent(row store.Row, e *event.Event) {
	for _, c := range row {
		var v event.Value
		switch x := c.Value.(type) {
		case nil:
			continue
		case string:
			// an IP address as parsers make it; text that only parses as
			// one stays text, so the rule sees what was stored
			if a, err := netip.ParseAddr(x); err == nil && a.Unmap().String() == x {
				v = event.IP(a)
			} else {
				v = event.String(x)
			}
		case int64:
			v = event.Int(x)
		case float64:
			v = event.Float(x)
		case bool:
			v = event.Bool(x)
		case time.Time:
			v = event.Time(x)
		case []string:
			v = event.List(x)
		default:
			v = event.String(store.CellText(x))
		}
		e.Set(c.Name, v)
	}
}
