// Package responses owns the stored response log: the response_attempts
// table in the store's DuckDB database, one row per attempt of a response
// action (or per dropped job). It implements store.ResponseLog, written by
// response.Recorder and read by the responses API and by a restarted
// dispatcher (which must not run a delivery twice).
//
// Every read names the tenant, except RecentDeliveries: delivery ids are
// unique across tenants and never leave the process.
package responses

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

const schema = `CREATE TABLE IF NOT EXISTS response_attempts (
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

// migration adds what tables created by older versions lack.
const migration = `ALTER TABLE response_attempts ADD COLUMN IF NOT EXISTS actor VARCHAR`

// recordColumns is the number of columns of a row.
const recordColumns = 14

// perStatement bounds the rows of one INSERT: the recorder writes batches
// of 200, one statement each (DuckDB spends about as long on a statement of
// one row as on one of hundreds; internal/store/sqlrows says more).
const perStatement = 200

// Log keeps the response log in DuckDB.
type Log struct {
	db *sql.DB
}

var _ store.ResponseLog = (*Log)(nil)

// Open creates the table if needed.
func Open(ctx context.Context, db *sql.DB) (*Log, error) {
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("create response_attempts table: %w", err)
	}
	if _, err := db.ExecContext(ctx, migration); err != nil {
		return nil, fmt.Errorf("add the actor column to response_attempts: %w", err)
	}
	return &Log{db: db}, nil
}

// WriteResponses implements store.ResponseLog: one transaction.
func (l *Log) WriteResponses(ctx context.Context, recs []store.ResponseRecord) error {
	if len(recs) == 0 {
		return nil
	}
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("write response records: %w", err)
	}
	defer tx.Rollback()
	for len(recs) > 0 {
		n := min(len(recs), perStatement)
		var q strings.Builder
		q.WriteString("INSERT INTO response_attempts (entry_time, tenant, response, action, kind, subject, rule_id, reason, delivery, attempt, outcome, duration_ms, detail, actor) VALUES ")
		args := make([]any, 0, n*recordColumns)
		for i, rec := range recs[:n] {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString("(?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
			args = append(args, rec.Time.UTC(), rec.Tenant, rec.Response, rec.Action, rec.Kind, rec.Subject, rec.RuleID, rec.Reason,
				rec.Delivery, rec.Attempt, rec.Outcome, rec.DurationMS, rec.Detail, rec.Actor)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write response records: %w", err)
		}
		recs = recs[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("write response records: %w", err)
	}
	return nil
}

// ListResponses implements store.ResponseLog.
func (l *Log) ListResponses(ctx context.Context, f store.ResponseFilter) ([]store.ResponseRecord, int64, error) {
	if err := f.Normalize(); err != nil {
		return nil, 0, err
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
	cond := strings.Join(where, " AND ")
	var total int64
	if err := l.db.QueryRowContext(ctx, "SELECT count(*) FROM response_attempts WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count response records: %w", err)
	}
	rows, err := l.db.QueryContext(ctx, `SELECT entry_time, tenant, response, action, kind, subject, rule_id, reason, delivery, attempt, outcome, duration_ms, detail, actor
		FROM response_attempts WHERE `+cond+` ORDER BY entry_time DESC, delivery, attempt DESC LIMIT ? OFFSET ?`, append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list response records: %w", err)
	}
	defer rows.Close()
	var out []store.ResponseRecord
	for rows.Next() {
		var rec store.ResponseRecord
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
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list response records: %w", err)
	}
	return out, total, nil
}

// RecentDeliveries implements store.ResponseLog.
func (l *Log) RecentDeliveries(ctx context.Context, since time.Time, limit int) ([]string, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT delivery FROM response_attempts WHERE entry_time >= ?
		GROUP BY delivery ORDER BY max(entry_time) DESC, delivery LIMIT ?`, since.UTC(), limit)
	if err != nil {
		return nil, fmt.Errorf("read recent response deliveries: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var d string
		if err := rows.Scan(&d); err != nil {
			return nil, fmt.Errorf("read recent response deliveries: %w", err)
		}
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read recent response deliveries: %w", err)
	}
	return out, nil
}
