package app

import (
	"context"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/alert/alertlog"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store"
)

// The API reads alerts and incidents through these wrappers: each applies
// the alert log's pending alerts first (alertlog.Log.Flush), so a read sees
// every alert whose events were acknowledged.

type flushedAlerts struct {
	s   store.Alerts
	log *alertlog.Log
}

func (f flushedAlerts) List(ctx context.Context, fl store.AlertFilter) ([]alert.Alert, int64, error) {
	if err := f.flush(ctx); err != nil {
		return nil, 0, err
	}
	return f.s.List(ctx, fl)
}

func (f flushedAlerts) RuleStats(ctx context.Context, tenant string, from, to time.Time) ([]store.RuleStat, error) {
	if err := f.flush(ctx); err != nil {
		return nil, err
	}
	return f.s.RuleStats(ctx, tenant, from, to)
}

func (f flushedAlerts) Get(ctx context.Context, tenant, id string) (*alert.Alert, error) {
	if err := f.flush(ctx); err != nil {
		return nil, err
	}
	return f.s.Get(ctx, tenant, id)
}

func (f flushedAlerts) Update(ctx context.Context, tenant string, ids []string, c store.AlertChange, now time.Time) ([]alert.Alert, error) {
	if err := f.flush(ctx); err != nil {
		return nil, err
	}
	return f.s.Update(ctx, tenant, ids, c, now)
}

func (f flushedAlerts) flush(ctx context.Context) error {
	if f.log == nil { // a query node without the store role: the store nodes apply their logs
		return nil
	}
	if err := f.log.Flush(ctx); err != nil {
		return fmt.Errorf("apply pending alerts: %w", err)
	}
	return nil
}

type flushedIncidents struct {
	m   *incident.Manager
	log *alertlog.Log
}

func (f flushedIncidents) List(ctx context.Context, fl incident.Filter) ([]incident.Incident, int64, error) {
	if err := f.flush(ctx); err != nil {
		return nil, 0, err
	}
	return f.m.List(ctx, fl)
}

func (f flushedIncidents) Get(ctx context.Context, tenant, id string) (*incident.Detail, error) {
	if err := f.flush(ctx); err != nil {
		return nil, err
	}
	return f.m.Get(ctx, tenant, id)
}

func (f flushedIncidents) Update(ctx context.Context, tenant, id string, p incident.Patch) (*incident.Detail, error) {
	if err := f.flush(ctx); err != nil {
		return nil, err
	}
	return f.m.Update(ctx, tenant, id, p)
}

func (f flushedIncidents) flush(ctx context.Context) error {
	if f.log == nil { // a query node without the store role
		return nil
	}
	if err := f.log.Flush(ctx); err != nil {
		return fmt.Errorf("apply pending alerts: %w", err)
	}
	return nil
}
