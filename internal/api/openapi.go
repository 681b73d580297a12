package api

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/auth"
)

// OpenAPIVersion is the version of the OpenAPI specification the document
// follows.
const OpenAPIVersion = "3.0.3"

// serveOpenAPI answers GET /api/v1/openapi.json: the document of the routes
// this node mounted (a node without the query role has no search, and so
// on). Viewers may read it, like any other description of the node.
func (s *Server) serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(s.openapi)
}

// wildcard matches a ServeMux wildcard: {name}, {name...} or {$}.
var wildcard = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)?(\.\.\.)?\$?\}`)

// docPath is a route's path as OpenAPI writes it: {key...} becomes {key}
// (the parameter says it may hold slashes), and /{$} (that path exactly)
// becomes /.
func docPath(p string) string {
	return strings.ReplaceAll(wildcard.ReplaceAllString(p, "{$1}"), "{}", "")
}

// pathParams are the names of a route path's wildcards, and whether each
// takes the rest of the path.
func pathParams(p string) (names []string, rest []bool) {
	for _, m := range wildcard.FindAllStringSubmatch(p, -1) {
		if m[1] != "" {
			names, rest = append(names, m[1]), append(rest, m[2] != "")
		}
	}
	return names, rest
}

// roleName is how the document names a route's role (x-vigil-role).
func roleName(r Route) string {
	switch {
	case r.Tag == "ingest":
		return "ingest token"
	case r.Role == Public:
		return "public"
	}
	return r.Role.String()
}

// openAPIDocument describes routes (the undocumented ones left out) as an
// OpenAPI 3 document. Plain maps keep it a description of the routes, not
// of Go types: response bodies are described in docs/api.md.
func openAPIDocument(routes []Route, version string) map[string]any {
	if version == "" {
		version = "dev"
	}
	errorResponse := map[string]any{"description": `{"error":"…"}`,
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	paths := map[string]any{}
	for _, r := range routes {
		if r.Undocumented != "" {
			continue
		}
		op := map[string]any{
			"operationId":  operationID(r),
			"summary":      r.Summary,
			"tags":         []string{r.Tag},
			"x-vigil-role": roleName(r),
		}
		if r.Role == Public {
			op["security"] = []any{} // none from the API; ingest checks its own tokens
		}
		var params []any
		names, rest := pathParams(r.Path)
		for i, n := range names {
			p := map[string]any{"name": n, "in": "path", "required": true, "schema": map[string]any{"type": "string"}}
			if rest[i] {
				p["description"] = "the rest of the path; may hold slashes"
			}
			params = append(params, p)
		}
		if r.Tenanted {
			params = append(params, map[string]any{"name": "tenant", "in": "query", "schema": map[string]any{"type": "string"},
				"description": `the tenant, "default" when absent; the principal must be allowed to see it`})
		}
		for _, q := range r.Query {
			typ := q.Type
			if typ == "" {
				typ = "string"
			}
			params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": typ}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if len(r.Body) > 0 {
			content := map[string]any{}
			for _, mt := range r.Body {
				content[mt] = map[string]any{}
			}
			op["requestBody"] = map[string]any{"required": true, "content": content}
		}
		ok := r.OK
		if ok == 0 {
			ok = http.StatusOK
		}
		okResponse := map[string]any{"description": http.StatusText(ok)}
		if ok != http.StatusNoContent {
			okResponse["content"] = map[string]any{"application/json": map[string]any{}}
		}
		op["responses"] = map[string]any{strconv.Itoa(ok): okResponse, "4XX": errorResponse, "5XX": errorResponse}
		path := docPath(r.Path)
		item, _ := paths[path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[path] = item
		}
		item[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": OpenAPIVersion,
		"info": map[string]any{
			"title":       "Vigil API",
			"version":     version,
			"description": "The HTTP API of a Vigil node (docs/api.md). Errors are {\"error\":\"…\"}. x-vigil-role is the least role a route needs.",
		},
		"paths": paths,
		"tags":  tags(routes),
		// Any of the three authenticates a request; a route's own
		// security ([] for public ones) overrides.
		"security": []any{map[string]any{"basic": []any{}}, map[string]any{"bearer": []any{}}, map[string]any{"session": []any{}}},
		"components": map[string]any{
			"securitySchemes": map[string]any{
				"basic":  map[string]any{"type": "http", "scheme": "basic", "description": "a user's name and password (auth.users)"},
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an API token (auth.tokens)"},
				"session": map[string]any{"type": "apiKey", "in": "cookie", "name": auth.SessionCookie,
					"description": "the console's session (POST /api/v1/session); unsafe methods also need " + auth.CSRFHeader},
			},
			"schemas": map[string]any{
				"Error": map[string]any{"type": "object", "required": []string{"error"},
					"properties": map[string]any{"error": map[string]any{"type": "string"}}},
			},
		},
	}
}

// operationID names an operation by its method and path:
// "get /api/v1/incidents/{id}" is "get_api_v1_incidents_id".
func operationID(r Route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(r.Method))
	sep := true
	for _, c := range docPath(r.Path) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			if sep {
				b.WriteByte('_')
				sep = false
			}
			b.WriteRune(c)
		default:
			sep = true
		}
	}
	return b.String()
}

// tags are the documented routes' tags, sorted.
func tags(routes []Route) []any {
	var names []string
	for _, r := range routes {
		if r.Undocumented == "" && !slices.Contains(names, r.Tag) {
			names = append(names, r.Tag)
		}
	}
	slices.Sort(names)
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = map[string]any{"name": n}
	}
	return out
}
