package embedded

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// Finding a rare term's events in Go. A search for full-text terms alone
// (`x9kq2vbz`, `"failed password" root`) on the first page of whole
// events ran two DuckDB statements: the first decompressed message and
// event.original of the cold parts whose token filters may hold the terms
// and matched them (contains, then a regular expression), ~70 ms at 200k
// events, most of it DuckDB's planning and scan set-up over the part
// ranges; the second was the read by place (coldrows.go). Now the store
// reads those two columns of the candidate parts itself (the pages that
// hold the parts' rows, through the offset index), matches them as the SQL
// does (termmatch.go), reads each hit's other columns by place and keeps
// the rows of the search's tenant and time range. DuckDB runs only for the
// hot tier, when it holds data in the range. When more rows match than the
// page holds, the search goes the old way (the page is then not rare, and
// the order on event.id would need every match).

// termFilter is a search filter made of full-text matches without
// wildcards (bare words, phrases, message:v and event.original:v) joined
// by AND and OR: the filters termPage tests in Go.
type termFilter struct {
	root   termNode
	leaves []termLeaf
}

// termLeaf is one match: its matcher and the columns it searches.
type termLeaf struct {
	m         *textMatcher
	msg, orig bool
}

// termNode is a leaf (op 0) or an AND ('&') or OR ('|') of its args.
type termNode struct {
	op   byte
	leaf int
	args []termNode
}

// maxTermLeaves bounds the matches of a filter tested in Go: each takes
// two bits of a row's match mask (uint64). Larger filters go through
// DuckDB.
const maxTermLeaves = 32

// newTermFilter returns the plan's filter as a termFilter; ok is false for
// any other plan (pipes, other terms, NOT, wildcards, an empty value).
func newTermFilter(plan *query.Plan) (*termFilter, bool) {
	if len(plan.Pipes) > 0 || plan.Filter == nil {
		return nil, false
	}
	f := &termFilter{}
	var build func(e query.Expr) (termNode, bool)
	build = func(e query.Expr) (termNode, bool) {
		switch e := e.(type) {
		case *query.Match:
			if e.Wild || e.Value == "" || len(f.leaves) == maxTermLeaves {
				return termNode{}, false
			}
			var leaf termLeaf
			switch e.Field {
			case "":
				leaf.msg, leaf.orig = true, true
			case event.FieldMessage:
				leaf.msg = true
			case event.FieldOriginal:
				leaf.orig = true
			default:
				return termNode{}, false
			}
			m, err := newTextMatcher(e.Value)
			if err != nil {
				return termNode{}, false
			}
			leaf.m = m
			f.leaves = append(f.leaves, leaf)
			return termNode{leaf: len(f.leaves) - 1}, true
		case *query.And, *query.Or:
			n := termNode{op: '&'}
			args := []query.Expr(nil)
			if a, ok := e.(*query.And); ok {
				args = a.Args
			} else {
				n.op, args = '|', e.(*query.Or).Args
			}
			for _, a := range args {
				c, ok := build(a)
				if !ok {
					return termNode{}, false
				}
				n.args = append(n.args, c)
			}
			return n, len(n.args) > 0
		}
		return termNode{}, false
	}
	root, ok := build(plan.Filter)
	if !ok {
		return nil, false
	}
	f.root = root
	return f, true
}

// Bits of a row's match mask: leaf i matched message (bit 2i) or
// event.original (bit 2i+1).
func msgBit(leaf int) uint64  { return 1 << (2 * leaf) }
func origBit(leaf int) uint64 { return 1 << (2*leaf + 1) }

// eval reports whether a row whose matches are mask passes the filter. A
// null text matches nothing, and without NOT a null (unknown) match and a
// false one give the same answer.
func (f *termFilter) eval(mask uint64) bool { return f.evalNode(&f.root, mask) }

func (f *termFilter) evalNode(n *termNode, mask uint64) bool {
	switch n.op {
	case '&':
		for i := range n.args {
			if !f.evalNode(&n.args[i], mask) {
				return false
			}
		}
		return true
	case '|':
		for i := range n.args {
			if f.evalNode(&n.args[i], mask) {
				return true
			}
		}
		return false
	}
	return mask&(msgBit(n.leaf)|origBit(n.leaf)) != 0
}

// termHit is a row of a cold file that the filter matches, with the texts
// read while testing it: orig (msg) is set when the row matched in
// event.original (message, or in either), as DuckDB's driver gives it (a
// string, nil for null).
type termHit struct {
	mask            uint64
	orig, msg       any
	origSet, msgSet bool
}

// errTooManyHits stops a scan that found more matching rows than a page
// holds: the search goes through DuckDB.
var errTooManyHits = errors.New("more matches than the page holds")

// scanTermRows tests the filter on the rows of ranges (file row numbers,
// inclusive; nil: every row) of pf and returns the rows it matches. It
// fails with errTooManyHits past most of them.
func scanTermRows(ctx context.Context, o *openCold, ranges [][2]int64, f *termFilter, most int) (map[int64]*termHit, error) {
	pf := o.pf
	schema := pf.Schema()
	origCol, msgCol, origDef, msgDef := -1, -1, 0, 0
	if lc, ok := schema.Lookup(event.FieldOriginal); ok {
		if !flatText(lc) {
			return nil, errNotByPlace
		}
		origCol, origDef = lc.ColumnIndex, lc.MaxDefinitionLevel
	}
	if lc, ok := schema.Lookup(event.FieldMessage); ok {
		if !flatText(lc) {
			return nil, errNotByPlace
		}
		msgCol, msgDef = lc.ColumnIndex, lc.MaxDefinitionLevel
	}
	if ranges == nil {
		ranges = [][2]int64{{0, pf.NumRows() - 1}}
	}
	hits := map[int64]*termHit{}
	var (
		start int64
		found []int
	)
	// tooMany reports whether more than most rows match already: a
	// filter without NOT that a row's matches so far pass, it passes
	// whatever the rest of its matches are.
	tooMany := func() bool {
		if len(hits) <= most {
			return false
		}
		n := 0
		for _, h := range hits {
			if f.eval(h.mask) {
				if n++; n > most {
					return true
				}
			}
		}
		return false
	}
	for g, rg := range pf.RowGroups() {
		n := rg.NumRows()
		var local [][2]int64 // the ranges' rows in the row group
		for _, r := range ranges {
			lo, hi := max(r[0], start), min(r[1], start+n-1)
			if lo <= hi {
				local = append(local, [2]int64{lo - start, hi - start})
			}
		}
		if len(local) > 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			chunks := rg.ColumnChunks()
			// event.original first: message keeps its text for the rows
			// either column matched.
			if origCol >= 0 {
				err := scanChunkText(o, g, chunks[origCol], origDef, local, func(tp *textPage) bool {
					for i := range f.leaves {
						if !f.leaves[i].orig {
							continue
						}
						found = f.leaves[i].m.matchAll(tp.data, tp.offs, found[:0])
						for _, k := range found {
							row := start + tp.rowOf(k)
							h := hits[row]
							if h == nil {
								h = &termHit{orig: string(tp.value(k)), origSet: true}
								hits[row] = h
							}
							h.mask |= origBit(i)
						}
					}
					return !tooMany()
				})
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", event.FieldOriginal, err)
				}
				if tooMany() {
					return nil, errTooManyHits
				}
			}
			if msgCol >= 0 {
				err := scanChunkText(o, g, chunks[msgCol], msgDef, local, func(tp *textPage) bool {
					for i := range f.leaves {
						if !f.leaves[i].msg {
							continue
						}
						found = f.leaves[i].m.matchAll(tp.data, tp.offs, found[:0])
						for _, k := range found {
							row := start + tp.rowOf(k)
							h := hits[row]
							if h == nil {
								h = &termHit{}
								hits[row] = h
							}
							h.mask |= msgBit(i)
						}
					}
					// The message of every row that matched in either
					// column and is on this page.
					for row, h := range hits {
						r := row - start
						if h.msgSet || r < tp.first || r >= tp.first+int64(tp.rows) {
							continue
						}
						h.msgSet = true
						if k, ok := tp.valueOf(r - tp.first); ok {
							h.msg = string(tp.value(k))
						}
					}
					return !tooMany()
				})
				if err != nil {
					return nil, fmt.Errorf("column %s: %w", event.FieldMessage, err)
				}
			}
			for row, h := range hits {
				if !f.eval(h.mask) {
					delete(hits, row)
				}
			}
			if len(hits) > most {
				return nil, errTooManyHits
			}
		}
		start += n
	}
	if msgCol < 0 || origCol < 0 {
		// A column the file lacks is null in every row.
		for _, h := range hits {
			h.msgSet = h.msgSet || msgCol < 0
			h.origSet = h.origSet || origCol < 0
		}
	}
	return hits, nil
}

// flatText reports whether a leaf column is a text column of one value
// per row.
func flatText(lc parquet.LeafColumn) bool {
	return lc.MaxRepetitionLevel == 0 && lc.Node != nil && lc.Node.Type().Kind() == parquet.ByteArray
}

// textPage is some consecutive rows of a text column: the non-null
// values, data[offs[k]:offs[k+1]] the k-th, and which rows they are.
type textPage struct {
	first int64 // the row group row of the first row
	rows  int
	data  []byte
	offs  []uint32
	// defs are the rows' definition levels (nil: no row is null); a row
	// has a value where its level is maxDef.
	defs   []byte
	maxDef byte
}

func (tp *textPage) value(k int) []byte { return tp.data[tp.offs[k]:tp.offs[k+1]] }

// rowOf is the row group row of the k-th value.
func (tp *textPage) rowOf(k int) int64 {
	if tp.defs == nil {
		return tp.first + int64(k)
	}
	for r, d := range tp.defs {
		if d == tp.maxDef {
			if k == 0 {
				return tp.first + int64(r)
			}
			k--
		}
	}
	return -1
}

// valueOf is the index of the value of the r-th row of the page; ok is
// false when it is null.
func (tp *textPage) valueOf(r int64) (k int, ok bool) {
	if tp.defs == nil {
		return int(r), true
	}
	if tp.defs[r] != tp.maxDef {
		return 0, false
	}
	for _, d := range tp.defs[:r] {
		if d == tp.maxDef {
			k++
		}
	}
	return k, true
}

// scanChunkText calls fn with the rows of ranges (row group rows,
// inclusive, ascending) of the text column chunk cc, a page's worth at a
// time (valid only during the call), until fn returns false. It reads each page that holds one of
// the rows once, seeking to it through the chunk's offset index (or
// reading on from the page before without one). Pages of plain or delta
// encoded text are searched where parquet-go decoded them; others (a
// dictionary's) are copied value by value.
func scanChunkText(o *openCold, g int, cc parquet.ColumnChunk, maxDef int, ranges [][2]int64, fn func(*textPage) bool) error {
	if cp := newFlatChunk(o, g, cc); cp != nil {
		// Read here (coldpage.go) unless a page proves unreadable so
		// before fn saw any.
		called := false
		err := cp.scanText(ranges, func(tp *textPage) bool { called = true; return fn(tp) })
		cp.close()
		if err == nil || !errors.Is(err, errPageUnsupported) || called {
			return err
		}
	}
	c := newPageCursor(cc)
	defer c.close()
	var (
		vbuf   []parquet.Value
		tp     textPage
		copied []byte
		defs   []byte
		offs   []uint32
	)
	for _, rng := range ranges {
		for r := rng[0]; r <= rng[1]; {
			if err := c.seek(r); err != nil {
				return err
			}
			end := min(rng[1], c.first+c.rows-1)
			part := c.page.Slice(r-c.first, end-c.first+1)
			tp = textPage{first: r, rows: int(end - r + 1), maxDef: byte(maxDef)}
			if vals := part.Data(); part.Dictionary() == nil && vals.Kind() == encoding.ByteArray && part.RepetitionLevels() == nil {
				tp.data, tp.offs = vals.ByteArray()
				tp.defs = part.DefinitionLevels()
				if want := tp.rows; tp.defs != nil && len(tp.defs) != want || tp.defs == nil && len(tp.offs)-1 != want {
					return fmt.Errorf("%d values for %d rows", len(tp.offs)-1, want)
				}
			} else {
				// Value by value: nulls have level 0, values 1.
				nv := int(part.NumValues())
				if nv != tp.rows {
					return fmt.Errorf("%d values for %d rows", nv, tp.rows)
				}
				var err error
				if vbuf, err = pageValues(part, vbuf); err != nil {
					return err
				}
				copied, defs, offs = copied[:0], defs[:0], append(offs[:0], 0)
				for i := range vbuf {
					if vbuf[i].IsNull() {
						defs = append(defs, 0)
						continue
					}
					defs = append(defs, 1)
					copied = append(copied, vbuf[i].ByteArray()...)
					offs = append(offs, uint32(len(copied)))
				}
				tp.data, tp.defs, tp.offs, tp.maxDef = copied, defs, offs, 1
			}
			more := fn(&tp)
			parquet.Release(part) // its reference to the page's buffers (readChunkRows)
			if !more {
				return nil
			}
			r = end + 1
		}
	}
	return nil
}

// termPage returns the first page of whole events of a search whose
// filter is a termFilter, newest first, when it holds every match: the
// cold files' candidate parts are tested in Go and their hits read by
// place, the hot tier (if it holds data in the range) searched through
// DuckDB. ok is false when the search must go through DuckDB: another
// filter, more matches than the page, a file this reader cannot read as
// DuckDB does.
func (s *Store) termPage(ctx context.Context, d *dataset, snap *catalogSnapshot, plan *query.Plan, cat query.Catalog, creq sqlgen.Request, req store.Request, colOf map[string]string) (_ []store.Row, ok bool) {
	f, ok := newTermFilter(plan)
	if !ok {
		return nil, false
	}
	terms := plan.Terms()
	if len(terms) == 0 {
		// Nothing for the token filters to rule out: every row is read.
		return nil, false
	}
	limit := req.Limit
	var hotRows []store.Row
	if len(d.hotSegmentsIn(snap, req)) > 0 {
		hrel, _ := d.relationWith(snap, plan, req, nil, false, true)
		hreq := creq
		hreq.From = "(" + hrel + ") AS ev"
		hreq.Limit = int64(limit) + 1
		hq, err := sqlgen.Compile(sqlgen.DuckDB, plan, cat, hreq)
		if err == nil {
			hotRows, err = s.rows(ctx, hq.SQL, hq.Args, false, colOf)
		}
		if err != nil || len(hotRows) > limit {
			return nil, false
		}
	}
	cols := pageColumns(snap, req.Tenant)
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.name
	}
	picks, _ := d.cold.files(req.Tenant, req.From, req.To, terms)
	var (
		mu      sync.Mutex
		wg      sync.WaitGroup
		found   []placedRow
		scanErr error
		slots   = make(chan struct{}, runtime.GOMAXPROCS(0))
	)
	room := limit - len(hotRows)
	from, to := int64(0), int64(0)
	if !req.From.IsZero() {
		from = req.From.UnixMicro()
	}
	if !req.To.IsZero() {
		to = req.To.UnixMicro()
	}
	for _, p := range picks {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			rows, err := termFileRows(ctx, d.cold.opened, p, f, cols, room)
			var keep []placedRow
			for _, vals := range rows {
				ts, _ := vals[0].(time.Time)
				tenant, _ := vals[3].(string)
				us := ts.UnixMicro()
				if tenant != req.Tenant || from != 0 && us < from || to != 0 && us >= to {
					continue
				}
				id, _ := vals[2].(string)
				keep = append(keep, placedRow{ts, id, convertRow(names, vals, false, colOf)})
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				scanErr = cmp.Or(scanErr, err)
				return
			}
			found = append(found, keep...)
		}()
	}
	wg.Wait()
	if scanErr != nil {
		if !errors.Is(scanErr, errNotByPlace) && !errors.Is(scanErr, errTooManyHits) && ctx.Err() == nil {
			d.log.Warn("find a term's events in the cold files; searching them through DuckDB", "err", scanErr)
		}
		return nil, false
	}
	if len(found) > room {
		return nil, false
	}
	all := append(found, placedFromRows(hotRows)...)
	sortPlaced(all)
	out := make([]store.Row, len(all))
	for i, p := range all {
		out[i] = p.row
	}
	d.termScans.Add(1)
	return out, true
}

// termFileRows returns the rows of the pick's candidate parts that the
// filter matches, each with its values in the order of cols (as
// readColdRows gives them). It fails with errTooManyHits past most rows.
func termFileRows(ctx context.Context, opened *coldOpener, p coldPick, f *termFilter, cols []outColumn, most int) ([][]any, error) {
	o, err := opened.open(p.Path)
	if err != nil {
		return nil, fmt.Errorf("scan cold rows: %w", err)
	}
	defer o.release()
	hits, err := scanTermRows(ctx, o, p.ranges, f, most)
	if err != nil {
		return nil, fmt.Errorf("scan cold rows of %s: %w", p.Path, err)
	}
	if len(hits) == 0 {
		return nil, nil
	}
	// The texts read while matching need not be read again.
	haveOrig, haveMsg := true, true
	rows := make([]int64, 0, len(hits))
	for r, h := range hits {
		rows = append(rows, r)
		haveOrig = haveOrig && h.origSet
		haveMsg = haveMsg && h.msgSet
	}
	read := make([]outColumn, 0, len(cols))
	at := make([]int, 0, len(cols)) // index in cols of each of read
	origAt, msgAt := -1, -1
	for i, c := range cols {
		switch {
		case c.name == event.FieldOriginal && haveOrig:
			origAt = i
		case c.name == event.FieldMessage && haveMsg:
			msgAt = i
		default:
			read = append(read, c)
			at = append(at, i)
		}
	}
	vals, err := readColdRowsOf(o, rows, read)
	if err != nil {
		return nil, err
	}
	out := make([][]any, 0, len(rows))
	for _, r := range rows {
		row := make([]any, len(cols))
		for k, v := range vals[r] {
			row[at[k]] = v
		}
		if origAt >= 0 {
			row[origAt] = hits[r].orig
		}
		if msgAt >= 0 {
			row[msgAt] = hits[r].msg
		}
		out = append(out, row)
	}
	return out, nil
}

// pageColumns are the columns of a page of whole events of the tenant, in
// the order the search's relation gives them.
func pageColumns(snap *catalogSnapshot, tenant string) []outColumn {
	cols := make([]outColumn, 0, len(envelopeColumns)+len(snap.ordered)+1)
	for _, e := range envelopeColumns {
		cols = append(cols, outColumn{e.name, e.sqlType})
	}
	for _, c := range snap.tenantColumnsOf(tenant) {
		cols = append(cols, outColumn{c.Column, c.Kinds.sqlType()})
	}
	return append(cols, outColumn{overflowColumn, "VARCHAR"})
}

// placedRow is a row of a page with the two columns that order it.
type placedRow struct {
	ts  time.Time
	id  string
	row store.Row
}

// placedFromRows gives rows read through DuckDB their order columns.
func placedFromRows(rows []store.Row) []placedRow {
	out := make([]placedRow, 0, len(rows))
	for _, r := range rows {
		p := placedRow{row: r}
		for _, c := range r {
			switch c.Name {
			case event.FieldTimestamp:
				p.ts, _ = c.Value.(time.Time)
			case event.FieldID:
				p.id, _ = c.Value.(string)
			}
		}
		out = append(out, p)
	}
	return out
}

// sortPlaced orders rows as a search does: ORDER BY "@timestamp" DESC,
// "event.id" DESC (envelope columns are never null).
func sortPlaced(rows []placedRow) {
	slices.SortFunc(rows, func(a, b placedRow) int {
		if c := b.ts.Compare(a.ts); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
}
