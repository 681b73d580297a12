package store

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Dataset names a stream of stored records with its own schema and files.
type Dataset string

// The datasets every backend keeps.
const (
	// Events are the normalised events.
	Events Dataset = "events"
	// DeadLetters are the records that could not be parsed, kept with the
	// reason (error.message), the source and the raw bytes (event.original),
	// as events of kind pipeline_error.
	DeadLetters Dataset = "deadletters"
	// Audit is the audit log (internal/audit): who did what, when, from
	// where and with what outcome. Only admins may search it.
	Audit Dataset = "audit"
)

// Datasets lists the datasets in a stable order.
var Datasets = []Dataset{Events, DeadLetters, Audit}

// Valid reports whether d is a known dataset.
func (d Dataset) Valid() bool { return d == Events || d == DeadLetters || d == Audit }

// Limits of a search request.
const (
	DefaultLimit = 100
	// MaxLimit bounds the rows one request returns: 10,000 rows of ~1 KB
	// is ~10 MB of JSON, as much as a browser or a terminal should take.
	MaxLimit = 10_000
	// DefaultQueryTimeout bounds a search that sets no Timeout, in every
	// backend: the slowest of the bench queries over 10M events takes
	// ~5 s; a minute is a query that scans far more than a page needs.
	DefaultQueryTimeout = time.Minute
)

// Request is one search.
type Request struct {
	// Tenant whose data is searched; required.
	Tenant string
	// Dataset searched; "" means Events.
	Dataset Dataset
	// Query in the search language (internal/query); "" matches everything.
	Query string
	// From and To bound @timestamp: From <= t < To. Zero means unbounded.
	From, To time.Time
	// Limit and Offset page through the rows. Limit 0 means DefaultLimit.
	Limit, Offset int
	// Timeout bounds how long the search runs; 0 takes the store's
	// default. Past it the search fails with ErrQueryLimit.
	Timeout time.Duration
}

var tenantRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$`)

// ErrBadRequest is wrapped by errors that are the caller's fault (a bad
// query, a missing tenant); the API answers them with 400.
var ErrBadRequest = errors.New("bad request")

// Normalize checks the request and fills defaults.
func (r *Request) Normalize() error {
	if !tenantRE.MatchString(r.Tenant) {
		return fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", ErrBadRequest, r.Tenant)
	}
	if r.Dataset == "" {
		r.Dataset = Events
	}
	if !r.Dataset.Valid() {
		return fmt.Errorf("%w: unknown dataset %q", ErrBadRequest, r.Dataset)
	}
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	if r.Limit < 0 || r.Limit > MaxLimit {
		return fmt.Errorf("%w: limit %d: want 1 to %d", ErrBadRequest, r.Limit, MaxLimit)
	}
	if r.Offset < 0 {
		return fmt.Errorf("%w: negative offset", ErrBadRequest)
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return fmt.Errorf("%w: from %s is not before to %s", ErrBadRequest, r.From.Format(time.RFC3339), r.To.Format(time.RFC3339))
	}
	return nil
}

// ErrQueryLimit is wrapped by the error of a search stopped by a limit
// (its time); it is a bad request: the caller narrows the query.
var ErrQueryLimit = fmt.Errorf("%w: query limit", ErrBadRequest)

// ErrInvalidTenant is wrapped by a Write of an event whose tenant is not a
// valid tenant name: the store refuses the batch rather than file data it
// could not freeze (entry points validate tenants first; this is the last
// line of defence).
var ErrInvalidTenant = errors.New("invalid tenant name: want 1-64 letters, digits, '_', '.', '-', starting with a letter or digit")

// ValidTenant reports whether s is a valid tenant name.
func ValidTenant(s string) bool { return tenantRE.MatchString(s) }

// Result is the answer to a search.
type Result struct {
	// Shape is "events" (stored events) or "table" (stats, timechart).
	Shape string
	// Columns of a table, in order; nil for events.
	Columns []string
	// Rows are the events or table rows.
	Rows []Row
	// Total counts the events matching the filter (for events), or the rows
	// of the table.
	Total int64
	// Took is how long the search ran.
	Took time.Duration
}

// Store is a storage backend.
type Store interface {
	// Name is the sink name in the pipeline.
	Name() string
	// Write stores events durably: it returns once they survive a crash.
	Write(ctx context.Context, events []*event.Event) error
	// WriteDeadLetters stores dead letters durably.
	WriteDeadLetters(ctx context.Context, letters []pipeline.DeadLetter) error
	// Search runs a search for one tenant.
	Search(ctx context.Context, req Request) (*Result, error)
	// Close flushes and releases everything.
	Close() error
}
