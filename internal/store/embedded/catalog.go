package embedded

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/fsutil"
	"github.com/vigilsiem/vigil/internal/query"
)

// kindSet is a bit set of event.Kind values.
type kindSet uint16

func (k kindSet) has(kind event.Kind) bool { return k&(1<<kind) != 0 }

// sqlType is the DuckDB type of a column holding values of these kinds.
func (k kindSet) sqlType() string {
	switch k {
	case 1 << event.KindInt:
		return "BIGINT"
	case 1<<event.KindInt | 1<<event.KindFloat, 1 << event.KindFloat:
		return "DOUBLE"
	case 1 << event.KindBool:
		return "BOOLEAN"
	case 1 << event.KindTime:
		return "TIMESTAMP"
	case 1 << event.KindList:
		return "VARCHAR[]"
	}
	return "VARCHAR"
}

func (k kindSet) queryType() query.Type {
	switch k.sqlType() {
	case "BIGINT":
		return query.TypeInt
	case "DOUBLE":
		return query.TypeFloat
	case "BOOLEAN":
		return query.TypeBool
	case "TIMESTAMP":
		return query.TypeTime
	case "VARCHAR[]":
		return query.TypeList
	}
	return query.TypeString
}

// column is one field's entry in the catalog.
type column struct {
	Field  string  `json:"field"`
	Column string  `json:"column"`
	Kinds  kindSet `json:"kinds"`
	// Tenants that have stored a value in the column. A tenant's searches
	// read its own columns only, so keys one tenant invents cost no other
	// tenant anything. Absent in catalogs written before tenants were
	// recorded: such a column is every tenant's (all).
	Tenants []string `json:"tenants,omitempty"`

	idx int  // position in catalogSnapshot.ordered
	all bool // every tenant's (an entry without Tenants)
	// member is `,"Column":`, JSON-escaped once when the entry is made:
	// the encoder writes it before every value of the column.
	member []byte

	// seen is the highest hot segment seq open when a value of the field
	// was encoded; shared by every snapshot's copy of the entry. Freezing
	// segments [first, last] keeps the columns seen at first-1 or later.
	seen *atomic.Uint64
}

// markSeen notes that the field was written while segment seq was open.
func (c *column) markSeen(seq uint64) {
	if c.seen.Load() < seq {
		c.seen.Store(seq)
	}
}

// envelope columns: fixed names and types in every dataset.
var envelopeColumns = []struct{ name, sqlType string }{
	{event.FieldTimestamp, "TIMESTAMP"},
	{event.FieldIngested, "TIMESTAMP"},
	{event.FieldID, "VARCHAR"},
	{event.FieldTenant, "VARCHAR"},
	{event.FieldSource, "VARCHAR"},
	{event.FieldOriginal, "VARCHAR"},
	{event.FieldMessage, "VARCHAR"},
}

// overflowColumn holds, as one JSON object, the fields of an event that get
// no column of their own (see ColumnLimits): they are kept, returned with the
// event, found by full-text search, and by field as strings
// (queryCatalog.FieldExpr).
const overflowColumn = "vigil.overflow"

// ColumnLimits bound the columns of a dataset. Every column a search reads costs
// DuckDB memory whether or not it holds a value: measured 2026-12-07
// (DuckDB 1.5.6, 2 threads) a page of whole events over 1,000 VARCHAR
// columns needs more than 512 MB and over 2,000 about 1 GB; 4,000 keys from
// one sender used to fail every search of every tenant (issue 9, item 3).
type ColumnLimits struct {
	// TenantColumns bounds the columns one tenant's data may use in one
	// dataset. Default 500: well-behaved sources produce a few hundred
	// (Windows event data names are the largest family); a page of whole
	// events over 500 columns fits the default 2 GB of DuckDB memory at 16
	// threads, where 1,000 columns did not (memory grows with columns times
	// threads).
	TenantColumns int
	// DatasetColumns bounds the columns of a dataset over all tenants, and
	// so catalog.json and the work of adding a column. Default 4,000; a
	// freeze writes at most about TenantColumns of them at a time.
	DatasetColumns int
}

// Defaults of ColumnLimits.
const (
	DefaultTenantColumns  = 500
	DefaultDatasetColumns = 4000
)

func (l *ColumnLimits) setDefaults() {
	if l.TenantColumns <= 0 {
		l.TenantColumns = DefaultTenantColumns
	}
	if l.DatasetColumns <= 0 {
		l.DatasetColumns = DefaultDatasetColumns
	}
}

// tenantColumns is the set of columns (by idx) one tenant has used.
type tenantColumns struct {
	bits []uint64
	n    int
}

func (t *tenantColumns) has(idx int) bool {
	return t != nil && idx/64 < len(t.bits) && t.bits[idx/64]&(1<<(idx%64)) != 0
}

func (t *tenantColumns) with(idx int) *tenantColumns {
	next := &tenantColumns{n: 1}
	if t != nil {
		next.n = t.n + 1
		next.bits = append(next.bits, t.bits...)
	}
	for len(next.bits) <= idx/64 {
		next.bits = append(next.bits, 0)
	}
	next.bits[idx/64] |= 1 << (idx % 64)
	return next
}

// visible reports whether tenant's searches read col.
func (s *catalogSnapshot) visible(col *column, tenant *tenantColumns) bool {
	return col.all || tenant.has(col.idx)
}

// catalogSnapshot is an immutable view of the catalog; writers read it
// without locks and take the catalog's mutex only to add to it.
type catalogSnapshot struct {
	byField  map[string]*column
	byColumn map[string]*column // lower-cased column name → entry
	ordered  []*column
	tenants  map[string]*tenantColumns
	// gen counts the changes since the catalog was loaded: each snapshot
	// that ensure stores has the gen of the one before plus one. Hot
	// segments record the newest gen their lines were encoded with
	// (segment.gen), so a search reads only lines whose keys its snapshot
	// knows.
	gen uint64
}

// catalog tracks a dataset's fields. It is persisted to catalog.json before
// any data using a new entry is written.
type catalog struct {
	path   string
	limits ColumnLimits
	mu     sync.Mutex
	snap   atomic.Pointer[catalogSnapshot]
}

// loadCatalog reads catalog.json. A column name that is not safe for SQL
// (written by a version before columnBase, such as a name with a NUL) is
// renamed; values stored under the old name stay in the hot lines'
// event.original but are no longer read as a column.
func loadCatalog(path string, limits ColumnLimits, log *slog.Logger) (*catalog, error) {
	limits.setDefaults()
	c := &catalog{path: path, limits: limits}
	snap := &catalogSnapshot{byField: map[string]*column{}, byColumn: map[string]*column{}, tenants: map[string]*tenantColumns{}}
	for _, e := range envelopeColumns {
		snap.byColumn[strings.ToLower(e.name)] = &column{Field: e.name, Column: e.name}
	}
	snap.byColumn[overflowColumn] = &column{Field: overflowColumn, Column: overflowColumn}
	b, err := os.ReadFile(path)
	switch {
	case os.IsNotExist(err):
	case err != nil:
		return nil, fmt.Errorf("read catalog: %w", err)
	default:
		var cols []*column
		if err := json.Unmarshal(b, &cols); err != nil {
			return nil, fmt.Errorf("read catalog %s: %w", path, err)
		}
		renamed := 0
		for _, col := range cols {
			if !safeColumn(col.Column) || snap.byColumn[strings.ToLower(col.Column)] != nil {
				col.Column = snap.uniqueColumn(col.Field)
				renamed++
			}
			col.seen = new(atomic.Uint64)
			col.member = memberPrefix(col.Column)
			col.idx = len(snap.ordered)
			col.all = col.Tenants == nil
			for _, t := range col.Tenants {
				snap.tenants[t] = snap.tenants[t].with(col.idx)
			}
			snap.byField[col.Field] = col
			snap.byColumn[strings.ToLower(col.Column)] = col
			snap.ordered = append(snap.ordered, col)
		}
		if renamed > 0 {
			log.Warn("renamed catalog columns whose names were not safe for SQL", "catalog", path, "columns", renamed)
			if err := writeFileAtomic(path, mustJSON(snap.ordered)); err != nil {
				return nil, fmt.Errorf("save catalog: %w", err)
			}
		}
	}
	c.snap.Store(snap)
	return c, nil
}

// uniqueColumn returns the column name for a new field: columnBase, with a
// "~N" suffix when it clashes in letter case with a column already named.
func (s *catalogSnapshot) uniqueColumn(field string) string {
	base := columnBase(field)
	name := base
	for n := 2; s.byColumn[strings.ToLower(name)] != nil; n++ {
		name = base + "~" + strconv.Itoa(n)
	}
	return name
}

func (c *catalog) load() *catalogSnapshot { return c.snap.Load() }

// markAllSeen marks every field seen at seq: after a restart nothing is
// known of the segments left from before, so all columns are kept for them.
func (c *catalog) markAllSeen(seq uint64) {
	for _, col := range c.load().ordered {
		col.markSeen(seq)
	}
}

// ensure makes sure the catalog holds field with kind, used by tenant,
// persisting a change. It returns the entry, or nil when the tenant or the
// dataset has no room for another column (the value then goes to the
// overflow column).
func (c *catalog) ensure(field string, kind event.Kind, tenant string) (*column, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.snap.Load()
	tc := old.tenants[tenant]
	col, exists := old.byField[field]
	if exists && col.Kinds.has(kind) && old.visible(col, tc) {
		return col, nil
	}
	if exists && !old.visible(col, tc) || !exists {
		if tc != nil && tc.n >= c.limits.TenantColumns || !exists && len(old.ordered) >= c.limits.DatasetColumns {
			return nil, nil
		}
	}
	next := &catalogSnapshot{
		byField:  make(map[string]*column, len(old.byField)+1),
		byColumn: make(map[string]*column, len(old.byColumn)+1),
		ordered:  make([]*column, 0, len(old.ordered)+1),
		tenants:  make(map[string]*tenantColumns, len(old.tenants)+1),
		gen:      old.gen + 1,
	}
	for k, v := range old.byColumn {
		next.byColumn[k] = v
	}
	for k, v := range old.tenants {
		next.tenants[k] = v
	}
	var entry *column
	for _, col := range old.ordered {
		cp := *col
		if col.Field == field {
			cp.Kinds |= 1 << kind
			if !old.visible(col, tc) {
				cp.Tenants = append(slices.Clip(cp.Tenants), tenant)
				next.tenants[tenant] = tc.with(cp.idx)
			}
			entry = &cp
		}
		next.byField[cp.Field] = &cp
		next.byColumn[strings.ToLower(cp.Column)] = &cp
		next.ordered = append(next.ordered, &cp)
	}
	if entry == nil {
		name := next.uniqueColumn(field)
		entry = &column{Field: field, Column: name, Kinds: 1 << kind, Tenants: []string{tenant},
			idx: len(next.ordered), seen: new(atomic.Uint64), member: memberPrefix(name)}
		next.byField[field] = entry
		next.byColumn[strings.ToLower(entry.Column)] = entry
		next.ordered = append(next.ordered, entry)
		next.tenants[tenant] = tc.with(entry.idx)
	}
	if err := writeFileAtomic(c.path, mustJSON(next.ordered)); err != nil {
		return nil, fmt.Errorf("save catalog: %w", err)
	}
	c.snap.Store(next)
	return entry, nil
}

// tenantColumnsOf returns the columns tenant's searches read, in order.
func (s *catalogSnapshot) tenantColumnsOf(tenant string) []*column {
	tc := s.tenants[tenant]
	var out []*column
	for _, col := range s.ordered {
		if s.visible(col, tc) {
			out = append(out, col)
		}
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic("bug: marshal catalog: " + err.Error())
	}
	return b
}

// queryCatalog adapts a snapshot to query.Catalog for one tenant's
// search. Queries name columns: a field whose name differs from an earlier
// one only in letter case is searched as its column name ("image~2"). A
// field the tenant has no column for is looked up in the overflow column.
type queryCatalog struct {
	snap   *catalogSnapshot
	tenant *tenantColumns
}

func (s *catalogSnapshot) queryCatalog(tenant string) queryCatalog {
	return queryCatalog{snap: s, tenant: s.tenants[tenant]}
}

// column returns the tenant's column called name.
func (q queryCatalog) column(name string) (*column, bool) {
	col, ok := q.snap.byColumn[strings.ToLower(name)]
	if !ok || col.Column != name || col.Kinds == 0 || !q.snap.visible(col, q.tenant) {
		return nil, false
	}
	return col, true
}

func (q queryCatalog) FieldType(name string) (query.Type, bool) {
	if t, ok := query.EnvelopeTypes[name]; ok {
		return t, true
	}
	if col, ok := q.column(name); ok {
		return col.Kinds.queryType(), true
	}
	if q.overflow(name) {
		return query.TypeString, true
	}
	return 0, false
}

// overflow reports whether name is searched in the overflow column.
func (q queryCatalog) overflow(name string) bool {
	_, envelope := query.EnvelopeTypes[name]
	return !envelope && name != overflowColumn && safeColumn(name)
}

// FieldExpr implements query.ExprCatalog: a field in the overflow column is
// its value there as text.
func (q queryCatalog) FieldExpr(name string) (string, bool) {
	if _, ok := q.column(name); ok || !q.overflow(name) {
		return "", false
	}
	return "json_extract_string(" + sqlIdent(overflowColumn) + ", " + sqlString(jsonPointer(name)) + ")", true
}

// jsonPointer is the RFC 6901 pointer to the member name of an object.
func jsonPointer(name string) string {
	return "/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(name)
}

// writeFileAtomic replaces path durably (see fsutil.WriteFileAtomic).
func writeFileAtomic(path string, data []byte) error {
	return fsutil.WriteFileAtomic(path, data, 0o600)
}

func syncDir(dir string) error { return fsutil.SyncDir(dir) }
