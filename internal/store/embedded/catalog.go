package embedded

import (
	"encoding/json"
	"fmt"
	"os"
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

// overflowColumn holds, as one JSON object, the fields of an event beyond
// maxColumns distinct fields in a dataset: they are kept and returned with
// the event, but only full-text search finds them.
const overflowColumn = "vigil.overflow"

// maxColumns bounds the distinct fields of a dataset that get a column of
// their own. Well-behaved sources produce a few hundred (Windows event data
// names are the largest family); a source that invents keys per record (ids
// as keys) would otherwise grow every query's column list without bound.
const maxColumns = 4096

// catalogSnapshot is an immutable view of the catalog; writers read it
// without locks and take the catalog's mutex only to add to it.
type catalogSnapshot struct {
	byField  map[string]*column
	byColumn map[string]*column // lower-cased column name → entry
	ordered  []*column
}

// catalog tracks a dataset's fields. It is persisted to catalog.json before
// any data using a new entry is written.
type catalog struct {
	path string
	mu   sync.Mutex
	snap atomic.Pointer[catalogSnapshot]
}

func loadCatalog(path string) (*catalog, error) {
	c := &catalog{path: path}
	snap := &catalogSnapshot{byField: map[string]*column{}, byColumn: map[string]*column{}}
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
		for _, col := range cols {
			col.seen = new(atomic.Uint64)
			snap.byField[col.Field] = col
			snap.byColumn[strings.ToLower(col.Column)] = col
			snap.ordered = append(snap.ordered, col)
		}
	}
	c.snap.Store(snap)
	return c, nil
}

func (c *catalog) load() *catalogSnapshot { return c.snap.Load() }

// markAllSeen marks every field seen at seq: after a restart nothing is
// known of the segments left from before, so all columns are kept for them.
func (c *catalog) markAllSeen(seq uint64) {
	for _, col := range c.load().ordered {
		col.markSeen(seq)
	}
}

// ensure makes sure the catalog holds field with kind, persisting a change.
// It returns the entry, or nil when the dataset has no room for another
// column (the value then goes to the overflow column).
func (c *catalog) ensure(field string, kind event.Kind) (*column, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.snap.Load()
	if col, ok := old.byField[field]; ok && col.Kinds.has(kind) {
		return col, nil
	}
	next := &catalogSnapshot{
		byField:  make(map[string]*column, len(old.byField)+1),
		byColumn: make(map[string]*column, len(old.byColumn)+1),
		ordered:  make([]*column, 0, len(old.ordered)+1),
	}
	for k, v := range old.byColumn {
		next.byColumn[k] = v
	}
	var entry *column
	for _, col := range old.ordered {
		cp := *col
		if col.Field == field {
			cp.Kinds |= 1 << kind
			entry = &cp
		}
		next.byField[cp.Field] = &cp
		next.byColumn[strings.ToLower(cp.Column)] = &cp
		next.ordered = append(next.ordered, &cp)
	}
	if entry == nil {
		if len(old.ordered) >= maxColumns {
			return nil, nil
		}
		name := field
		for n := 2; next.byColumn[strings.ToLower(name)] != nil; n++ {
			name = field + "~" + strconv.Itoa(n)
		}
		entry = &column{Field: field, Column: name, Kinds: 1 << kind, seen: new(atomic.Uint64)}
		next.byField[field] = entry
		next.byColumn[strings.ToLower(name)] = entry
		next.ordered = append(next.ordered, entry)
	}
	if err := writeFileAtomic(c.path, mustJSON(next.ordered)); err != nil {
		return nil, fmt.Errorf("save catalog: %w", err)
	}
	c.snap.Store(next)
	return entry, nil
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		panic("bug: marshal catalog: " + err.Error())
	}
	return b
}

// queryCatalog adapts a snapshot to query.Catalog. Queries name columns:
// a field whose name differs from an earlier one only in letter case is
// searched as its column name ("image~2").
type queryCatalog struct{ snap *catalogSnapshot }

func (q queryCatalog) FieldType(name string) (query.Type, bool) {
	if t, ok := query.EnvelopeTypes[name]; ok {
		return t, true
	}
	col, ok := q.snap.byColumn[strings.ToLower(name)]
	if !ok || col.Column != name || col.Kinds == 0 {
		return 0, false
	}
	return col.Kinds.queryType(), true
}

// writeFileAtomic replaces path durably (see fsutil.WriteFileAtomic).
func writeFileAtomic(path string, data []byte) error {
	return fsutil.WriteFileAtomic(path, data, 0o600)
}

func syncDir(dir string) error { return fsutil.SyncDir(dir) }
