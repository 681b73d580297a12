// Package api owns Vigil's HTTP API (DESIGN §1): health, search, alerts,
// metrics, and the mounting of the HTTP ingest endpoints and the web UI on
// one listener. Errors are JSON {"error": "..."} with a 4xx or 5xx status.
// docs/api.md describes the endpoints.
package api
