package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// responsesDDL is the response log: one row per attempt, appended, never
// changed. Unpartitioned, so that a batch is one part (all or none); the
// log is small next to events.
func responsesDDL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(db) + `.response_attempts (
  entry_time Int64,
  tenant String,
  response String,
  action String,
  kind String,
  subject String,
  rule_id String,
  reason String,
  delivery String,
  attempt Int64,
  outcome String,
  duration_ms Int64,
  detail String
) ENGINE = MergeTree
ORDER BY (tenant, entry_time, delivery, attempt)`
}

// Responses keeps the response log in ClickHouse (store.ResponseLog).
type Responses struct{ s *Store }

// OpenResponses creates the response log's table if needed.
func (s *Store) OpenResponses(ctx context.Context) (*Responses, error) {
	if err := s.c.exec(ctx, responsesDDL(s.db)); err != nil {
		return nil, fmt.Errorf("create clickhouse response log: %w", err)
	}
	return &Responses{s: s}, nil
}

type responseRow struct {
	Time       int64  `json:"entry_time"`
	Tenant     string `json:"tenant"`
	Response   string `json:"response"`
	Action     string `json:"action"`
	Kind       string `json:"kind"`
	Subject    string `json:"subject"`
	RuleID     string `json:"rule_id"`
	Reason     string `json:"reason"`
	Delivery   string `json:"delivery"`
	Attempt    int64  `json:"attempt"`
	Outcome    string `json:"outcome"`
	DurationMS int64  `json:"duration_ms"`
	Detail     string `json:"detail"`
}

// WriteResponses appends records in one INSERT (store.ResponseLog).
func (r *Responses) WriteResponses(ctx context.Context, recs []store.ResponseRecord) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([]responseRow, len(recs))
	for i, rec := range recs {
		if !store.ValidTenant(rec.Tenant) {
			return fmt.Errorf("store response records: tenant %q is not valid", rec.Tenant)
		}
		rows[i] = responseRow{rec.Time.UnixMicro(), rec.Tenant, rec.Response, rec.Action, rec.Kind, rec.Subject, rec.RuleID,
			rec.Reason, rec.Delivery, int64(rec.Attempt), rec.Outcome, rec.DurationMS, rec.Detail}
	}
	b, err := jsonLines(rows)
	if err == nil {
		err = r.s.c.insert(ctx, sqlgen.CHIdent(r.s.db)+".response_attempts", b)
	}
	if err != nil {
		return fmt.Errorf("store response records: %w", err)
	}
	return nil
}

// ListResponses implements store.ResponseLog.
func (r *Responses) ListResponses(ctx context.Context, f store.ResponseFilter) ([]store.ResponseRecord, int64, error) {
	if err := f.Normalize(); err != nil {
		return nil, 0, err
	}
	where := []string{"tenant = " + sqlgen.CHString(f.Tenant)}
	for _, c := range []struct{ col, v string }{{"response", f.Response}, {"action", f.Action}, {"outcome", f.Outcome}, {"subject", f.Subject}} {
		if c.v != "" {
			where = append(where, c.col+" = "+sqlgen.CHString(c.v))
		}
	}
	if !f.From.IsZero() {
		where = append(where, "entry_time >= "+strconv.FormatInt(f.From.UnixMicro(), 10))
	}
	if !f.To.IsZero() {
		where = append(where, "entry_time < "+strconv.FormatInt(f.To.UnixMicro(), 10))
	}
	from := " FROM " + sqlgen.CHIdent(r.s.db) + ".response_attempts WHERE " + strings.Join(where, " AND ")
	total, err := r.s.c.queryInt(ctx, "SELECT count()"+from)
	if err != nil {
		return nil, 0, fmt.Errorf("count response records: %w", err)
	}
	out := []store.ResponseRecord{}
	err = r.s.c.queryRows(ctx, "SELECT entry_time, tenant, response, action, kind, subject, rule_id, reason, delivery, attempt, outcome, duration_ms, detail"+
		from+" ORDER BY entry_time DESC, delivery, attempt DESC LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset),
		func(row []json.RawMessage) error {
			var rec store.ResponseRecord
			var at, attempt int64
			if err := cols(row, &at, &rec.Tenant, &rec.Response, &rec.Action, &rec.Kind, &rec.Subject, &rec.RuleID, &rec.Reason,
				&rec.Delivery, &attempt, &rec.Outcome, &rec.DurationMS, &rec.Detail); err != nil {
				return err
			}
			rec.Time, rec.Attempt = time.UnixMicro(at).UTC(), int(attempt)
			out = append(out, rec)
			return nil
		})
	if err != nil {
		return nil, 0, fmt.Errorf("list response records: %w", err)
	}
	return out, total, nil
}

// RecentDeliveries implements store.ResponseLog.
func (r *Responses) RecentDeliveries(ctx context.Context, since time.Time, limit int) ([]string, error) {
	var out []string
	err := r.s.c.queryRows(ctx, "SELECT delivery FROM "+sqlgen.CHIdent(r.s.db)+".response_attempts WHERE entry_time >= "+
		strconv.FormatInt(since.UnixMicro(), 10)+" GROUP BY delivery ORDER BY max(entry_time) DESC, delivery LIMIT "+strconv.Itoa(max(limit, 0)),
		func(row []json.RawMessage) error {
			var d string
			if err := cols(row, &d); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read recent response deliveries: %w", err)
	}
	return out, nil
}
