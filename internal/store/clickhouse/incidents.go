package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// incidentsDDL is the incidents' one table. Its rows are of three kinds:
//
//   - 'incident': an incident (key its id), its document in doc and the
//     columns lists filter on beside it;
//   - 'alert': an alert in an incident (key the alert id, incident_id the
//     incident holding it), so a folded alert's update or a merge's move
//     is a new version of the row;
//   - 'entry': a timeline entry of incident key, seq ordering the entries
//     as they were recorded.
//
// The highest version of a (tenant, kind, key, seq) is current (FINAL).
// One table, unpartitioned, so that Apply is one INSERT of one block:
// ClickHouse writes it as one part, all or none, which is what the
// embedded store's transaction gives.
func incidentsDDL(db string) string {
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(db) + `.incident_records (
  tenant String,
  kind String,
  key String,
  seq UInt64,
  incident_id String,
  status String,
  severity_rank Int32,
  assignee String,
  first_seen Int64,
  last_seen Int64,
  updated Int64,
  entity_keys Array(String),
  doc String,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (tenant, kind, key, seq)`
}

// Kinds of incident_records rows.
const (
	kindIncident = "incident"
	kindAlert    = "alert"
	kindEntry    = "entry"
)

// idChunk bounds the ids of one IN (...) list: 500 ids of ~100 bytes stay
// well inside ClickHouse's max_query_size (256 KiB).
const idChunk = 500

// Incidents keeps incidents, their alerts and timelines in ClickHouse
// (store.Incidents). Writes come from one writer, the incident manager.
type Incidents struct {
	s  *Store
	v  versions
	mu sync.Mutex
}

// OpenIncidents creates the incidents' table if needed.
func (s *Store) OpenIncidents(ctx context.Context) (*Incidents, error) {
	if err := s.c.exec(ctx, incidentsDDL(s.db)); err != nil {
		return nil, fmt.Errorf("create clickhouse incident table: %w", err)
	}
	in := &Incidents{s: s}
	if err := in.v.resume(ctx, s.c, s.db, "incident_records.version"); err != nil {
		return nil, fmt.Errorf("open clickhouse incidents: %w", err)
	}
	return in, nil
}

// from is the FROM clause of the current rows of one kind of tenant ("":
// of every tenant).
func (in *Incidents) from(tenant, kind string) string {
	w := "kind = " + sqlgen.CHString(kind)
	if tenant != "" {
		w = "tenant = " + sqlgen.CHString(tenant) + " AND " + w
	}
	return " FROM " + sqlgen.CHIdent(in.s.db) + ".incident_records FINAL WHERE " + w
}

// chunks calls f with ids in lists of at most idChunk.
func chunks(ids []string, f func(part []string) error) error {
	for len(ids) > 0 {
		n := min(len(ids), idChunk)
		if err := f(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}

// Memberships implements store.Incidents.
func (in *Incidents) Memberships(ctx context.Context, tenant string, alertIDs []string) (map[string]string, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out := map[string]string{}
	err := chunks(alertIDs, func(part []string) error {
		return in.s.c.queryRows(ctx, "SELECT key, incident_id"+in.from(tenant, kindAlert)+" AND key IN "+inList(part), func(row []json.RawMessage) error {
			var a, i string
			if err := cols(row, &a, &i); err != nil {
				return err
			}
			out[a] = i
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read incident memberships: %w", err)
	}
	return out, nil
}

// Load implements store.Incidents.
func (in *Incidents) Load(ctx context.Context, tenant string, ids []string) ([]store.Incident, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var out []store.Incident
	err := chunks(ids, func(part []string) error {
		got, err := docs[store.Incident](ctx, in.s.c, "SELECT doc"+in.from(tenant, kindIncident)+" AND key IN "+inList(part))
		out = append(out, got...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	return out, nil
}

// Active implements store.Incidents.
func (in *Incidents) Active(ctx context.Context, limit int) ([]store.Incident, error) {
	out, err := docs[store.Incident](ctx, in.s.c, "SELECT doc"+in.from("", kindIncident)+" AND status != "+
		sqlgen.CHString(string(store.IncidentClosed))+" ORDER BY last_seen DESC, key LIMIT "+strconv.Itoa(max(limit, 0)))
	if err != nil {
		return nil, fmt.Errorf("load open incidents: %w", err)
	}
	return out, nil
}

// incidentRow is a row of incident_records.
type incidentRow struct {
	Tenant       string   `json:"tenant"`
	Kind         string   `json:"kind"`
	Key          string   `json:"key"`
	Seq          uint64   `json:"seq"`
	IncidentID   string   `json:"incident_id"`
	Status       string   `json:"status"`
	SeverityRank int32    `json:"severity_rank"`
	Assignee     string   `json:"assignee"`
	First        int64    `json:"first_seen"`
	Last         int64    `json:"last_seen"`
	Updated      int64    `json:"updated"`
	EntityKeys   []string `json:"entity_keys"`
	Doc          string   `json:"doc"`
	Version      uint64   `json:"version"`
}

// Apply implements store.Incidents: moves, alerts, incidents and entries
// as one INSERT, all or none.
func (in *Incidents) Apply(ctx context.Context, ch *store.IncidentChanges) error {
	if ch.Empty() {
		return nil
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	rows, err := in.moved(ctx, ch.Moves)
	if err != nil {
		return err
	}
	for _, m := range ch.Alerts {
		if !store.ValidTenant(m.Alert.Tenant) {
			return fmt.Errorf("store incident alert %s: tenant %q is not valid", m.Alert.ID, m.Alert.Tenant)
		}
		doc, err := json.Marshal(m.Alert)
		if err != nil {
			return fmt.Errorf("encode alert %s: %w", m.Alert.ID, err)
		}
		rows = append(rows, incidentRow{Tenant: m.Alert.Tenant, Kind: kindAlert, Key: m.Alert.ID, IncidentID: m.IncidentID,
			First: micros(m.Alert.First), EntityKeys: []string{}, Doc: string(doc), Version: in.v.next()})
	}
	for i := range ch.Incidents {
		inc := ch.Incidents[i]
		if !store.ValidTenant(inc.Tenant) {
			return fmt.Errorf("store incident %s: tenant %q is not valid", inc.ID, inc.Tenant)
		}
		inc.Comments = nil // comments live in the timeline
		doc, err := json.Marshal(inc)
		if err != nil {
			return fmt.Errorf("encode incident %s: %w", inc.ID, err)
		}
		keys := store.EntitySearchKeys(inc.Entities)
		if keys == nil {
			keys = []string{}
		}
		rows = append(rows, incidentRow{Tenant: inc.Tenant, Kind: kindIncident, Key: inc.ID, IncidentID: inc.ID, Status: string(inc.Status),
			SeverityRank: int32(alert.LevelRank(inc.Severity)), Assignee: inc.Assignee, First: micros(inc.First), Last: micros(inc.Last),
			Updated: micros(inc.Updated), EntityKeys: keys, Doc: string(doc), Version: in.v.next()})
	}
	for _, e := range ch.Entries {
		if !store.ValidTenant(e.Tenant) {
			return fmt.Errorf("store timeline entry: tenant %q is not valid", e.Tenant)
		}
		doc, err := json.Marshal(e.Entry)
		if err != nil {
			return fmt.Errorf("encode timeline entry: %w", err)
		}
		seq := in.v.next()
		rows = append(rows, incidentRow{Tenant: e.Tenant, Kind: kindEntry, Key: e.IncidentID, Seq: seq, IncidentID: e.IncidentID,
			First: micros(e.Entry.Time), EntityKeys: []string{}, Doc: string(doc), Version: seq})
	}
	b, err := jsonLines(rows)
	if err == nil {
		err = in.s.c.insert(ctx, sqlgen.CHIdent(in.s.db)+".incident_records", b)
	}
	if err != nil {
		return fmt.Errorf("store incident changes: %w", err)
	}
	return nil
}

// moved returns the new versions of the alert rows that moves re-point.
// A chain of moves (a into b, then b into c) moves a's alerts to c.
func (in *Incidents) moved(ctx context.Context, moves []store.IncidentMove) ([]incidentRow, error) {
	if len(moves) == 0 {
		return nil, nil
	}
	to := map[[2]string]string{}
	byTenant := map[string][]string{}
	for _, m := range moves {
		if !store.ValidTenant(m.Tenant) {
			return nil, fmt.Errorf("move incident alerts: tenant %q is not valid", m.Tenant)
		}
		to[[2]string{m.Tenant, m.From}] = m.To
		byTenant[m.Tenant] = append(byTenant[m.Tenant], m.From)
	}
	final := func(tenant, id string) string {
		for range len(moves) + 1 {
			next, ok := to[[2]string{tenant, id}]
			if !ok {
				break
			}
			id = next
		}
		return id
	}
	var rows []incidentRow
	for tenant, froms := range byTenant {
		err := chunks(froms, func(part []string) error {
			return in.s.c.queryRows(ctx, "SELECT key, incident_id, first_seen, doc"+in.from(tenant, kindAlert)+" AND incident_id IN "+inList(part),
				func(row []json.RawMessage) error {
					r := incidentRow{Tenant: tenant, Kind: kindAlert, EntityKeys: []string{}}
					if err := cols(row, &r.Key, &r.IncidentID, &r.First, &r.Doc); err != nil {
						return err
					}
					r.IncidentID, r.Version = final(tenant, r.IncidentID), in.v.next()
					rows = append(rows, r)
					return nil
				})
		})
		if err != nil {
			return nil, fmt.Errorf("move the alerts of %d merged incidents: %w", len(froms), err)
		}
	}
	return rows, nil
}

// List implements store.Incidents.
func (in *Incidents) List(ctx context.Context, f store.IncidentFilter) ([]store.Incident, int64, error) {
	rank, err := f.Normalize()
	if err != nil {
		return nil, 0, err
	}
	var where []string
	if len(f.Statuses) > 0 {
		st := make([]string, len(f.Statuses))
		for i, s := range f.Statuses {
			st[i] = string(s)
		}
		where = append(where, "status IN "+inList(st))
	}
	if rank >= 0 {
		where = append(where, "severity_rank >= "+strconv.Itoa(rank))
	}
	switch {
	case f.Unassigned:
		where = append(where, "assignee = ''")
	case f.Assignee != "":
		where = append(where, "assignee = "+sqlgen.CHString(f.Assignee))
	}
	if f.Entity != "" {
		keys := store.EntityFilterKeys(f.Entity)
		q := make([]string, len(keys))
		for i, k := range keys {
			q[i] = sqlgen.CHString(k)
		}
		where = append(where, "hasAny(entity_keys, ["+strings.Join(q, ", ")+"])")
	}
	if !f.From.IsZero() {
		where = append(where, "last_seen >= "+strconv.FormatInt(f.From.UnixMicro(), 10))
	}
	if !f.To.IsZero() {
		where = append(where, "first_seen < "+strconv.FormatInt(f.To.UnixMicro(), 10))
	}
	from := in.from(f.Tenant, kindIncident)
	for _, w := range where {
		from += " AND " + w
	}
	total, err := in.s.c.queryInt(ctx, "SELECT count()"+from)
	if err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	out, err := docs[store.Incident](ctx, in.s.c, "SELECT doc"+from+" ORDER BY last_seen DESC, key LIMIT "+strconv.Itoa(f.Limit)+" OFFSET "+strconv.Itoa(f.Offset))
	if err != nil {
		return nil, 0, fmt.Errorf("list incidents: %w", err)
	}
	return out, total, nil
}

// Alerts implements store.Incidents.
func (in *Incidents) Alerts(ctx context.Context, tenant, id string, limit int) ([]alert.Alert, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out, err := docs[alert.Alert](ctx, in.s.c, "SELECT doc"+in.from(tenant, kindAlert)+" AND incident_id = "+sqlgen.CHString(id)+
		" ORDER BY first_seen, key LIMIT "+strconv.Itoa(max(limit, 0)))
	if err != nil {
		return nil, fmt.Errorf("read alerts of incident %s: %w", id, err)
	}
	return out, nil
}

// Entries implements store.Incidents.
func (in *Incidents) Entries(ctx context.Context, tenant, id string) ([]store.IncidentEntry, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var out []store.IncidentEntry
	err := in.s.c.queryRows(ctx, "SELECT seq, doc"+in.from(tenant, kindEntry)+" AND key = "+sqlgen.CHString(id)+" ORDER BY seq",
		func(row []json.RawMessage) error {
			var seq int64
			var doc string
			if err := cols(row, &seq, &doc); err != nil {
				return err
			}
			var e store.IncidentEntry
			if err := json.Unmarshal([]byte(doc), &e); err != nil {
				return fmt.Errorf("decode timeline entry: %w", err)
			}
			e.Seq = seq
			out = append(out, e)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read timeline of incident %s: %w", id, err)
	}
	return out, nil
}
