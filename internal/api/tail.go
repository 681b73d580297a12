package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/tail"
)

// TailHandler serves live tail: GET /api/v1/tail?q=FILTER&tenant=T
// answers server-sent events, one `event: event` whose data is an event
// (as /api/v1/search returns it) for each newly stored event that
// matches the filter, in arrival order. Other events: `ready` once
// subscribed, `dropped` (data {"reason", "sent"}) when the connection did
// not keep up and was dropped, `end` when the subscription reached its
// age limit; the console reconnects. Comments (`: ping`) keep idle
// connections open.
//
// The filter is a search-language filter without pipes. Each batch of
// stored event ids the hub hands over is searched as `(FILTER) AND
// event.id:(…)` over the batch's time span, so tail matches exactly what
// search matches. Subscriptions are bounded in all and per tenant
// (503 with Retry-After when full).
type TailHandler struct {
	Hub   *tail.Hub
	Store Searcher
	// MaxAge ends a subscription (default tail.DefaultMaxAge).
	MaxAge time.Duration
	// Heartbeat is the interval of keep-alive comments (default 15s).
	Heartbeat time.Duration
}

// maxTailQuery bounds a tail's filter: it is searched once per batch, and
// audited whole (as searches are, up to 4 KiB).
const maxTailQuery = 4096

// tailWriteTimeout bounds one write to a client: a client that stops
// reading is dropped instead of holding the handler.
const tailWriteTimeout = 10 * time.Second

// Routes implements Mounter.
func (h TailHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/tail", Role: auth.Viewer, Tag: "search", Tenanted: true, Handler: h.serve,
		Query:   []Param{{Name: "q", Description: "a search-language filter without pipes"}},
		Summary: "Live tail: new events matching q, as server-sent events (text/event-stream)"}}
}

func (h TailHandler) serve(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	q := r.URL.Query().Get("q")
	noteAudit(r, tenant, "vigil.search.query", truncate(q, 4096))
	if len(q) > maxTailQuery {
		WriteError(w, http.StatusBadRequest, fmt.Errorf("q: at most %d bytes", maxTailQuery))
		return
	}
	plan, err := query.Parse(q)
	if err != nil {
		writeSearchError(w, http.StatusBadRequest, fmt.Errorf("%w: %w", store.ErrBadRequest, err))
		return
	}
	if len(plan.Pipes) > 0 {
		WriteError(w, http.StatusBadRequest, errors.New("q: live tail takes a filter without pipes"))
		return
	}
	sub, err := h.Hub.Subscribe(tenant)
	if errors.Is(err, tail.ErrFull) {
		w.Header().Set("Retry-After", "30")
		WriteError(w, http.StatusServiceUnavailable, err)
		return
	}
	if err != nil {
		WriteError(w, http.StatusInternalServerError, err)
		return
	}
	defer sub.Close()

	rc := http.NewResponseController(w)
	// The server's read timeout would end a long response.
	_ = rc.SetReadDeadline(time.Time{})
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	sent := 0
	send := func(kind string, data any) bool {
		b, err := json.Marshal(data)
		if err != nil {
			return false
		}
		_ = rc.SetWriteDeadline(time.Now().Add(tailWriteTimeout))
		if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", kind, b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("ready", map[string]any{"query": q}) {
		return
	}
	maxAge, beat := h.MaxAge, h.Heartbeat
	if maxAge <= 0 {
		maxAge = tail.DefaultMaxAge
	}
	if beat <= 0 {
		beat = 15 * time.Second
	}
	age := time.NewTimer(maxAge)
	defer age.Stop()
	ping := time.NewTicker(beat)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-sub.Gone:
			send("dropped", map[string]any{"reason": sub.Err().Error(), "sent": sent})
			return
		case <-age.C:
			send("end", map[string]any{"reason": "the live tail reached its age limit", "sent": sent})
			return
		case <-ping.C:
			_ = rc.SetWriteDeadline(time.Now().Add(tailWriteTimeout))
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil || rc.Flush() != nil {
				return
			}
		case b := <-sub.C:
			res, err := h.Store.Search(r.Context(), store.Request{Query: batchQuery(plan.Filter, b.IDs), Tenant: tenant,
				From: b.From, To: b.To.Add(time.Millisecond), Limit: len(b.IDs)})
			if err != nil {
				if r.Context().Err() == nil {
					send("error", map[string]any{"error": err.Error()})
				}
				return
			}
			rows := slices.Clone(res.Rows)
			slices.Reverse(rows) // oldest first: the order they arrived in
			for _, row := range rows {
				if !send("event", row) {
					return
				}
				sent++
			}
		}
	}
}

// batchQuery is `(FILTER) AND event.id:(id OR …)`.
func batchQuery(filter query.Expr, ids []string) string {
	or := make([]query.Expr, len(ids))
	for i, id := range ids {
		or[i] = &query.Match{Field: "event.id", Value: id}
	}
	var idx query.Expr = &query.Or{Args: or}
	if len(or) == 1 {
		idx = or[0]
	}
	if filter == nil {
		return query.ExprString(idx)
	}
	return "(" + query.ExprString(filter) + ") AND (" + query.ExprString(idx) + ")"
}
