package alerts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
)

// The analysts' handling of alerts lives beside the alerts table, not in
// it: detection replaces a folded alert's row on every update, and must
// not undo an acknowledgement. alert_triage holds the current status and
// assignee an analyst set; alert_notes every change and comment, with its
// actor.
const triageSchema = `CREATE TABLE IF NOT EXISTS alert_triage (
	id VARCHAR PRIMARY KEY,
	tenant VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	assignee VARCHAR NOT NULL,
	actor VARCHAR NOT NULL,
	changed TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS alert_notes (
	alert_id VARCHAR NOT NULL,
	tenant VARCHAR NOT NULL,
	changed TIMESTAMP NOT NULL,
	actor VARCHAR NOT NULL,
	status VARCHAR,
	assignee VARCHAR,
	text VARCHAR
)`

// Limits of a change (store.AlertChange says why).
const (
	MaxNotes     = store.MaxAlertNotes
	MaxTextBytes = store.MaxAlertText
	MaxNameBytes = store.MaxAlertName
	MaxBulk      = store.MaxAlertBulk
)

// Change is an analyst's change to alerts (store.AlertChange).
type Change = store.AlertChange

func (s *Store) openTriage(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, triageSchema); err != nil {
		return fmt.Errorf("create alert triage tables: %w", err)
	}
	return nil
}

// Update applies a change to the alerts ids of tenant, all or none, and
// returns them updated. An unknown id (or one of another tenant) fails the
// whole change with ErrNotFound.
func (s *Store) Update(ctx context.Context, tenant string, ids []string, c Change, now time.Time) ([]alert.Alert, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	if len(ids) == 0 || len(ids) > MaxBulk {
		return nil, fmt.Errorf("%w: %d alerts: want 1 to %d", store.ErrBadRequest, len(ids), MaxBulk)
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	if c.Actor == "" {
		c.Actor = "anonymous"
	}
	now = now.UTC()
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("update alerts: %w", err)
	}
	defer tx.Rollback()
	for _, id := range ids {
		var status, tstatus, tassignee sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT a.status, t.status, t.assignee FROM alerts a LEFT JOIN alert_triage t ON t.id = a.id
			WHERE a.id = ? AND a.tenant = ?`, id, tenant).Scan(&status, &tstatus, &tassignee)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("alert %s: %w", id, ErrNotFound)
		}
		if err != nil {
			return nil, fmt.Errorf("read alert %s: %w", id, err)
		}
		var notes int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM alert_notes WHERE alert_id = ?", id).Scan(&notes); err != nil {
			return nil, fmt.Errorf("count notes of alert %s: %w", id, err)
		}
		if notes >= MaxNotes {
			return nil, fmt.Errorf("%w: alert %s has %d notes, the most it keeps", store.ErrBadRequest, id, MaxNotes)
		}
		cur, assignee := status.String, tassignee.String
		if tstatus.Valid {
			cur = tstatus.String
		}
		note := []any{id, tenant, now, c.Actor, nil, nil, nil}
		if c.Status != nil {
			cur = string(*c.Status)
			note[4] = cur
		}
		if c.Assignee != nil {
			assignee = *c.Assignee
			note[5] = assignee
			if assignee == "" {
				note[5] = "-"
			}
		}
		if c.Comment != "" {
			note[6] = c.Comment
		}
		if c.Status != nil || c.Assignee != nil {
			if _, err := tx.ExecContext(ctx, "INSERT OR REPLACE INTO alert_triage VALUES (?, ?, ?, ?, ?, ?)", id, tenant, cur, assignee, c.Actor, now); err != nil {
				return nil, fmt.Errorf("update alert %s: %w", id, err)
			}
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO alert_notes VALUES (?, ?, ?, ?, ?, ?, ?)", note...); err != nil {
			return nil, fmt.Errorf("note on alert %s: %w", id, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("update alerts: %w", err)
	}
	out := make([]alert.Alert, 0, len(ids))
	for _, id := range ids {
		a, err := s.get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, nil
}

// Get returns one alert of tenant with its notes, or ErrNotFound.
func (s *Store) Get(ctx context.Context, tenant, id string) (*alert.Alert, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	return s.get(ctx, tenant, id)
}

func (s *Store) get(ctx context.Context, tenant, id string) (*alert.Alert, error) {
	row := s.db.QueryRowContext(ctx, "SELECT "+triageColumns+" FROM alerts a LEFT JOIN alert_triage t ON t.id = a.id WHERE a.id = ? AND a.tenant = ?", id, tenant)
	a, err := scanAlert(row.Scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("alert %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT changed, actor, status, assignee, text FROM alert_notes WHERE alert_id = ? AND tenant = ? ORDER BY changed, rowid", id, tenant)
	if err != nil {
		return nil, fmt.Errorf("read notes of alert %s: %w", id, err)
	}
	defer rows.Close()
	var notes []alert.Note
	for rows.Next() {
		var n alert.Note
		var st, as, text sql.NullString
		if err := rows.Scan(&n.At, &n.Actor, &st, &as, &text); err != nil {
			return nil, fmt.Errorf("read notes of alert %s: %w", id, err)
		}
		n.Status, n.Assignee, n.Text = alert.Status(st.String), as.String, text.String
		n.At = n.At.UTC()
		notes = append(notes, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read notes of alert %s: %w", id, err)
	}
	if len(notes) > 0 {
		if a.Triage == nil {
			a.Triage = &alert.Triage{By: notes[len(notes)-1].Actor, At: notes[len(notes)-1].At}
		}
		a.Triage.Notes = notes
	}
	return a, nil
}

// triageColumns are what scanAlert reads: the alert's document and its
// triage, if any.
const triageColumns = "a.doc, t.status, t.assignee, t.actor, t.changed"

// scanAlert reads one row of triageColumns.
func scanAlert(scan func(...any) error) (*alert.Alert, error) {
	var doc string
	var st, as, by sql.NullString
	var at sql.NullTime
	if err := scan(&doc, &st, &as, &by, &at); err != nil {
		return nil, err
	}
	var a alert.Alert
	if err := json.Unmarshal([]byte(doc), &a); err != nil {
		return nil, fmt.Errorf("read alert: %w", err)
	}
	if st.Valid {
		a.Status, a.Assignee = alert.Status(st.String), as.String
		a.Triage = &alert.Triage{By: by.String, At: at.Time.UTC()}
	}
	return &a, nil
}
