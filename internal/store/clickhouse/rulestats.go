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

// RuleStats returns, per rule, the alerts of tenant last seen in [from,
// to) (a zero time leaves that end open), each alert as its newest update
// (FINAL) (store.AlertRecords.RuleStats). The title and the ATT&CK mapping
// are those of the rule's latest alert: its document, decoded here (18.16
// has no JSONExtract; visitParam functions match a key at any depth).
func (a *Alerts) RuleStats(ctx context.Context, tenant string, from, to time.Time) ([]store.RuleStat, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	where := []string{"tenant = " + sqlgen.CHString(tenant)}
	if !from.IsZero() {
		where = append(where, "last_seen >= "+strconv.FormatInt(from.UnixMicro(), 10))
	}
	if !to.IsZero() {
		where = append(where, "last_seen < "+strconv.FormatInt(to.UnixMicro(), 10))
	}
	q := "SELECT rule_id, count(), sum(count), max(last_seen), argMax(doc, last_seen) FROM " + sqlgen.CHIdent(a.s.db) +
		".alerts FINAL WHERE " + strings.Join(where, " AND ") + " GROUP BY rule_id ORDER BY rule_id"
	var out []store.RuleStat
	err := a.s.c.queryRows(ctx, q, func(row []json.RawMessage) error {
		var st store.RuleStat
		var last int64
		var doc string
		if err := cols(row, &st.RuleID, &st.Alerts, &st.Events, &last, &doc); err != nil {
			return err
		}
		var latest struct {
			Title      string   `json:"rule_title"`
			Tactics    []string `json:"tactics"`
			Techniques []string `json:"techniques"`
		}
		if err := json.Unmarshal([]byte(doc), &latest); err != nil {
			return fmt.Errorf("read alert of rule %s: %w", st.RuleID, err)
		}
		st.Last, st.Title = fromMicros(last), latest.Title
		st.Tactics, st.Techniques = nonNil(latest.Tactics), nonNil(latest.Techniques)
		out = append(out, st)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count alerts by rule: %w", err)
	}
	return out, nil
}

// nonNil returns xs, or an empty slice for nil (as the embedded store
// answers an alert without tactics).
func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}
