// Package api owns Vigil's HTTP API (DESIGN §1): health, search, alerts,
// metrics, and the mounting of the HTTP ingest endpoints and the web UI on
// one listener. Errors are JSON {"error": "..."} with a 4xx or 5xx status.
// The OpenAPI description of the API is docs/api/openapi.yaml.
package api
