package store

import (
	"context"
	"fmt"
	"time"
)

// Outcomes of a response attempt.
const (
	OutcomeSuccess = "success"
	// OutcomeRetry: the attempt failed and another follows.
	OutcomeRetry = "retry"
	// OutcomeFailure: the attempt failed and it was the last.
	OutcomeFailure = "failure"
	// OutcomeDropped: the job never ran (its queue was full, or Vigil
	// stopped first).
	OutcomeDropped = "dropped"
)

// ResponseRecord is one attempt of a response action (internal/response),
// or one dropped job: a row of the response log.
type ResponseRecord struct {
	// Time is when the attempt started (when the job was dropped).
	Time     time.Time `json:"time"`
	Tenant   string    `json:"tenant"`
	Response string    `json:"response"`
	// Action is the response's type: webhook, program, syslog or kafka.
	Action string `json:"action"`
	// Kind and Subject are the alert or incident acted on.
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	RuleID  string `json:"rule_id,omitempty"`
	Reason  string `json:"reason,omitempty"`
	// Delivery is the job's id, the same for all its attempts.
	Delivery string `json:"delivery"`
	// Attempt counts from 1 (0 for a job dropped before any attempt).
	Attempt    int    `json:"attempt"`
	Outcome    string `json:"outcome"`
	DurationMS int64  `json:"duration_ms"`
	// Detail says what happened: an HTTP status, an exit status and the
	// program's output, an error. It never holds a secret.
	Detail string `json:"detail,omitempty"`
	// Actor is the user who ran the response by hand, from the console or
	// the API (response.Dispatcher.RunOnAlert); "" for a run the
	// configuration triggered.
	Actor string `json:"actor,omitempty"`
}

// ResponseFilter selects response records. Tenant is required.
type ResponseFilter struct {
	Tenant   string
	Response string
	Action   string
	Outcome  string
	// Subject is an alert or incident id.
	Subject  string
	From, To time.Time
	Limit    int
	Offset   int
}

// Normalize checks the filter and fills defaults (the limit), so that
// every backend refuses the same filters with the same errors.
func (f *ResponseFilter) Normalize() error {
	if !ValidTenant(f.Tenant) {
		return fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", ErrBadRequest, f.Tenant)
	}
	if err := checkRange(f.From, f.To); err != nil {
		return err
	}
	if f.Limit <= 0 || f.Limit > MaxLimit {
		f.Limit = DefaultLimit
	}
	if f.Offset < 0 {
		return fmt.Errorf("%w: negative offset", ErrBadRequest)
	}
	return nil
}

// checkRange refuses a time range whose start is not before its end.
func checkRange(from, to time.Time) error {
	if !from.IsZero() && !to.IsZero() && !from.Before(to) {
		return fmt.Errorf("%w: from %s is not before to %s", ErrBadRequest, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return nil
}

// ResponseLog keeps the response log: every attempt of a response action.
// It is written in batches by one writer (response.Recorder) and read by
// the API and by a restarted dispatcher.
type ResponseLog interface {
	// WriteResponses appends records, all or none.
	WriteResponses(ctx context.Context, recs []ResponseRecord) error
	// ListResponses returns the records matching f, the most recent first
	// (then by delivery, then the latest attempt first), and how many match
	// in all. A filter that Normalize refuses is an error wrapping
	// ErrBadRequest.
	ListResponses(ctx context.Context, f ResponseFilter) ([]ResponseRecord, int64, error)
	// RecentDeliveries returns up to limit deliveries with a record at or
	// after since, the most recently recorded first.
	RecentDeliveries(ctx context.Context, since time.Time, limit int) ([]string, error)
}
