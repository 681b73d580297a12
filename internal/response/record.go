package response

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// Outcomes of an attempt.
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

// Record is one attempt of a response, or one dropped job.
type Record struct {
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
	// Actor is the user who ran the response from the console or the API
	// (RunOnAlert); "" for a run the configuration triggered.
	Actor string `json:"actor,omitempty"`
}

const recordSchema = `CREATE TABLE IF NOT EXISTS response_attempts (
	entry_time TIMESTAMP NOT NULL,
	tenant VARCHAR NOT NULL,
	response VARCHAR NOT NULL,
	action VARCHAR NOT NULL,
	kind VARCHAR NOT NULL,
	subject VARCHAR NOT NULL,
	rule_id VARCHAR,
	reason VARCHAR,
	delivery VARCHAR NOT NULL,
	attempt INTEGER NOT NULL,
	outcome VARCHAR NOT NULL,
	duration_ms BIGINT,
	detail VARCHAR,
	actor VARCHAR
)`

// recordMigration adds what tables created by older versions lack.
const recordMigration = `ALTER TABLE response_attempts ADD COLUMN IF NOT EXISTS actor VARCHAR`

// Limits of the recorder.
const (
	// recordBuffer bounds the records waiting to be written: workers wait
	// when it is full; a drop that finds it full is counted as lost.
	recordBuffer = 4096
	// recordBatch rows go in one INSERT; recordLinger is how long the
	// writer waits to fill one.
	recordBatch  = 200
	recordLinger = 200 * time.Millisecond
	// maxDetail bounds a record's detail.
	maxDetail = 16 << 10
)

// Recorder writes attempt records to the response_attempts table of the
// store's DuckDB database, in batches, from one goroutine, and lists them.
type Recorder struct {
	db   *sql.DB
	in   chan Record
	done chan struct{}
	// mu guards closed against the close of in.
	mu     sync.RWMutex
	closed bool
	// lost counts records dropped because the buffer was full.
	lost atomic.Int64
	log  *slog.Logger
}

// OpenRecorder creates the table if needed and starts the writer. A nil
// logger is slog.Default().
func OpenRecorder(ctx context.Context, db *sql.DB, log *slog.Logger) (*Recorder, error) {
	if _, err := db.ExecContext(ctx, recordSchema); err != nil {
		return nil, fmt.Errorf("create response_attempts table: %w", err)
	}
	if _, err := db.ExecContext(ctx, recordMigration); err != nil {
		return nil, fmt.Errorf("add the actor column to response_attempts: %w", err)
	}
	if log == nil {
		log = slog.Default()
	}
	r := &Recorder{db: db, in: make(chan Record, recordBuffer), done: make(chan struct{}), log: log.With("component", "responses")}
	go r.run()
	return r, nil
}

// add queues a record, waiting while the buffer is full.
func (r *Recorder) add(rec Record) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		r.lost.Add(1)
		return
	}
	r.in <- rec
}

// tryAdd queues a record unless the buffer is full.
func (r *Recorder) tryAdd(rec Record) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if !r.closed {
		select {
		case r.in <- rec:
			return
		default:
		}
	}
	r.lost.Add(1)
}

func (r *Recorder) run() {
	defer close(r.done)
	batch := make([]Record, 0, recordBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	flush := func() {
		if len(batch) == 0 {
			return
		}
		if err := r.write(batch); err != nil {
			r.log.Error("write response records", "records", len(batch), "err", err)
		}
		batch = batch[:0]
	}
	for {
		select {
		case rec, ok := <-r.in:
			if !ok {
				flush()
				return
			}
			if len(batch) == 0 {
				timer.Reset(recordLinger)
			}
			batch = append(batch, rec)
			if len(batch) >= recordBatch {
				timer.Stop()
				flush()
			}
		case <-timer.C:
			flush()
		}
	}
}

func (r *Recorder) write(recs []Record) error {
	var q strings.Builder
	q.WriteString("INSERT INTO response_attempts (entry_time, tenant, response, action, kind, subject, rule_id, reason, delivery, attempt, outcome, duration_ms, detail, actor) VALUES ")
	args := make([]any, 0, len(recs)*14)
	for i, rec := range recs {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
		args = append(args, rec.Time.UTC(), rec.Tenant, rec.Response, rec.Action, rec.Kind, rec.Subject, rec.RuleID, rec.Reason,
			rec.Delivery, rec.Attempt, rec.Outcome, rec.DurationMS, rec.Detail, rec.Actor)
	}
	_, err := r.db.Exec(q.String(), args...)
	return err
}

// Close writes what is buffered and stops the writer. Nothing may be
// added after.
func (r *Recorder) Close() {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.in)
	}
	r.mu.Unlock()
	<-r.done
}

// RecordFilter selects records. Tenant is required.
type RecordFilter struct {
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

// List returns the records matching f, the most recent first, and how
// many match in all.
func (r *Recorder) List(ctx context.Context, f RecordFilter) ([]Record, int64, error) {
	if !store.ValidTenant(f.Tenant) {
		return nil, 0, fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", store.ErrBadRequest, f.Tenant)
	}
	where := []string{"tenant = ?"}
	args := []any{f.Tenant}
	for _, c := range []struct{ col, v string }{{"response", f.Response}, {"action", f.Action}, {"outcome", f.Outcome}, {"subject", f.Subject}} {
		if c.v != "" {
			where = append(where, c.col+" = ?")
			args = append(args, c.v)
		}
	}
	if !f.From.IsZero() {
		where = append(where, "entry_time >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "entry_time < ?")
		args = append(args, f.To.UTC())
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return nil, 0, fmt.Errorf("%w: from %s is not before to %s", store.ErrBadRequest, f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	if f.Limit <= 0 || f.Limit > store.MaxLimit {
		f.Limit = store.DefaultLimit
	}
	if f.Offset < 0 {
		return nil, 0, fmt.Errorf("%w: negative offset", store.ErrBadRequest)
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := r.db.QueryRowContext(ctx, "SELECT count(*) FROM response_attempts WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count response records: %w", err)
	}
	rows, err := r.db.QueryContext(ctx, `SELECT entry_time, tenant, response, action, kind, subject, rule_id, reason, delivery, attempt, outcome, duration_ms, detail, actor
		FROM response_attempts WHERE `+cond+` ORDER BY entry_time DESC, delivery, attempt DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list response records: %w", err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var rec Record
		var rule, reason, detail, actor sql.NullString
		var dur sql.NullInt64
		if err := rows.Scan(&rec.Time, &rec.Tenant, &rec.Response, &rec.Action, &rec.Kind, &rec.Subject, &rule, &reason,
			&rec.Delivery, &rec.Attempt, &rec.Outcome, &dur, &detail, &actor); err != nil {
			return nil, 0, fmt.Errorf("read response record: %w", err)
		}
		rec.RuleID, rec.Reason, rec.Detail, rec.DurationMS, rec.Actor = rule.String, reason.String, detail.String, dur.Int64, actor.String
		rec.Time = rec.Time.UTC()
		out = append(out, rec)
	}
	return out, total, rows.Err()
}

// recentDeliveries returns the deliveries recorded in the last day, up to
// limit: the jobs a restarted dispatcher must not run again when a folded
// alert's update arrives.
func (r *Recorder) recentDeliveries(ctx context.Context, since time.Time, limit int) ([]string, error) {
	rows, err := r.db.QueryContext(ctx, `SELECT delivery FROM response_attempts WHERE entry_time >= ?
		GROUP BY delivery ORDER BY max(entry_time) DESC LIMIT ?`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("read recent response deliveries: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}
