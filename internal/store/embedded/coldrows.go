package embedded

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"
)

// Reading a page's events by place. A rare term's page of whole events
// was read by DuckDB from the time range its hits span: for ten hits
// spread over the day that is every block holding a hit, all ~70 columns
// decoded for 32,768 rows to keep one (about 13 ms a block at 200k
// events). The first step of a paged search (PageTimesSQL) returns, with
// each hit's @timestamp, the cold file and row number it was read from;
// when the page holds every match, the store reads those rows alone here,
// in Go: the file's offset index names the page of each column that holds
// a row, so only those pages are read and decompressed (event.original's
// ~5,000-row pages rather than its whole column chunk).

// errNotByPlace says that a cold file has a column whose type this reader
// does not give exactly as DuckDB would after the relation's cast (see
// parquetSQLType): the search reads the page through DuckDB instead.
var errNotByPlace = errors.New("cold rows not readable by place")

// placeColumns name the location columns the first step of a paged search
// returns: the path of the cold file a row was read from and its row
// number there (both null for a hot row).
const (
	placeFileColumn = "__vigil_file"
	placeRowColumn  = "__vigil_row"
)

// rowPlace is where a row of a search's page was read: a cold file's path
// and row number; file "" for a row from the hot tier.
type rowPlace struct {
	ts   time.Time
	file string
	row  int64
	// placed is false for a cold row of unknown place (a file whose own
	// columns clash with the place columns).
	placed bool
}

// outColumn is a column of the rows a search returns, with the SQL type
// the relation gives it.
type outColumn struct {
	name, sqlType string
}

// readColdRows reads rows (file row numbers) of the Parquet file at path,
// opened through c, and returns, for each, its values in the order of
// cols as DuckDB's driver would return them from the search's relation
// (nil where the file lacks the column or the value is null). It fails
// with errNotByPlace when a column's type in the file is not the one cols
// gives it.
func readColdRows(c *coldOpener, path string, rows []int64, cols []outColumn) (map[int64][]any, error) {
	o, err := c.open(path)
	if err != nil {
		return nil, fmt.Errorf("read cold rows: %w", err)
	}
	defer o.release()
	return readColdRowsOf(o, rows, cols)
}

// readColdRowsOf is readColdRows of the opened file o.
func readColdRowsOf(o *openCold, rows []int64, cols []outColumn) (map[int64][]any, error) {
	pf, path := o.pf, o.path
	leaves, err := placeLeaves(pf, cols)
	if err != nil {
		return nil, err
	}
	out := make(map[int64][]any, len(rows))
	sorted := slices.Clone(rows)
	slices.Sort(sorted)
	var start int64
	next := 0
	for g, rg := range pf.RowGroups() {
		n := rg.NumRows()
		if next < len(sorted) && sorted[next] < start+n {
			if err := readGroupRows(o, g, rg, start, n, sorted, &next, leaves, len(cols), out); err != nil {
				return nil, fmt.Errorf("read cold rows of %s: %w", path, err)
			}
		}
		start += n
	}
	if next < len(sorted) {
		return nil, fmt.Errorf("read cold rows of %s: row %d of %d", path, sorted[next], start)
	}
	return out, nil
}

// readGroupRows reads the rows of sorted from next on that fall in the row
// group rg (number g of o, file rows [start, start+n)), advancing next. It
// reads column by column, each page that holds one of the rows once.
func readGroupRows(o *openCold, g int, rg parquet.RowGroup, start, n int64, sorted []int64, next *int, leaves []placeLeaf, ncols int, out map[int64][]any) error {
	var rows []int64 // in the row group
	for ; *next < len(sorted) && sorted[*next] < start+n; *next++ {
		r := sorted[*next] - start
		if len(rows) == 0 || rows[len(rows)-1] != r {
			rows = append(rows, r)
		}
	}
	vals := make([][]any, len(rows))
	for i := range vals {
		vals[i] = make([]any, ncols)
	}
	for c, cc := range rg.ColumnChunks() {
		if c >= len(leaves) || leaves[c].out < 0 {
			continue
		}
		if allNull(cc) && !leaves[c].list {
			continue // nil in every row: nothing to read (a fifth of the bench mix's chunks)
		}
		if cp := newFlatChunk(o, g, cc); cp != nil {
			err := cp.readRows(&leaves[c], rows, vals)
			cp.close()
			if err == nil {
				continue
			}
			if !errors.Is(err, errPageUnsupported) {
				return fmt.Errorf("column %d: %w", c, err)
			}
		}
		if err := readChunkRows(cc, &leaves[c], rows, vals); err != nil {
			return fmt.Errorf("column %d: %w", c, err)
		}
	}
	for i, r := range rows {
		out[start+r] = vals[i]
	}
	return nil
}

// allNull reports whether the footer's statistics of cc say that every
// value of the chunk is null. A list's empty and null rows both have null
// leaf values, so it says nothing of a list.
func allNull(cc parquet.ColumnChunk) bool {
	fc, ok := cc.(*parquet.FileColumnChunk)
	return ok && fc.NumValues() > 0 && fc.NullCount() == fc.NumValues()
}

// readChunkRows sets the value of lf's column in vals[i] for each of rows
// (row group rows, ascending), from the column chunk cc: it seeks to the
// page holding a row through the chunk's offset index (or reads on from
// the page before without one) and decodes each page once.
func readChunkRows(cc parquet.ColumnChunk, lf *placeLeaf, rows []int64, vals [][]any) error {
	c := newPageCursor(cc)
	defer c.close()
	var vbuf []parquet.Value
	for i, r := range rows {
		if err := c.seek(r); err != nil {
			return err
		}
		// The row's values alone: a slice of the page by row.
		one := c.page.Slice(r-c.first, r-c.first+1)
		var err error
		vbuf, err = pageValues(one, vbuf)
		if err == nil {
			vals[i][lf.out] = lf.cell(vbuf) // copies the texts
		}
		// A slice holds a reference to the page's buffers: until it is
		// released they never go back to parquet-go's pool, and every
		// page read allocated its buffers anew (~25 MB a rare-term search).
		parquet.Release(one)
		if err != nil {
			return err
		}
	}
	return nil
}

// cell is the value of one row of lf's column from its leaf values, as
// DuckDB's driver gives it: nil for null, []any for a list.
func (lf *placeLeaf) cell(vs []parquet.Value) any {
	if !lf.list {
		if len(vs) != 1 || vs[0].IsNull() {
			return nil
		}
		return lf.value(vs[0])
	}
	// A list: below listDef the list is null; at it, present and empty;
	// above it each value is an element (null or not).
	if len(vs) == 0 || vs[0].DefinitionLevel() < lf.listDef {
		return nil
	}
	l := []any{}
	for _, v := range vs {
		switch {
		case v.DefinitionLevel() <= lf.listDef:
		case v.IsNull():
			l = append(l, nil)
		default:
			l = append(l, string(v.ByteArray()))
		}
	}
	return l
}

// placeLeaf says where a leaf column of a file goes in the rows read.
type placeLeaf struct {
	out     int // index in cols; -1: not read
	sqlType string
	list    bool
	listDef int // the definition level of a present, empty list
}

func (lf *placeLeaf) value(v parquet.Value) any {
	switch lf.sqlType {
	case "BIGINT":
		return v.Int64()
	case "TIMESTAMP":
		return time.UnixMicro(v.Int64()).UTC()
	case "DOUBLE":
		return v.Double()
	case "BOOLEAN":
		return v.Boolean()
	}
	return string(v.ByteArray())
}

// placeLeaves maps each leaf column of pf to its column of cols, checking
// that the file gives it the SQL type cols does.
func placeLeaves(pf *parquet.File, cols []outColumn) ([]placeLeaf, error) {
	schema := pf.Metadata().Schema
	if len(schema) == 0 {
		return nil, errNotByPlace
	}
	byName := make(map[string]int, len(cols))
	for i, c := range cols {
		byName[strings.ToLower(c.name)] = i
	}
	var leaves []placeLeaf
	root := pf.Root().Columns()
	pos := 1
	for f := 0; f < int(schema[0].NumChildren.V); f++ {
		if pos >= len(schema) || f >= len(root) || root[f].Name() != schema[pos].Name {
			return nil, errNotByPlace
		}
		el := schema[pos]
		sqlType, nleaves, listDef := parquetSQLType(schema, pos)
		out, wanted := byName[strings.ToLower(el.Name)]
		if wanted && sqlType != cols[out].sqlType {
			return nil, fmt.Errorf("%w: column %s is %q in the file, %q in the search", errNotByPlace, el.Name, sqlType, cols[out].sqlType)
		}
		if !wanted {
			out = -1
		}
		if nleaves != 1 {
			if wanted {
				return nil, errNotByPlace
			}
			// A column the search does not read: skip its leaves.
		}
		for range nleaves {
			leaves = append(leaves, placeLeaf{out: out, sqlType: sqlType, list: sqlType == "VARCHAR[]", listDef: listDef})
		}
		if wanted {
			// Its one leaf must be the one parquet-go numbers so.
			c := root[f]
			for !c.Leaf() {
				cs := c.Columns()
				if len(cs) != 1 {
					return nil, errNotByPlace
				}
				c = cs[0]
			}
			if c.Index() != len(leaves)-1 {
				return nil, errNotByPlace
			}
		}
		pos = skipSchemaNode(schema, pos)
	}
	return leaves, nil
}

// skipSchemaNode returns the position after the node at pos of a
// flattened Parquet schema and its descendants.
func skipSchemaNode(schema []format.SchemaElement, pos int) int {
	n := int(schema[pos].NumChildren.V)
	pos++
	for range n {
		if pos >= len(schema) {
			return pos
		}
		pos = skipSchemaNode(schema, pos)
	}
	return pos
}

// parquetSQLType returns the type DuckDB reads the top-level column at pos
// of a flattened Parquet schema as, for the types the relation's columns
// have (catalog.go sqlType) and this reader gives exactly as DuckDB's
// driver does; "" for any other. It also returns the column's number of
// leaves and, for a list, the definition level of an empty one.
func parquetSQLType(schema []format.SchemaElement, pos int) (sqlType string, leaves, listDef int) {
	el := &schema[pos]
	if el.NumChildren.V == 0 {
		if rep, _ := el.RepetitionType.Get(); rep == format.Repeated {
			return "", 1, 0
		}
		return leafSQLType(el), 1, 0
	}
	end := skipSchemaNode(schema, pos)
	for i := pos + 1; i < end; i++ {
		if schema[i].NumChildren.V == 0 {
			leaves++
		}
	}
	// A list of strings: <optional|required> group (LIST) { repeated group
	// { optional|required binary (STRING) } }.
	_, isList := el.LogicalType.Value.(*format.ListType)
	if ct, ok := el.ConvertedType.Get(); ok && ct == deprecated.List {
		isList = true
	}
	if !isList || el.NumChildren.V != 1 || pos+2 >= len(schema) || leaves != 1 {
		return "", leaves, 0
	}
	mid, leaf := &schema[pos+1], &schema[pos+2]
	if rep, _ := mid.RepetitionType.Get(); rep != format.Repeated || mid.NumChildren.V != 1 || leaf.NumChildren.V != 0 {
		return "", leaves, 0
	}
	if rep, _ := leaf.RepetitionType.Get(); rep == format.Repeated || leafSQLType(leaf) != "VARCHAR" {
		return "", leaves, 0
	}
	if rep, _ := el.RepetitionType.Get(); rep != format.Required {
		listDef = 1
	}
	return "VARCHAR[]", leaves, listDef
}

// leafSQLType is the DuckDB type of a non-repeated leaf column, for the
// types parquetSQLType lists.
func leafSQLType(el *format.SchemaElement) string {
	typ, ok := el.Type.Get()
	if !ok {
		return ""
	}
	ct, hasCT := el.ConvertedType.Get()
	lt := el.LogicalType.Value
	switch typ {
	case format.Int64:
		switch t := lt.(type) {
		case nil:
			if !hasCT || ct == deprecated.Int64 {
				return "BIGINT"
			}
		case *format.IntType:
			if t.BitWidth == 64 && t.IsSigned {
				return "BIGINT"
			}
		case *format.TimestampType:
			if _, micros := t.Unit.Value.(*format.MicroSeconds); micros && !t.IsAdjustedToUTC {
				return "TIMESTAMP"
			}
		}
	case format.Double:
		if lt == nil && !hasCT {
			return "DOUBLE"
		}
	case format.Boolean:
		if lt == nil && !hasCT {
			return "BOOLEAN"
		}
	case format.ByteArray:
		if _, ok := lt.(*format.StringType); ok || lt == nil && hasCT && ct == deprecated.UTF8 {
			return "VARCHAR"
		}
	}
	return ""
}
