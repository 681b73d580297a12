package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/store"
)

// EntityReader serves the entity views; entity.Engine implements it.
type EntityReader interface {
	List(tenant, sort string, limit int) ([]entity.Summary, error)
	Entity(tenant, typ, name string) (entity.Detail, bool)
}

// EntitiesHandler serves GET /api/v1/entities and
// GET /api/v1/entities/{type}/{name} (docs/analytics.md).
type EntitiesHandler struct {
	Entities EntityReader
	// Store, when set, gives an entity's timeline: its latest events.
	Store Searcher
}

// Routes implements Mounter.
func (h EntitiesHandler) Routes() []Route {
	return []Route{
		{Method: "GET", Path: "/api/v1/entities", Role: auth.Viewer, Tag: "entities", Tenanted: true, Handler: h.list,
			Summary: "List entities (hosts, users, IPs) by risk: {\"entities\":[…]}",
			Query:   []Param{{Name: "sort", Description: "risk, last_seen or name"}, {Name: "limit", Type: "integer", Description: "1 to 10000, default 100"}}},
		{Method: "GET", Path: "/api/v1/entities/{type}/{name}", Role: auth.Viewer, Tag: "entities", Tenanted: true, Handler: h.get,
			Summary: "One entity with its alerts and timeline",
			Query:   []Param{{Name: "timeline_limit", Type: "integer", Description: "events in the timeline, 1 to 1000, default 50"}}},
	}
}

// defaultEntityLimit is the listing's default length; maxTimeline bounds
// the events of a timeline.
const (
	defaultEntityLimit = 100
	maxEntityLimit     = 10_000
	defaultTimeline    = 50
	maxTimeline        = 1000
)

// list answers {"entities":[{tenant,type,name,risk,alerts,first_seen,last_seen}]}.
// Parameters: tenant, sort (risk, last_seen, name), limit.
func (h EntitiesHandler) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := limitParam(q, "limit", defaultEntityLimit, maxEntityLimit)
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	list, err := h.Entities.List(tenantOf(r), q.Get("sort"), limit)
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	WriteJSON(w, http.StatusOK, map[string]any{"entities": list})
}

// timelineField is the event field an entity type's timeline is found by.
var timelineField = map[string]string{"user": "user.name", "host": "host.name", "source_ip": "source.ip", "process": "process.name"}

// get answers the entity's summary, baselines, risk history and (with a
// store) timeline: its latest events, newest first. Parameters: tenant,
// timeline_limit.
func (h EntitiesHandler) get(w http.ResponseWriter, r *http.Request) {
	tenant := tenantOf(r)
	typ, name := r.PathValue("type"), r.PathValue("name")
	n, err := limitParam(r.URL.Query(), "timeline_limit", defaultTimeline, maxTimeline)
	if err != nil {
		WriteError(w, http.StatusBadRequest, err)
		return
	}
	d, ok := h.Entities.Entity(tenant, typ, name)
	if !ok {
		WriteError(w, http.StatusNotFound, errors.New("no such entity: "+typ+"/"+name))
		return
	}
	timeline := []store.Row{}
	if f := timelineField[typ]; f != "" && h.Store != nil {
		res, err := h.Store.Search(r.Context(), store.Request{Tenant: tenant, Query: f + ":" + quote(d.Name), Limit: n})
		if err != nil {
			WriteError(w, http.StatusInternalServerError, err)
			return
		}
		if res.Rows != nil {
			timeline = res.Rows
		}
	}
	WriteJSON(w, http.StatusOK, struct {
		entity.Detail
		Timeline []store.Row `json:"timeline"`
	}{d, timeline})
}

// quote makes a search-language phrase of s.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
