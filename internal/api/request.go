package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store"
)

// MaxOffset bounds a list's offset parameter: past a billion rows a client
// is not paging, and the bound keeps the SQL's OFFSET an int.
const MaxOffset = 1 << 30

// tenantOf is the tenant a request names with ?tenant=, "default" when
// absent. The auth middleware has checked the principal may see it; the
// services check the name is valid.
func tenantOf(r *http.Request) string {
	if t := r.URL.Query().Get("tenant"); t != "" {
		return t
	}
	return event.DefaultTenant
}

// listParams are the parameters every list endpoint shares.
type listParams struct {
	Tenant        string
	From, To      time.Time
	Limit, Offset int
}

// listParamDocs document listParams for the OpenAPI document.
var listParamDocs = []Param{
	{Name: "from", Description: "lower time bound: RFC 3339, epoch seconds, now, or -15m style"},
	{Name: "to", Description: "upper time bound, as from"},
	{Name: "limit", Type: "integer", Description: "page size, 1 to 10000"},
	{Name: "offset", Type: "integer", Description: "rows to skip, for the next page"},
}

// parseList reads tenant, from, to, limit (1 to store.MaxLimit; absent: 0,
// the service's default) and offset. Errors name the parameter.
func parseList(q url.Values, now time.Time) (listParams, error) {
	// The tenant as the auth middleware read it, untrimmed: what it
	// checked is what is served.
	p := listParams{Tenant: q.Get("tenant")}
	if p.Tenant == "" {
		p.Tenant = event.DefaultTenant
	}
	var err error
	if p.From, err = ParseTimeParam(q.Get("from"), now); err != nil {
		return p, fmt.Errorf("from: %w", err)
	}
	if p.To, err = ParseTimeParam(q.Get("to"), now); err != nil {
		return p, fmt.Errorf("to: %w", err)
	}
	if p.Limit, err = limitParam(q, "limit", 0, store.MaxLimit); err != nil {
		return p, err
	}
	if p.Offset, err = intParam(strings.TrimSpace(q.Get("offset")), 0, MaxOffset); err != nil {
		return p, fmt.Errorf("offset: %w", err)
	}
	return p, nil
}

// limitParam reads the page size parameter name: 1 to maxV, def when
// absent.
func limitParam(q url.Values, name string, def, maxV int) (int, error) {
	n, err := intParam(strings.TrimSpace(q.Get(name)), 1, maxV)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	if n == 0 {
		return def, nil
	}
	return n, nil
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

// statusOf maps a service's error to its HTTP status: the services'
// sentinel errors say what went wrong, the API alone says it in HTTP.
func statusOf(err error) int {
	switch {
	case errors.Is(err, incident.ErrNotFound), errors.Is(err, watchlist.ErrNotFound), errors.Is(err, store.ErrDashboardNotFound):
		return http.StatusNotFound
	case errors.Is(err, incident.ErrConflict), errors.Is(err, watchlist.ErrFull), errors.Is(err, store.ErrDashboardLimit):
		return http.StatusConflict
	case errors.Is(err, store.ErrBadRequest), errors.Is(err, watchlist.ErrInvalid):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}

// writeServiceError writes a service's error with the status statusOf gives.
func writeServiceError(w http.ResponseWriter, err error) {
	WriteError(w, statusOf(err), err)
}
