package api

import (
	"fmt"
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"
)

// Public is the Role of a route that needs no credentials from the API:
// health, the console's log-in and files, and the ingest endpoints, which
// check their own tokens. auth.Exempt must agree (TestRouteRolesMatchAuth).
const Public auth.Role = 0

// Route is one endpoint of the API. The API's mux is built from routes
// only, and the OpenAPI document (GET /api/v1/openapi.json) is generated
// from the same routes, so a route cannot be served without being
// documented.
type Route struct {
	// Method and Path make the http.ServeMux pattern "METHOD PATH";
	// Path may hold wildcards: /api/v1/incidents/{id}, {key...}.
	Method, Path string
	// Role is the least role a principal needs (auth.Viewer, auth.Analyst,
	// auth.Admin), or Public. The auth middleware enforces it.
	Role auth.Role
	// Tag groups the route in the document ("incidents", "watch-lists").
	Tag string
	// Summary is one line for the document; every documented route has one.
	Summary string
	// Query are the query parameters the handler reads, besides tenant.
	Query []Param
	// Body is the request body's media types, "" when it takes none.
	Body []string
	// OK is the success status when it is not 200 (201, 204).
	OK int
	// Tenanted routes read ?tenant= (default "default"); the document lists it.
	Tenanted bool
	// Undocumented, when not empty, keeps the route out of the document
	// and says why (the console's static files, the profiler).
	Undocumented string
	Handler      http.HandlerFunc
}

// Param is a documented query parameter.
type Param struct {
	Name, Description string
	// Type is the JSON Schema type: "string" (the default), "integer".
	Type string
}

// Pattern is the route's http.ServeMux pattern.
func (r Route) Pattern() string { return r.Method + " " + r.Path }

// Mounter contributes routes to the API (DESIGN §1). To add endpoints,
// write a type in this package whose Routes returns them with their role,
// tag and summary, and add it to the mounts in internal/app.
type Mounter interface {
	Routes() []Route
}

// Routes is a fixed list of routes as a Mounter.
type Routes []Route

// Routes implements Mounter.
func (rs Routes) Routes() []Route { return rs }

// router is the API's mux and the list of routes it was built from.
type router struct {
	mux    *http.ServeMux
	routes []Route
	// roles are the routes' roles by pattern, for the auth middleware.
	roles map[string]auth.Role
}

func newRouter() *router {
	return &router{mux: http.NewServeMux(), roles: map[string]auth.Role{}}
}

// add mounts r. A pattern mounted twice is a programming error, as with
// http.ServeMux (which would panic with less to say).
func (rt *router) add(r Route) {
	p := r.Pattern()
	if _, dup := rt.roles[p]; dup {
		panic(fmt.Sprintf("api: route %s mounted twice", p))
	}
	rt.mux.Handle(p, r.Handler)
	rt.roles[p] = r.Role
	rt.routes = append(rt.routes, r)
}

// need is the role a request needs: its route's, or, for a request no
// route matches (it will be answered 404 or 405), what its method needs.
func (rt *router) need(r *http.Request) auth.Role {
	if _, p := rt.mux.Handler(r); p != "" {
		if role, ok := rt.roles[p]; ok {
			return max(role, auth.Viewer)
		}
	}
	return auth.MethodRole(r)
}
