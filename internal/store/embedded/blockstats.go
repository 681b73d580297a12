package embedded

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// Block statistics: the direct cold writer keeps, for each block and each
// text, integer or boolean column with few distinct values in it
// (maxBlockValues), how many rows hold each value (meta version 3). A search
// `stats count() by X` (and so a top-N: `| sort -count | head N`) over
// no filter takes the counts of the blocks its time range contains whole
// from the meta instead of reading their rows; other blocks, files without
// counts and hot data are read as rows, and both are merged in the one
// SQL query (statsRelation). Files are per tenant (cold/<tenant>/…), so a
// block's counts are of one tenant's rows.

// maxBlockValues bounds the distinct values of a column whose counts a
// block keeps, and a block keeps them only where each value is in
// blockValueRows rows on average and their text takes at most
// maxBlockValueBytes: host names, applications, severities, actions and
// outcomes fit; addresses, ids and texts do not, and for them a block
// keeps none. The bench mix has ~500 host names in a block of 32,768 rows
// (4.5 KiB), and in the few thousand rows of a file's last block; a
// count by host reads no rows only when every block has its counts (a
// file touched costs DuckDB ~2.5 ms). The meta of the bench mix grows by
// 0.8 B per event.
const (
	maxBlockValues     = 1024
	blockValueRows     = 4
	maxBlockValueBytes = 16 << 10
)

// blockValues counts the values of a block's columns as they are written.
type blockValues struct {
	cols []directCol
	// counts[ci] counts column ci's values in the block; nil: not
	// counted (not a countable type, or over maxBlockValues or
	// maxBlockValueBytes).
	counts []map[string]*int64
	bytes  []int // text of each column's values in counts
	num    []byte
	// last[ci] is column ci's value counted last, lastN its count: rows
	// of one application follow each other in a block (streamsort.go), so
	// a value is often the one before it, and needs no map look-up.
	last  [][]byte
	lastN []*int64
}

func newBlockValues(cols []directCol) *blockValues {
	bv := &blockValues{cols: cols, counts: make([]map[string]*int64, len(cols)), bytes: make([]int, len(cols)),
		last: make([][]byte, len(cols)), lastN: make([]*int64, len(cols))}
	bv.reset()
	return bv
}

// countable reports whether a column of this type and name gets counts.
func countable(c directCol) bool {
	switch c.sqlType {
	case "VARCHAR", "BIGINT", "BOOLEAN":
		return c.name != overflowColumn
	}
	return false
}

func (bv *blockValues) reset() {
	for ci, c := range bv.cols {
		if countable(c) {
			bv.counts[ci] = map[string]*int64{}
		}
		bv.bytes[ci] = 0
		bv.lastN[ci] = nil
	}
}

// add counts column ci's value c of a row.
func (bv *blockValues) add(ci int, c *cell) {
	m := bv.counts[ci]
	if m == nil {
		return
	}
	var key []byte
	switch c.kind {
	case 's':
		key = c.s
	case 'i':
		bv.num = strconv.AppendInt(bv.num[:0], c.n, 10)
		key = bv.num
	case 'b':
		key = []byte("false")
		if c.n != 0 {
			key = []byte("true")
		}
	default:
		bv.counts[ci] = nil // a value of a kind not counted
		return
	}
	if n := bv.lastN[ci]; n != nil && bytes.Equal(bv.last[ci], key) {
		*n++
		return
	}
	if n := m[string(key)]; n != nil {
		*n++
		bv.last[ci], bv.lastN[ci] = append(bv.last[ci][:0], key...), n
		return
	}
	if len(m) == maxBlockValues || bv.bytes[ci]+len(key) > maxBlockValueBytes {
		bv.counts[ci] = nil
		return
	}
	bv.bytes[ci] += len(key)
	n := int64(1)
	m[string(key)] = &n
	bv.last[ci], bv.lastN[ci] = append(bv.last[ci][:0], key...), &n
}

// take returns the counts of the block of rows rows and starts the next.
func (bv *blockValues) take(rows int) map[string]map[string]int64 {
	out := map[string]map[string]int64{}
	for ci, m := range bv.counts {
		if m == nil || len(m) > max(1, rows/blockValueRows) {
			continue
		}
		vs := make(map[string]int64, len(m))
		for k, n := range m {
			vs[k] = *n
		}
		out[bv.cols[ci].name] = vs
	}
	bv.reset()
	return out
}

// weightField is the column of statsRelation that says how many rows a
// row of the relation stands for; its name is no field's (fields do not
// start with '#').
const weightField = "#rows"

// countsQuery says whether a plan can take block counts: a filter on
// nothing but the by column (`*`, `host.name:*`, `host.name:web-*`), then
// a stats of count() only, by one column of the tenant (or by nothing);
// pipes after the stats work on its table and may be anything. The
// filter applies to the rows of the counts as to any row, since they
// carry the column's value. It returns the plan with each count() made a
// sum of weightField, and the by column ("" for none).
func countsQuery(plan *query.Plan, qc queryCatalog) (*query.Plan, string, bool) {
	if len(plan.Pipes) == 0 {
		return nil, "", false
	}
	st, ok := plan.Pipes[0].(*query.Stats)
	if !ok || len(st.By) > 1 || len(st.Aggs) == 0 {
		return nil, "", false
	}
	by := ""
	if len(st.By) == 1 {
		by = st.By[0]
		if by == event.FieldTimestamp || by == weightField {
			return nil, "", false
		}
		if _, env := query.EnvelopeTypes[by]; !env {
			if _, col := qc.column(by); !col {
				return nil, "", false // no column (a group of nulls), or in the overflow column
			}
		}
	}
	if !filterOnly(plan.Filter, by) {
		return nil, "", false
	}
	aggs := make([]query.Agg, len(st.Aggs))
	for i, a := range st.Aggs {
		if a.Func != query.Count || a.Field != "" {
			return nil, "", false
		}
		aggs[i] = query.Agg{Func: query.Sum, Field: weightField, As: a.Name()}
	}
	out := &query.Plan{Filter: plan.Filter, Pipes: append([]query.Pipe{&query.Stats{Aggs: aggs, By: st.By}}, plan.Pipes[1:]...)}
	return out, by, true
}

// filterOnly reports whether filter reads no field but by (and no full
// text): nil, `*`, or comparisons of by joined by AND, OR and NOT.
func filterOnly(filter query.Expr, by string) bool {
	ok := true
	query.Walk(filter, func(e query.Expr) {
		var field string
		switch e := e.(type) {
		case *query.And, *query.Or, *query.Not, *query.All:
			return
		case *query.Match:
			field = e.Field
		case *query.Exists:
			field = e.Field
		case *query.CIDR:
			field = e.Field
		case *query.Range:
			field = e.Field
		default:
			ok = false
			return
		}
		if field == "" || field != by || query.IsFullText(field) {
			ok = false
		}
	})
	return ok
}

// weightCatalog is a query catalog that also knows weightField.
type weightCatalog struct{ queryCatalog }

func (w weightCatalog) FieldType(name string) (query.Type, bool) {
	if name == weightField {
		return query.TypeInt, true
	}
	return w.queryCatalog.FieldType(name)
}

func (w weightCatalog) FieldExpr(name string) (string, bool) {
	if name == weightField {
		return "", false
	}
	return w.queryCatalog.FieldExpr(name)
}

// blockCounts are the counts a search took from the meta of whole blocks.
type blockCounts struct {
	column string // the by column, "" for none
	blocks int
	rows   int64
	// values[sqlType][value] is the rows holding value in blocks whose
	// column has that type; null counts the rows without a value.
	values map[string]map[string]int64
	null   int64
	at     time.Time // the first row of a counted block: inside the range
}

// take adds block b of file f to the counts if the search's time range
// [from, to) contains it whole and the block has counts for the column,
// and reports whether it did.
func (bc *blockCounts) take(f *coldFile, b *coldBlock, from, to time.Time) bool {
	if b.Values == nil || !from.IsZero() && b.Min.Before(from) || !to.IsZero() && !b.Max.Before(to) {
		return false
	}
	if hasColumn(f, "file_row_number") {
		return false // the file is read whole (relation)
	}
	var vs map[string]int64
	typ, has := f.Columns[bc.column]
	if bc.column != "" {
		if !has && hasColumn(f, bc.column) {
			return false // the column in another letter case
		}
		if has {
			if vs, has = b.Values[bc.column]; !has {
				return false // over maxBlockValues in this block
			}
		}
	}
	if bc.values == nil {
		bc.values = map[string]map[string]int64{}
	}
	var sum int64
	if len(vs) > 0 {
		m := bc.values[typ]
		if m == nil {
			m = map[string]int64{}
			bc.values[typ] = m
		}
		for v, n := range vs {
			m[v] += n
			sum += n
		}
	}
	bc.null += b.Rows - sum
	bc.rows += b.Rows
	if bc.blocks == 0 || b.Min.Before(bc.at) {
		bc.at = b.Min
	}
	bc.blocks++
	return true
}

// sql is a relation of the counts, one row per value with its count in
// weightField, of the tenant and at a time inside the search's range.
func (bc *blockCounts) sql(tenant string) string {
	at := "TIMESTAMP " + sqlString(bc.at.UTC().Format("2006-01-02 15:04:05.999999")) + " AS " + sqlIdent(event.FieldTimestamp)
	weight := "v.n AS " + sqlIdent(weightField)
	tenantCol := sqlString(tenant) + " AS " + sqlIdent(event.FieldTenant)
	if bc.column == "" {
		return "SELECT " + at + ", " + tenantCol + ", CAST(" + strconv.FormatInt(bc.null, 10) + " AS BIGINT) AS " + sqlIdent(weightField)
	}
	value := func(typ string) string {
		if bc.column == event.FieldTenant { // the value is the tenant's (files are per tenant)
			return "CAST(v.x AS " + typ + ") AS " + sqlIdent(event.FieldTenant)
		}
		return tenantCol + ", CAST(v.x AS " + typ + ") AS " + sqlIdent(bc.column)
	}
	var parts []string
	types := slices.Sorted(maps.Keys(bc.values))
	if bc.null > 0 {
		types = append(types, "")
	}
	for _, typ := range types {
		var b strings.Builder
		b.WriteString("SELECT " + at + ", ")
		if typ == "" {
			b.WriteString(value("VARCHAR") + ", " + weight + " FROM (VALUES (NULL, CAST(" + strconv.FormatInt(bc.null, 10) + " AS BIGINT))) AS v(x, n)")
			parts = append(parts, b.String())
			continue
		}
		// The values and counts as two JSON arrays, one literal each: a
		// VALUES list of 500 rows costs DuckDB ~10 ms to bind.
		xs := make([]string, 0, len(bc.values[typ]))
		ns := make([]int64, 0, len(bc.values[typ]))
		for x, n := range bc.values[typ] {
			xs = append(xs, x)
			ns = append(ns, n)
		}
		xj, _ := json.Marshal(xs)
		nj, _ := json.Marshal(ns)
		b.WriteString(value(typ) + ", " + weight + " FROM (SELECT unnest(CAST(CAST(" + sqlString(string(xj)) + " AS JSON) AS VARCHAR[])) AS x, " +
			"unnest(CAST(CAST(" + sqlString(string(nj)) + " AS JSON) AS BIGINT[])) AS n")
		b.WriteString(") AS v")
		parts = append(parts, b.String())
	}
	return strings.Join(parts, "\nUNION ALL BY NAME\n")
}
