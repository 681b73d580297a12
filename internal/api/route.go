package api

import (
	"fmt"
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"
)

// Public is the Role of a route that needs no credentials from the API:
// health, the console's log-in and files, and the ingest endpoints, which
// check their own tokens (TestPublicRoutes keeps the list short).
const Public = auth.Public

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

// add mounts r. A pattern mounted twice, or a route without a role, is a
// programming error, found by any test that builds the server: as
// http.ServeMux does for a conflict, it panics.
func (rt *router) add(r Route) {
	p := r.Pattern()
	if _, dup := rt.roles[p]; dup {
		panic(fmt.Sprintf("api: route %s mounted twice", p))
	}
	if r.Role != Public && (r.Role < auth.Viewer || r.Role > auth.Admin) {
		panic(fmt.Sprintf("api: route %s names no role: want auth.Viewer, auth.Analyst, auth.Admin or api.Public", p))
	}
	rt.mux.Handle(p, r.Handler)
	rt.roles[p] = r.Role
	rt.routes = append(rt.routes, r)
}

// otherMethods are tried on a path no route of the request's method
// serves: its 405 is public when the path's routes are.
var otherMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}

// need is the role a request needs (the auth middleware asks): its
// route's. A request no route matches is answered 404 or 405 after the
// middleware: a 405 on a path with public routes needs nothing either, and
// anything else what auth.DefaultNeed says (nothing outside /api/, else its
// method's role).
func (rt *router) need(r *http.Request) auth.Role {
	if role, ok := rt.roleOf(r); ok {
		return role
	}
	for _, m := range otherMethods {
		if m == r.Method {
			continue
		}
		other := r.WithContext(r.Context())
		other.Method = m
		if role, ok := rt.roleOf(other); ok && role == Public {
			return Public
		}
	}
	return auth.DefaultNeed(r)
}

// roleOf is the role of the route that serves r, if one does.
func (rt *router) roleOf(r *http.Request) (auth.Role, bool) {
	_, p := rt.mux.Handler(r)
	role, ok := rt.roles[p]
	return role, ok
}
