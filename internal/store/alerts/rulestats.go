package alerts

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// RuleStats returns, per rule, the alerts of tenant last seen in [from,
// to) (a zero time leaves that end open) (store.AlertRecords.RuleStats).
func (s *Store) RuleStats(ctx context.Context, tenant string, from, to time.Time) ([]store.RuleStat, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	// The title and the ATT&CK mapping are those of the rule's latest alert.
	q := `SELECT rule_id, arg_max(rule_title, last_seen), count(*), sum(count), max(last_seen),
	arg_max(CAST(json_extract_string(doc, '$.tactics[*]') AS VARCHAR[]), last_seen),
	arg_max(CAST(json_extract_string(doc, '$.techniques[*]') AS VARCHAR[]), last_seen)
	FROM alerts WHERE tenant = ?`
	args := []any{tenant}
	if !from.IsZero() {
		q += " AND last_seen >= ?"
		args = append(args, from.UTC())
	}
	if !to.IsZero() {
		q += " AND last_seen < ?"
		args = append(args, to.UTC())
	}
	rows, err := s.db.QueryContext(ctx, q+" GROUP BY rule_id ORDER BY rule_id", args...)
	if err != nil {
		return nil, fmt.Errorf("count alerts by rule: %w", err)
	}
	defer rows.Close()
	var out []store.RuleStat
	for rows.Next() {
		var st store.RuleStat
		var title *string
		var events *int64
		var tact, tech []any
		if err := rows.Scan(&st.RuleID, &title, &st.Alerts, &events, &st.Last, &tact, &tech); err != nil {
			return nil, fmt.Errorf("count alerts by rule: %w", err)
		}
		if title != nil {
			st.Title = *title
		}
		if events != nil {
			st.Events = *events
		}
		st.Last = st.Last.UTC()
		st.Tactics, st.Techniques = strs(tact), strs(tech)
		out = append(out, st)
	}
	return out, rows.Err()
}

func strs(xs []any) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
