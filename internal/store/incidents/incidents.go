// Package incidents owns the stored incidents: three tables in the store's
// DuckDB database (incidents, incident_alerts, incident_timeline) that
// implement store.Incidents, written by the incident manager and read by the
// incidents API.
//
// An incident is one row whose doc column holds its JSON document, with
// the columns lists filter on beside it; entity_keys holds its entity keys
// (store.EntitySearchKeys) as "\n"-separated text, so the entity filter is a
// substring test that needs no list type. incident_alerts holds each alert
// once (its primary key is the tenant and the alert id): a folded alert's
// update replaces its row. incident_timeline holds the recorded changes
// (status, assignee, comments, merges) in the order of a sequence; alert
// entries are made from incident_alerts when an incident is read.
//
// # Merges without row rewrites
//
// A merge appends one row to incident_merges (the absorbed incident and
// the one it went into) instead of re-pointing the absorbed incident's
// rows of incident_alerts: that UPDATE scanned the whole table (DuckDB uses
// no index for it) in every applied batch with a merge, a cost growing
// with the table, and rewrote the rows. Reads follow the merges instead
// (mergedInto, mergedFrom): an alert's incident is the end of the chain of
// merges from the incident its row names, and an incident's alerts are
// the rows of every incident merged into it, directly or not; an incident
// merged into another has none.
//
// # Alert documents kept once
//
// A store opened with ShareAlertDocs keeps no second copy of an alert the
// alerts table (package alerts, same database) holds as given: the row of
// a member whose InAlertTable is set has an empty doc, and Alerts reads
// that alert's document from the alerts table. In an alert storm the
// second copy was about half the bytes DuckDB wrote, logged and
// checkpointed for alerts (docs/bench.md, "Alert documents kept once").
//
// Every query names the tenant: another tenant's incident does not exist.
package incidents

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlrows"
)

var schema = []string{
	`CREATE TABLE IF NOT EXISTS incidents (
	id VARCHAR NOT NULL,
	tenant VARCHAR NOT NULL,
	status VARCHAR NOT NULL,
	severity_rank INTEGER,
	assignee VARCHAR,
	first_seen TIMESTAMP,
	last_seen TIMESTAMP,
	updated TIMESTAMP,
	entity_keys VARCHAR,
	doc VARCHAR NOT NULL,
	PRIMARY KEY (tenant, id)
)`,
	`CREATE TABLE IF NOT EXISTS incident_alerts (
	tenant VARCHAR NOT NULL,
	alert_id VARCHAR NOT NULL,
	incident_id VARCHAR NOT NULL,
	first_seen TIMESTAMP,
	doc VARCHAR NOT NULL,
	PRIMARY KEY (tenant, alert_id)
)`,
	`CREATE TABLE IF NOT EXISTS incident_merges (
	tenant VARCHAR NOT NULL,
	from_id VARCHAR NOT NULL,
	to_id VARCHAR NOT NULL
)`,
	`CREATE SEQUENCE IF NOT EXISTS incident_timeline_seq`,
	`CREATE TABLE IF NOT EXISTS incident_timeline (
	tenant VARCHAR NOT NULL,
	incident_id VARCHAR NOT NULL,
	seq BIGINT NOT NULL DEFAULT nextval('incident_timeline_seq'),
	entry_time TIMESTAMP,
	doc VARCHAR NOT NULL
)`,
}

// inChunk bounds the ids of one IN (...) list of placeholders.
const inChunk = 500

// listChunk bounds the ids of one list parameter: an applied batch of the
// alert log (alertlog.DefaultMaxBatch) goes in one query.
const listChunk = 10_000

// maxMergeHops bounds the chain of merges a read follows (one query per
// hop): the incident manager merges an incident at most once, so a chain
// longer than this is a bug, reported rather than followed forever.
const maxMergeHops = 64

// alertTable is the table of package alerts, in the same database, that
// holds the documents of members stored without one (ShareAlertDocs); its
// id is the alert id.
const alertTable = "alerts"

// Store keeps incidents in DuckDB. Writes are serialised by the incident
// manager; reads run concurrently.
type Store struct {
	db *sql.DB
	// shareDocs: members marked InAlertTable are stored without their
	// document (ShareAlertDocs).
	shareDocs bool
}

var _ store.Incidents = (*Store)(nil)

// Open creates the tables if needed.
func Open(ctx context.Context, db *sql.DB) (*Store, error) {
	for _, s := range schema {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("create incident tables: %w", err)
		}
	}
	return &Store{db: db}, nil
}

// ShareAlertDocs makes s store the members marked InAlertTable without
// their document, read from the alerts table instead (the package doc
// says why). The alerts table must exist in s's database (alerts.Open);
// call it before s is shared. Rows stored before, with their document,
// are read as they are.
func (s *Store) ShareAlertDocs() { s.shareDocs = true }

func checkTenant(t string) error {
	if !store.ValidTenant(t) {
		return fmt.Errorf("%w: tenant %q: want 1-64 letters, digits, '_', '.', '-'", store.ErrBadRequest, t)
	}
	return nil
}

// Memberships implements store.Incidents. DuckDB answers it with a scan
// of incident_alerts (it uses no index for a list of ids), so the ids go
// as one list parameter, a whole applied batch in one query, rather than
// in IN lists of inChunk placeholders, each a scan of its own.
func (s *Store) Memberships(ctx context.Context, tenant string, alertIDs []string) (map[string]string, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for len(alertIDs) > 0 {
		n := min(len(alertIDs), listChunk)
		rows, err := s.db.QueryContext(ctx, "SELECT alert_id, incident_id FROM incident_alerts WHERE tenant = ? AND alert_id IN (SELECT unnest(?::VARCHAR[]))", tenant, alertIDs[:n])
		if err != nil {
			return nil, fmt.Errorf("read incident memberships: %w", err)
		}
		alertIDs = alertIDs[n:]
		for rows.Next() {
			var a, i string
			if err := rows.Scan(&a, &i); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read incident memberships: %w", err)
			}
			out[a] = i
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read incident memberships: %w", err)
		}
	}
	incs := make([]string, 0, len(out))
	for _, i := range out {
		incs = append(incs, i)
	}
	final, err := s.mergedInto(ctx, tenant, incs)
	if err != nil {
		return nil, fmt.Errorf("read incident memberships: %w", err)
	}
	for a, i := range out {
		out[a] = final(i)
	}
	return out, nil
}

// mergedInto returns, for the incidents ids of tenant, a function giving
// the incident each ended in by merges (itself when never merged): one
// query per hop of the longest chain.
func (s *Store) mergedInto(ctx context.Context, tenant string, ids []string) (func(string) string, error) {
	to := map[string]string{}
	frontier := slices.Compact(slices.Sorted(slices.Values(ids)))
	for hop := 0; len(frontier) > 0; hop++ {
		if hop == maxMergeHops {
			return nil, fmt.Errorf("incident %s: a chain of more than %d merges", frontier[0], maxMergeHops)
		}
		var next []string
		for len(frontier) > 0 {
			n := min(len(frontier), listChunk)
			rows, err := s.db.QueryContext(ctx, "SELECT from_id, to_id FROM incident_merges WHERE tenant = ? AND from_id IN (SELECT unnest(?::VARCHAR[]))", tenant, frontier[:n])
			if err != nil {
				return nil, fmt.Errorf("read merges: %w", err)
			}
			frontier = frontier[n:]
			for rows.Next() {
				var f, t string
				if err := rows.Scan(&f, &t); err != nil {
					rows.Close()
					return nil, fmt.Errorf("read merges: %w", err)
				}
				if _, seen := to[f]; !seen {
					to[f] = t
					next = append(next, t)
				}
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return nil, fmt.Errorf("read merges: %w", err)
			}
		}
		frontier = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(next))), func(id string) bool { _, ok := to[id]; return ok })
	}
	return func(id string) string { return follow(to, id) }, nil
}

// follow returns where the chain of merges to (absorbed → survivor) from
// id ends. The chains were read whole (mergedInto stops at a cycle, which
// the manager never makes), so this is bounded by their length.
func follow(to map[string]string, id string) string {
	for range len(to) + 1 {
		next, ok := to[id]
		if !ok {
			break
		}
		id = next
	}
	return id
}

// mergedFrom returns the incident id of tenant and every incident merged
// into it, directly or not; none when id itself was merged into another
// (its alerts are the survivor's).
func (s *Store) mergedFrom(ctx context.Context, tenant, id string) ([]string, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM incident_merges WHERE tenant = ? AND from_id = ?", tenant, id).Scan(&n); err != nil {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	if n > 0 {
		return nil, nil
	}
	out, frontier, seen := []string{id}, []string{id}, map[string]bool{id: true}
	for hop := 0; len(frontier) > 0; hop++ {
		if hop == maxMergeHops {
			return nil, fmt.Errorf("incident %s: a chain of more than %d merges", id, maxMergeHops)
		}
		rows, err := s.db.QueryContext(ctx, "SELECT from_id FROM incident_merges WHERE tenant = ? AND to_id IN (SELECT unnest(?::VARCHAR[]))", tenant, frontier)
		if err != nil {
			return nil, fmt.Errorf("read merges: %w", err)
		}
		frontier = nil
		for rows.Next() {
			var f string
			if err := rows.Scan(&f); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read merges: %w", err)
			}
			if !seen[f] {
				seen[f] = true
				out, frontier = append(out, f), append(frontier, f)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read merges: %w", err)
		}
	}
	return out, nil
}

// AllMemberships returns every tenant's alert → incident memberships, or
// complete false when there are more than limit (the incident manager's
// MembershipLister: it holds them in memory rather than asking
// Memberships, a scan of the table, for each batch).
func (s *Store) AllMemberships(ctx context.Context, limit int) (map[string]map[string]string, bool, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT tenant, alert_id, incident_id FROM incident_alerts LIMIT ?", limit+1)
	if err != nil {
		return nil, false, fmt.Errorf("read incident memberships: %w", err)
	}
	defer rows.Close()
	out, n := map[string]map[string]string{}, 0
	for rows.Next() {
		if n++; n > limit {
			return nil, false, nil
		}
		var t, a, i string
		if err := rows.Scan(&t, &a, &i); err != nil {
			return nil, false, fmt.Errorf("read incident memberships: %w", err)
		}
		if out[t] == nil {
			out[t] = map[string]string{}
		}
		out[t][a] = i
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("read incident memberships: %w", err)
	}
	// Every merge absorbed an incident that held an alert, so there are no
	// more merges than memberships: at most limit.
	to, err := s.allMerges(ctx)
	if err != nil {
		return nil, false, fmt.Errorf("read incident memberships: %w", err)
	}
	for t, m := range out {
		if to[t] == nil {
			continue
		}
		for a, i := range m {
			m[a] = follow(to[t], i)
		}
	}
	return out, true, nil
}

// allMerges returns every merge, by tenant: absorbed → survivor.
func (s *Store) allMerges(ctx context.Context) (map[string]map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT tenant, from_id, to_id FROM incident_merges")
	if err != nil {
		return nil, fmt.Errorf("read merges: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var t, f, to string
		if err := rows.Scan(&t, &f, &to); err != nil {
			return nil, fmt.Errorf("read merges: %w", err)
		}
		if out[t] == nil {
			out[t] = map[string]string{}
		}
		if _, ok := out[t][f]; !ok {
			out[t][f] = to
		}
	}
	return out, rows.Err()
}

// Load implements store.Incidents.
func (s *Store) Load(ctx context.Context, tenant string, ids []string) ([]store.Incident, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	var out []store.Incident
	for len(ids) > 0 {
		n := min(len(ids), inChunk)
		args := []any{tenant}
		for _, id := range ids[:n] {
			args = append(args, id)
		}
		ids = ids[n:]
		got, err := s.docs(ctx, "SELECT doc FROM incidents WHERE tenant = ? AND id IN ("+sqlrows.Placeholders(n)+")", args...)
		if err != nil {
			return nil, fmt.Errorf("load incidents: %w", err)
		}
		out = append(out, got...)
	}
	return out, nil
}

// Active implements store.Incidents.
func (s *Store) Active(ctx context.Context, limit int) ([]store.Incident, error) {
	out, err := s.docs(ctx, "SELECT doc FROM incidents WHERE status <> ? ORDER BY last_seen DESC, id LIMIT ?", string(store.IncidentClosed), limit)
	if err != nil {
		return nil, fmt.Errorf("load open incidents: %w", err)
	}
	return out, nil
}

func (s *Store) docs(ctx context.Context, q string, args ...any) ([]store.Incident, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Incident
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var inc store.Incident
		if err := json.Unmarshal([]byte(doc), &inc); err != nil {
			return nil, fmt.Errorf("decode incident: %w", err)
		}
		out = append(out, inc)
	}
	return out, rows.Err()
}

// Apply implements store.Incidents: one transaction.
func (s *Store) Apply(ctx context.Context, ch *store.IncidentChanges) error {
	if ch.Empty() {
		return nil
	}
	tx, err := sqlrows.Begin(ctx, s.db)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := recordMerges(ctx, tx, ch.Moves); err != nil {
		return err
	}
	// Each table's rows go as one statement of one list per column
	// (sqlrows.InsertColumns says why). Alerts known to be new are
	// appended (sqlrows.Tx): INSERT OR REPLACE costs several times as
	// much per row, and more as the table grows.
	if err := s.insertMembers(ctx, tx, ch.Alerts, true); err != nil {
		return err
	}
	if err := s.insertMembers(ctx, tx, ch.Alerts, false); err != nil {
		return err
	}
	n := len(ch.Incidents)
	var (
		ids, tenants, statuses, assignees, keys, docs = make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
		ranks                                         = make([]int32, 0, n)
		firsts, lasts, updated                        = make([]time.Time, 0, n), make([]time.Time, 0, n), make([]time.Time, 0, n)
	)
	for i := range ch.Incidents {
		inc := &ch.Incidents[i]
		c := *inc
		c.Comments = nil // comments live in the timeline
		doc, err := json.Marshal(c)
		if err != nil {
			return fmt.Errorf("encode incident %s: %w", inc.ID, err)
		}
		ids, tenants, statuses, ranks, assignees = append(ids, inc.ID), append(tenants, inc.Tenant), append(statuses, string(inc.Status)),
			append(ranks, int32(alert.LevelRank(inc.Severity))), append(assignees, inc.Assignee)
		firsts, lasts, updated = append(firsts, inc.First.UTC()), append(lasts, inc.Last.UTC()), append(updated, inc.Updated.UTC())
		keys, docs = append(keys, "\n"+strings.Join(store.EntitySearchKeys(inc.Entities), "\n")+"\n"), append(docs, string(doc))
	}
	// Most incidents of an alert storm are new when written (3,190 of the
	// 4,370 upserts of the bench mix's 200,000 events): those not stored
	// yet are appended, the others replaced (the alerts table does the
	// same; INSERT OR REPLACE costs several times an append per row).
	fresh, err := freshIncidents(ctx, tx, tenants, ids)
	if err != nil {
		return err
	}
	cols := []any{ids, tenants, statuses, ranks, assignees, firsts, lasts, updated, keys, docs}
	if err := tx.Append(ctx, "incidents", incidentColumns, count(fresh, true), pickRows(cols, fresh, true)...); err != nil {
		return fmt.Errorf("store incidents: %w", err)
	}
	if err := sqlrows.InsertColumns(ctx, tx, "INSERT OR REPLACE INTO incidents ("+strings.Join(incidentColumns, ", ")+")", count(fresh, false),
		[]string{"VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "VARCHAR", "TIMESTAMP", "TIMESTAMP", "TIMESTAMP", "VARCHAR", "VARCHAR"},
		pickRows(cols, fresh, false)...); err != nil {
		return fmt.Errorf("store incidents: %w", err)
	}
	var (
		eTenants, eIncs, eDocs = make([]string, 0, len(ch.Entries)), make([]string, 0, len(ch.Entries)), make([]string, 0, len(ch.Entries))
		eTimes                 = make([]time.Time, 0, len(ch.Entries))
	)
	for _, e := range ch.Entries {
		doc, err := json.Marshal(e.Entry)
		if err != nil {
			return fmt.Errorf("encode timeline entry: %w", err)
		}
		eTenants, eIncs, eTimes, eDocs = append(eTenants, e.Tenant), append(eIncs, e.IncidentID), append(eTimes, e.Entry.Time.UTC()), append(eDocs, string(doc))
	}
	// Rows take their seq from the sequence in the order given.
	if err := sqlrows.InsertColumns(ctx, tx, "INSERT INTO incident_timeline (tenant, incident_id, entry_time, doc)", len(eDocs),
		[]string{"VARCHAR", "VARCHAR", "TIMESTAMP", "VARCHAR"}, eTenants, eIncs, eTimes, eDocs); err != nil {
		return fmt.Errorf("store timeline: %w", err)
	}
	return tx.Commit()
}

// incidentColumns are the incidents table's columns in the order Apply
// gives them.
var incidentColumns = []string{"id", "tenant", "status", "severity_rank", "assignee", "first_seen", "last_seen", "updated", "entity_keys", "doc"}

// freshIncidents reports, for each incident (tenants[i], ids[i]), whether
// it can be appended: the table does not hold it and the batch names it
// once (a key named twice goes through INSERT OR REPLACE, as before).
// Writes are serialised by the incident manager, so none appears between
// this read and the append.
func freshIncidents(ctx context.Context, tx *sqlrows.Tx, tenants, ids []string) ([]bool, error) {
	stored := map[[2]string]int{}
	for i := range ids {
		stored[[2]string{tenants[i], ids[i]}]++
	}
	for i := 0; i < len(ids); i += listChunk {
		rows, err := tx.QueryContext(ctx, "SELECT tenant, id FROM incidents WHERE id IN (SELECT unnest(?::VARCHAR[]))", ids[i:min(len(ids), i+listChunk)])
		if err != nil {
			return nil, fmt.Errorf("read stored incident ids: %w", err)
		}
		for rows.Next() {
			var t, id string
			if err := rows.Scan(&t, &id); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read stored incident ids: %w", err)
			}
			if k := [2]string{t, id}; stored[k] > 0 {
				stored[k] += 2
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read stored incident ids: %w", err)
		}
	}
	out := make([]bool, len(ids))
	for i := range ids {
		out[i] = stored[[2]string{tenants[i], ids[i]}] == 1
	}
	return out, nil
}

func count(bs []bool, v bool) int {
	n := 0
	for _, b := range bs {
		if b == v {
			n++
		}
	}
	return n
}

// pickRows returns the rows i of the column lists cols for which
// sel[i] == v.
func pickRows(cols []any, sel []bool, v bool) []any {
	out := make([]any, len(cols))
	for c, col := range cols {
		switch col := col.(type) {
		case []string:
			out[c] = pickCol(col, sel, v)
		case []int32:
			out[c] = pickCol(col, sel, v)
		case []time.Time:
			out[c] = pickCol(col, sel, v)
		default:
			panic(fmt.Sprintf("pickRows: column type %T", col))
		}
	}
	return out
}

func pickCol[T any](col []T, sel []bool, v bool) []T {
	out := make([]T, 0, len(col))
	for i, x := range col {
		if sel[i] == v {
			out = append(out, x)
		}
	}
	return out
}

// insertMembers writes the rows of the members whose New is isNew: the
// new ones appended, the others replaced. A member the alerts table holds
// (ShareAlertDocs) gets an empty doc.
func (s *Store) insertMembers(ctx context.Context, tx *sqlrows.Tx, ms []store.IncidentMember, isNew bool) error {
	var (
		tenants, ids, incs, docs []string
		firsts                   []time.Time
		buf                      []byte
	)
	for i := range ms {
		m := &ms[i]
		if m.New != isNew {
			continue
		}
		doc := ""
		if !s.shareDocs || !m.InAlertTable {
			b, err := alert.AppendJSON(buf[:0], &m.Alert)
			if err != nil {
				return fmt.Errorf("encode alert %s: %w", m.Alert.ID, err)
			}
			buf, doc = b, string(b)
		}
		tenants, ids, incs = append(tenants, m.Alert.Tenant), append(ids, m.Alert.ID), append(incs, m.IncidentID)
		firsts, docs = append(firsts, m.Alert.First.UTC()), append(docs, doc)
	}
	if isNew {
		if err := tx.Append(ctx, "incident_alerts", []string{"tenant", "alert_id", "incident_id", "first_seen", "doc"}, len(ids), tenants, ids, incs, firsts, docs); err != nil {
			return fmt.Errorf("store incident alerts: %w", err)
		}
		return nil
	}
	if err := sqlrows.InsertColumns(ctx, tx, "INSERT OR REPLACE INTO incident_alerts (tenant, alert_id, incident_id, first_seen, doc)", len(ids), []string{"VARCHAR", "VARCHAR", "VARCHAR", "TIMESTAMP", "VARCHAR"}, tenants, ids, incs, firsts, docs); err != nil {
		return fmt.Errorf("store incident alerts: %w", err)
	}
	return nil
}

// recordMerges appends the batch's merges to incident_merges (the package
// doc says why the alerts' rows are left as they are).
func recordMerges(ctx context.Context, tx *sqlrows.Tx, moves []store.IncidentMove) error {
	n := len(moves)
	tenants, froms, tos := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	for _, m := range moves {
		tenants, froms, tos = append(tenants, m.Tenant), append(froms, m.From), append(tos, m.To)
	}
	if err := tx.Append(ctx, "incident_merges", []string{"tenant", "from_id", "to_id"}, n, tenants, froms, tos); err != nil {
		return fmt.Errorf("record %d merges: %w", n, err)
	}
	return nil
}

// List implements store.Incidents.
func (s *Store) List(ctx context.Context, f store.IncidentFilter) ([]store.Incident, int64, error) {
	rank, err := f.Normalize()
	if err != nil {
		return nil, 0, err
	}
	where := []string{"tenant = ?"}
	args := []any{f.Tenant}
	if len(f.Statuses) > 0 {
		for _, st := range f.Statuses {
			args = append(args, string(st))
		}
		where = append(where, "status IN ("+sqlrows.Placeholders(len(f.Statuses))+")")
	}
	if rank >= 0 {
		where = append(where, "severity_rank >= ?")
		args = append(args, rank)
	}
	switch {
	case f.Unassigned:
		where = append(where, "(assignee IS NULL OR assignee = '')")
	case f.Assignee != "":
		where = append(where, "assignee = ?")
		args = append(args, f.Assignee)
	}
	if f.Entity != "" {
		var ors []string
		for _, k := range store.EntityFilterKeys(f.Entity) {
			ors = append(ors, "contains(entity_keys, ?)")
			args = append(args, "\n"+k+"\n")
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if !f.From.IsZero() {
		where = append(where, "last_seen >= ?")
		args = append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where = append(where, "first_seen < ?")
		args = append(args, f.To.UTC())
	}
	cond := strings.Join(where, " AND ")
	var total int64
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM incidents WHERE "+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count incidents: %w", err)
	}
	out, err := s.docs(ctx, "SELECT doc FROM incidents WHERE "+cond+" ORDER BY last_seen DESC, id LIMIT ? OFFSET ?", append(args, f.Limit, f.Offset)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list incidents: %w", err)
	}
	return out, total, nil
}

// Alerts implements store.Incidents. The documents of rows stored without
// one (ShareAlertDocs) are read from the alerts table; an alert that table
// does not hold is left out.
func (s *Store) Alerts(ctx context.Context, tenant, id string, limit int) ([]alert.Alert, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	incs, err := s.mergedFrom(ctx, tenant, id)
	if err != nil || len(incs) == 0 {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT alert_id, doc FROM incident_alerts WHERE tenant = ? AND incident_id IN (SELECT unnest(?::VARCHAR[])) ORDER BY first_seen, alert_id LIMIT ?", tenant, incs, limit)
	if err != nil {
		return nil, fmt.Errorf("read alerts of incident %s: %w", id, err)
	}
	var ids, docs []string
	shared := false
	for rows.Next() {
		var a, doc string
		if err := rows.Scan(&a, &doc); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read alerts of incident %s: %w", id, err)
		}
		ids, docs = append(ids, a), append(docs, doc)
		shared = shared || doc == ""
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, fmt.Errorf("read alerts of incident %s: %w", id, err)
	}
	var fromTable map[string]string
	if shared {
		if fromTable, err = s.alertDocs(ctx, tenant, incs, limit); err != nil {
			return nil, fmt.Errorf("read alerts of incident %s: %w", id, err)
		}
	}
	out := make([]alert.Alert, 0, len(ids))
	for i, doc := range docs {
		if doc == "" {
			if doc = fromTable[ids[i]]; doc == "" {
				continue
			}
		}
		var a alert.Alert
		if err := json.Unmarshal([]byte(doc), &a); err != nil {
			return nil, fmt.Errorf("decode alert of incident %s: %w", id, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// alertDocs reads from the alerts table the documents of the first limit
// alerts of the incidents incs (one and those merged into it) stored without one (a superset of those among its
// first limit alerts), by alert id. One join: IN lists of ids made DuckDB
// compare every stored id with each of them (10,000 alerts: several
// times slower).
func (s *Store) alertDocs(ctx context.Context, tenant string, incs []string, limit int) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT a.id, a.doc FROM (SELECT alert_id FROM incident_alerts WHERE tenant = ? AND incident_id IN (SELECT unnest(?::VARCHAR[])) AND doc = '' ORDER BY first_seen, alert_id LIMIT ?) m JOIN "+alertTable+" a ON a.id = m.alert_id AND a.tenant = ?", tenant, incs, limit, tenant)
	if err != nil {
		return nil, fmt.Errorf("read alert documents: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			return nil, fmt.Errorf("read alert documents: %w", err)
		}
		out[id] = doc
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read alert documents: %w", err)
	}
	return out, nil
}

// Entries implements store.Incidents.
func (s *Store) Entries(ctx context.Context, tenant, id string) ([]store.IncidentEntry, error) {
	if err := checkTenant(tenant); err != nil {
		return nil, err
	}
	rows, err := s.db.QueryContext(ctx, "SELECT seq, doc FROM incident_timeline WHERE tenant = ? AND incident_id = ? ORDER BY seq", tenant, id)
	if err != nil {
		return nil, fmt.Errorf("read timeline of incident %s: %w", id, err)
	}
	defer rows.Close()
	var out []store.IncidentEntry
	for rows.Next() {
		var seq int64
		var doc string
		if err := rows.Scan(&seq, &doc); err != nil {
			return nil, fmt.Errorf("read timeline of incident %s: %w", id, err)
		}
		var e store.IncidentEntry
		if err := json.Unmarshal([]byte(doc), &e); err != nil {
			return nil, fmt.Errorf("decode timeline entry of incident %s: %w", id, err)
		}
		e.Seq = seq
		out = append(out, e)
	}
	return out, rows.Err()
}

// EachMembership calls fn with the tenant and alert id of every stored
// membership, in one scan (the incident manager's KeyLister: it keeps a
// filter of them, rebuilt as the table doubles, and asks Memberships only
// for the ids the filter may hold).
func (s *Store) EachMembership(ctx context.Context, fn func(tenant, alertID string)) error {
	rows, err := s.db.QueryContext(ctx, "SELECT tenant, alert_id FROM incident_alerts")
	if err != nil {
		return fmt.Errorf("read incident memberships: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var t, a string
		if err := rows.Scan(&t, &a); err != nil {
			return fmt.Errorf("read incident memberships: %w", err)
		}
		fn(t, a)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read incident memberships: %w", err)
	}
	return nil
}
