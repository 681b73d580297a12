// Package dashboard owns the console's saved views: dashboards (lists of
// panels, each a stats or timechart query and a chart type) and saved
// searches (a query with its time range, kept per user and shareable
// within a tenant). It defines them, checks them (Validate), bounds them
// (limits.go), ships the built-in dashboards, and names the Store that
// keeps them (internal/store/dashboards implements it). The HTTP API is in
// internal/api (dashboards.go, saved_searches.go).
//
// Isolation: every Store method takes the tenant, and the implementation
// names it in every query, so another tenant's dashboards and saved
// searches do not exist for the caller. A saved search is visible to its
// owner, and to the tenant's other users once shared; only its owner
// changes or deletes it.
package dashboard
