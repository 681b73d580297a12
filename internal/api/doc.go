// Package api owns Vigil's HTTP API (DESIGN §1): every endpoint of the
// one listener (health, search, alerts, incidents, responses, watch-lists,
// outputs, entities, patterns, sources, the console's log-in and files,
// metrics) and the mounting of the HTTP ingest endpoints (package httpin).
// The packages behind it export plain Go services (incident.Service,
// watchlist.Store, response.Recorder, forward.Manager.Status); only this
// package turns them into HTTP. docs/api.md describes the endpoints.
//
// # One way to do each thing
//
//   - Routes: the mux is built only from Route values (route.go), each with
//     its method, path, role, tag, summary and parameters; the OpenAPI
//     document at GET /api/v1/openapi.json is generated from the same
//     routes (openapi.go), and TestOpenAPICoversEveryRoute checks the two
//     agree.
//   - Auth: the auth middleware asks the router what a request needs
//     (router.need: its route's Role), lets Public routes through, and
//     authenticates and checks the tenant and the role of every other.
//     Public routes are few (TestPublicRoutes): health, the console's
//     log-in and files, and ingest, which checks its own tokens.
//   - Tenants: tenantOf reads ?tenant= ("default" when absent), the same
//     parameter the middleware checked.
//   - Errors: WriteError writes {"error":"…"}; writeServiceError maps the
//     services' sentinel errors (not found, conflict, bad request) to 404,
//     409 and 400.
//   - Paging: parseList reads tenant, from, to, limit and offset for every
//     list; limitParam reads a limit with a default.
//
// # Adding endpoints
//
// Write a handler type in a new file of this package with a Routes method
// returning its []Route (method, path, Role: auth.Viewer to read,
// auth.Analyst to change, auth.Admin for node-wide data; Tag, Summary,
// Query, Body, Tenanted), append a value of it to the mounts in
// internal/app, and to fullServer in openapi_test.go. The document
// follows; TestOpenAPICoversEveryRoute fails on a route without a summary,
// and a route without a role panics at start. Path wildcards are
// http.ServeMux's ({id}, {key...}).
package api
