package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// alertNotesDDL is the analysts' handling of alerts, beside the alerts
// table (detection replaces a folded alert's row and must not undo an
// acknowledgement): one row per note, a change or a comment, with the
// status and assignee the alert has after it (cur_*). triage = 1 marks a
// note that changed the status or assignee: the alert's triage is its
// latest such note. A bulk change is one INSERT of one block into an
// unpartitioned table, which ClickHouse applies all or none.
func alertNotesDDL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(db) + `.alert_notes (
  tenant String,
  alert_id String,
  seq UInt64,
  changed Int64,
  actor String,
  status Nullable(String),
  assignee Nullable(String),
  text Nullable(String),
  triage UInt8,
  cur_status String,
  cur_assignee String
) ENGINE = MergeTree
ORDER BY (tenant, alert_id, seq)`
}

// triageColumns are what read decodes: the alert's document and its
// triage ("" status when it has none).
const triageColumns = "doc, t_status, t_assignee, t_actor, t_changed"

// joined is the FROM clause of the alerts of tenant matching where (on the
// alerts table), each with its triage: t_status, t_assignee, t_actor,
// t_changed, empty when it has none. ANY LEFT JOIN … USING runs on 18.16
// and on current releases.
func (a *Alerts) joined(tenant, where string) string {
	db := sqlgen.CHIdent(a.s.db)
	return " FROM (SELECT id, doc, status, last_seen FROM " + db + ".alerts FINAL WHERE " + where + ")" +
		" ANY LEFT JOIN (SELECT alert_id AS id, argMax(cur_status, seq) AS t_status, argMax(cur_assignee, seq) AS t_assignee," +
		" argMax(actor, seq) AS t_actor, argMax(changed, seq) AS t_changed FROM " + db + ".alert_notes" +
		" WHERE tenant = " + sqlgen.CHString(tenant) + " AND triage = 1 GROUP BY alert_id) USING id"
}

// read runs a query of triageColumns.
func (a *Alerts) read(ctx context.Context, sql string) ([]alert.Alert, error) {
	out := []alert.Alert{}
	err := a.s.c.queryRows(ctx, sql, func(row []json.RawMessage) error {
		var doc, st, as, by string
		var at int64
		if err := cols(row, &doc, &st, &as, &by, &at); err != nil {
			return err
		}
		var al alert.Alert
		if err := json.Unmarshal([]byte(doc), &al); err != nil {
			return fmt.Errorf("read alert: %w", err)
		}
		if st != "" {
			al.Status, al.Assignee = alert.Status(st), as
			al.Triage = &alert.Triage{By: by, At: fromMicros(at)}
		}
		out = append(out, al)
		return nil
	})
	return out, err
}

// noteRow is a row of alert_notes.
type noteRow struct {
	Tenant      string  `json:"tenant"`
	AlertID     string  `json:"alert_id"`
	Seq         uint64  `json:"seq"`
	Changed     int64   `json:"changed"`
	Actor       string  `json:"actor"`
	Status      *string `json:"status"`
	Assignee    *string `json:"assignee"`
	Text        *string `json:"text"`
	Triage      uint8   `json:"triage"`
	CurStatus   string  `json:"cur_status"`
	CurAssignee string  `json:"cur_assignee"`
}

// Update applies a change to the alerts ids of tenant, all or none, and
// returns them updated (store.Alerts.Update). Changes are serialised in
// this process; one query node applies triage.
func (a *Alerts) Update(ctx context.Context, tenant string, ids []string, c store.AlertChange, now time.Time) ([]alert.Alert, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	if len(ids) == 0 || len(ids) > store.MaxAlertBulk {
		return nil, fmt.Errorf("%w: %d alerts: want 1 to %d", store.ErrBadRequest, len(ids), store.MaxAlertBulk)
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	if c.Actor == "" {
		c.Actor = "anonymous"
	}
	a.upd.Lock()
	defer a.upd.Unlock()
	cur, err := a.byIDs(ctx, tenant, ids)
	if err != nil {
		return nil, fmt.Errorf("update alerts: %w", err)
	}
	counts := map[string]int64{}
	err = a.s.c.queryRows(ctx, "SELECT alert_id, count() FROM "+sqlgen.CHIdent(a.s.db)+".alert_notes WHERE tenant = "+
		sqlgen.CHString(tenant)+" AND alert_id IN "+inList(ids)+" GROUP BY alert_id", func(row []json.RawMessage) error {
		var id string
		var n int64
		if err := cols(row, &id, &n); err != nil {
			return err
		}
		counts[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("count notes: %w", err)
	}
	rows := make([]noteRow, 0, len(ids))
	for _, id := range ids {
		al, ok := cur[id]
		if !ok {
			return nil, fmt.Errorf("alert %s: %w", id, store.ErrAlertNotFound)
		}
		if counts[id] >= store.MaxAlertNotes {
			return nil, fmt.Errorf("%w: alert %s has %d notes, the most it keeps", store.ErrBadRequest, id, counts[id])
		}
		counts[id]++
		r := noteRow{Tenant: tenant, AlertID: id, Seq: a.v.next(), Changed: now.UnixMicro(), Actor: c.Actor,
			CurStatus: string(al.Status), CurAssignee: al.Assignee}
		if c.Status != nil {
			r.CurStatus = string(*c.Status)
			r.Status = &r.CurStatus
		}
		if c.Assignee != nil {
			r.CurAssignee = *c.Assignee
			shown := r.CurAssignee
			if shown == "" {
				shown = "-"
			}
			r.Assignee = &shown
		}
		if c.Comment != "" {
			r.Text = &c.Comment
		}
		if c.Status != nil || c.Assignee != nil {
			r.Triage = 1
		}
		al.Status, al.Assignee = alert.Status(r.CurStatus), r.CurAssignee
		cur[id] = al
		rows = append(rows, r)
	}
	b, err := jsonLines(rows)
	if err != nil {
		return nil, fmt.Errorf("update alerts: %w", err)
	}
	if err := a.s.c.insert(ctx, sqlgen.CHIdent(a.s.db)+".alert_notes", b); err != nil {
		return nil, fmt.Errorf("update alerts: %w", err)
	}
	out := make([]alert.Alert, 0, len(ids))
	for _, id := range ids {
		al, err := a.get(ctx, tenant, id)
		if err != nil {
			return nil, err
		}
		out = append(out, *al)
	}
	return out, nil
}

// byIDs reads the alerts of tenant with these ids, with their triage.
func (a *Alerts) byIDs(ctx context.Context, tenant string, ids []string) (map[string]alert.Alert, error) {
	as, err := a.read(ctx, "SELECT "+triageColumns+a.joined(tenant, "tenant = "+sqlgen.CHString(tenant)+" AND id IN "+inList(ids)))
	if err != nil {
		return nil, err
	}
	m := make(map[string]alert.Alert, len(as))
	for _, al := range as {
		m[al.ID] = al
	}
	return m, nil
}

// Get returns one alert of tenant with its notes (store.Alerts.Get).
func (a *Alerts) Get(ctx context.Context, tenant, id string) (*alert.Alert, error) {
	if !store.ValidTenant(tenant) {
		return nil, fmt.Errorf("%w: tenant %q", store.ErrBadRequest, tenant)
	}
	return a.get(ctx, tenant, id)
}

func (a *Alerts) get(ctx context.Context, tenant, id string) (*alert.Alert, error) {
	m, err := a.byIDs(ctx, tenant, []string{id})
	if err != nil {
		return nil, fmt.Errorf("read alert %s: %w", id, err)
	}
	al, ok := m[id]
	if !ok {
		return nil, fmt.Errorf("alert %s: %w", id, store.ErrAlertNotFound)
	}
	var notes []alert.Note
	err = a.s.c.queryRows(ctx, "SELECT changed, actor, status, assignee, text FROM "+sqlgen.CHIdent(a.s.db)+".alert_notes WHERE tenant = "+
		sqlgen.CHString(tenant)+" AND alert_id = "+sqlgen.CHString(id)+" ORDER BY changed, seq", func(row []json.RawMessage) error {
		var n alert.Note
		var at int64
		var st string
		if err := cols(row, &at, &n.Actor, &st, &n.Assignee, &n.Text); err != nil {
			return err
		}
		n.At, n.Status = fromMicros(at), alert.Status(st)
		notes = append(notes, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notes of alert %s: %w", id, err)
	}
	if len(notes) > 0 {
		if al.Triage == nil {
			al.Triage = &alert.Triage{By: notes[len(notes)-1].Actor, At: notes[len(notes)-1].At}
		}
		al.Triage.Notes = notes
	}
	return &al, nil
}

// inList is ('a', 'b', …) of quoted strings; ids is never empty.
func inList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = sqlgen.CHString(id)
	}
	return "(" + strings.Join(q, ", ") + ")"
}
