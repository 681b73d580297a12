package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress/zstd"
	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/event"
)

// The direct cold writer turns hot segments into Parquet files in Go: it
// reads the lines the encoder wrote, sorts them by tenant, day and time,
// then groups the rows of each block by application (streamsort.go), and
// writes each column with an encoding chosen for it. It replaces
// DuckDB's COPY (read_ndjson, sort, write), which cost ~20 µs per row, for
// the values whose conversion it knows to be exactly DuckDB's (see
// convert); a set with any other value returns errNotDirect and is frozen
// by COPY as before, so both paths give the same rows and types.

// errNotDirect says that a freeze set holds a value the direct writer does
// not convert as DuckDB's read_ndjson does, or a line it cannot read: the
// set is frozen by DuckDB's COPY instead.
var errNotDirect = errors.New("not for the direct cold writer")

// coldPageBytes is where a page of a column other than event.original
// ends: after the chunk of values (coldChunkRows) that brings it to this
// many bytes. A hit read by place (coldrows.go) decompresses one page of
// each column, so this bounds what a hit costs: with 1 MiB pages a block
// holding a hit cost ~2.6 MB decompressed (event.id 0.7 MB, message and
// source.ip 0.24 MB each); most columns of a block fit in one page of
// this size anyway. Smaller pages compress a little worse (docs/storage.md,
// "Pages").
const coldPageBytes = 32 << 10

// coldMaxPageBytes is the page buffer of every column (parquet-go ends a
// page there itself): it bounds event.original's pages, which end at each
// part (coldPartRows) otherwise, and the encoder's window (zstdcodec.go).
const coldMaxPageBytes = 1 << 20

// coldChunkRows is the rows whose values are handed to the column writers
// at once. A column's page ends after the chunk that fills it, so a page
// can exceed coldPageBytes by one chunk's values of the column (~8 KiB of
// event.id).
const coldChunkRows = 256

// coldBlockRows is the rows of a block: a Parquet row group with its own
// time range and token filter in the meta. A search for a rare term reads
// the blocks whose filter may hold it, so smaller blocks read less for a
// needle; each block costs a filter of its distinct tokens and a row
// group's headers and dictionaries. DuckDB's COPY wrote row groups of
// 122,880 rows.
const coldBlockRows = 32768

// coldPartRows is the rows of a part: a run of a block's rows with a
// token filter of its own in the meta (coldBlock.Parts), so that a search
// for a rare term reads the parts that may hold it, not whole blocks.
// DuckDB skips the rows of a row group that a file_row_number range
// leaves out without decoding them for the other columns. On the bench
// mix a rare term that is in ten events of 300,000 read 8 of 10 blocks
// (262,144 rows) with block filters alone; see docs/bench.md.
// event.original's page ends at each part, so a part's texts are one page
// (~200 KiB on the bench mix): 1,024 rows, not the 4,096 of before, cut a
// rare term's CPU by 28% for 1.9 bytes per event more (the parts'
// filters, and event.original compressed in smaller pages); 512 rows cut
// another 10% for 2.3 bytes more (docs/storage.md, "Pages").
const coldPartRows = 1024

// The parts' filters hold ~3 tokens per row against ~2 for a block's (the
// vocabulary shared by a block's rows is in each part again), so they are
// sized for ~5% false positives, not the blocks' 1%: a part is looked at
// only when its block's filter passed, and a false positive costs reading
// coldPartRows rows.
const (
	partBloomBits = 6.3
	partBloomK    = 4
)

// directCol is one column of a direct freeze.
type directCol struct {
	name    string
	sqlType string
	leaf    int // Parquet leaf column index
}

// directRow is an event line to freeze, found by its position.
type directRow struct {
	tenant int    // index into the set's tenants
	day    int64  // Unix days of @timestamp
	ts     int64  // @timestamp, Unix µs
	seg    int    // index into the segment data
	off    int    // line start in it
	end    int    // line end (before the newline)
	id     [2]int // event.id's value, offsets into the line; equal: none
}

// writeDirect freezes the rows of g's tenants in segs (their bytes: data)
// into tmp/<tenant>/<day>.parquet and describes the files.
func (d *dataset) writeDirect(g freezeSet, segs []*segment, data [][]byte, tmp string) ([]*coldFile, error) {
	cols := directColumns(g.cols)
	byName := make(map[string]int, len(cols))
	for i, c := range cols {
		byName[c.name] = i
	}
	tenantIdx := map[string]int{}
	for i, t := range g.tenants {
		tenantIdx[t] = i
	}
	var rows []directRow
	for si, b := range data {
		for off := 0; off < len(b); {
			end := bytes.IndexByte(b[off:], '\n')
			if end < 0 {
				end = len(b)
			} else {
				end += off
			}
			line := b[off:end]
			if bytes.HasPrefix(line, []byte(`{"@timestamp":`)) {
				r, keep, err := rowKey(line, tenantIdx)
				if err != nil {
					return nil, err
				}
				if keep {
					r.seg, r.off, r.end = si, off, end
					rows = append(rows, r)
				}
			} else if !bytes.HasPrefix(line, []byte(`{"#`)) && len(bytes.TrimSpace(line)) > 0 {
				return nil, errNotDirect // a line DuckDB reads with ignore_errors
			}
			off = end + 1
		}
	}
	slices.SortStableFunc(rows, func(a, b directRow) int {
		if a.tenant != b.tenant {
			return a.tenant - b.tenant
		}
		if a.day != b.day {
			return int(a.day - b.day)
		}
		return int(a.ts - b.ts)
	})
	rows, dups := dedup(rows, data)
	var files []*coldFile
	for len(rows) > 0 {
		n := 1
		for n < len(rows) && rows[n].tenant == rows[0].tenant && rows[n].day == rows[0].day {
			n++
		}
		tenant := g.tenants[rows[0].tenant]
		day := time.Unix(rows[0].day*86400, 0).UTC().Format("2006-01-02")
		dir := filepath.Join(tmp, tenant)
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("freeze: %w", err)
		}
		f := &coldFile{Path: filepath.Join(dir, day+".parquet"), Tenant: tenant, Day: day, First: segs[0].seq, Last: segs[len(segs)-1].seq}
		if err := d.writeDirectFile(f, cols, byName, rows[:n], data); err != nil {
			return nil, err
		}
		if err := d.writeMeta(f, segs); err != nil {
			return nil, err
		}
		files = append(files, f)
		rows = rows[n:]
	}
	if len(files) > 0 {
		files[0].dups = dups
	}
	return files, nil
}

// dedup drops from rows (sorted) each row whose tenant, @timestamp and
// event.id equal an earlier row's: the same event written again (a
// replayed delivery, a client's retry) is stored once, as the ClickHouse
// backend keeps one row per (tenant, @timestamp, event.id). It keeps the
// first written and returns how many it dropped.
func dedup(rows []directRow, data [][]byte) ([]directRow, int) {
	id := func(r directRow) []byte { return data[r.seg][r.off+r.id[0] : r.off+r.id[1]] }
	out := rows[:0]
	dropped := 0
	run := 0 // start in out of the rows of the current tenant and time
	for _, r := range rows {
		if len(out) == 0 || out[run].tenant != r.tenant || out[run].ts != r.ts {
			run = len(out)
			out = append(out, r)
			continue
		}
		dup := false
		if r.id[1] > r.id[0] {
			for _, o := range out[run:] {
				if bytes.Equal(id(o), id(r)) {
					dup = true
					break
				}
			}
		}
		if dup {
			dropped++
			continue
		}
		out = append(out, r)
	}
	return out, dropped
}

// directColumns lists the columns of a direct freeze: the envelope, cols
// and the overflow column, as copySet's read_ndjson types them.
func directColumns(cols []*column) []directCol {
	out := make([]directCol, 0, len(envelopeColumns)+len(cols)+1)
	for _, e := range envelopeColumns {
		out = append(out, directCol{name: e.name, sqlType: e.sqlType})
	}
	for _, c := range cols {
		out = append(out, directCol{name: c.Column, sqlType: c.Kinds.sqlType()})
	}
	return append(out, directCol{name: overflowColumn, sqlType: "VARCHAR"})
}

// rowKey reads the @timestamp (the line's first member, as the encoder
// writes it) and the tenant of an event line. keep is false for a tenant
// outside the set.
func rowKey(line []byte, tenantIdx map[string]int) (r directRow, keep bool, err error) {
	const pre = len(`{"@timestamp":"`)
	if len(line) < pre+27 || line[pre+26] != 'Z' || line[pre+27] != '"' {
		return r, false, errNotDirect
	}
	ts, ok := parseMicros(line[pre : pre+27])
	if !ok {
		return r, false, errNotDirect
	}
	i := bytes.Index(line, []byte(`,"vigil.tenant":"`))
	if i < 0 {
		return r, false, errNotDirect
	}
	i += len(`,"vigil.tenant":"`)
	j := bytes.IndexByte(line[i:], '"')
	if j < 0 {
		return r, false, errNotDirect
	}
	t, ok := tenantIdx[string(line[i:i+j])]
	if !ok {
		return r, false, nil
	}
	r = directRow{tenant: t, day: floorDiv(ts, 86400e6), ts: ts}
	// event.id comes before vigil.tenant (appendEvent), after the times.
	if k := bytes.Index(line[:i], []byte(`,"event.id":"`)); k >= 0 {
		k += len(`,"event.id":"`)
		if e := bytes.IndexByte(line[k:i], '"'); e >= 0 && bytes.IndexByte(line[k:k+e], '\\') < 0 {
			r.id = [2]int{k, k + e}
		}
	}
	return r, true, nil
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

// parseMicros reads a time as the encoder writes it (timeLayout:
// 2006-01-02T15:04:05.000000Z) into Unix microseconds.
func parseMicros(b []byte) (int64, bool) {
	if len(b) != 27 || b[4] != '-' || b[7] != '-' || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != '.' || b[26] != 'Z' {
		return 0, false
	}
	num := func(s []byte) (int, bool) {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(b[0:4])
	mo, ok2 := num(b[5:7])
	d, ok3 := num(b[8:10])
	h, ok4 := num(b[11:13])
	mi, ok5 := num(b[14:16])
	s, ok6 := num(b[17:19])
	us, ok7 := num(b[20:26])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || y < 1 {
		return 0, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, s, 0, time.UTC)
	if t.Year() != y || int(t.Month()) != mo || t.Day() != d || t.Hour() != h || t.Minute() != mi || t.Second() != s {
		return 0, false
	}
	return t.Unix()*1e6 + int64(us), true
}

// zstdLevel maps the configured zstd level (1–22) to the encoder's levels.
func zstdLevel(level int) zstd.Level {
	switch {
	case level <= 2:
		return zstd.SpeedFastest
	case level <= 5:
		return zstd.SpeedDefault
	case level <= 9:
		return zstd.SpeedBetterCompression
	}
	return zstd.SpeedBestCompression
}

// directSchema builds the Parquet schema of cols and sets their leaf
// indexes. Encodings: timestamps as deltas; strings and integers through a
// dictionary where dict says their values repeat (chooseDict), else
// strings plain (DELTA_LENGTH_BYTE_ARRAY) and integers as deltas.
func directSchema(cols []directCol, dict []bool) *parquet.Schema {
	g := parquet.Group{}
	for i, c := range cols {
		var n parquet.Node
		switch c.sqlType {
		case "BIGINT":
			if dict[i] {
				n = parquet.Encoded(parquet.Leaf(parquet.Int64Type), &parquet.RLEDictionary)
			} else {
				n = parquet.Encoded(parquet.Leaf(parquet.Int64Type), &parquet.DeltaBinaryPacked)
			}
		case "DOUBLE":
			n = parquet.Leaf(parquet.DoubleType)
		case "BOOLEAN":
			n = parquet.Leaf(parquet.BooleanType)
		case "TIMESTAMP":
			n = parquet.Encoded(parquet.TimestampAdjusted(parquet.Microsecond, false), &parquet.DeltaBinaryPacked)
		case "VARCHAR[]":
			n = parquet.List(parquet.Optional(parquet.Encoded(parquet.String(), &parquet.RLEDictionary)))
		default:
			if dict[i] {
				n = parquet.Encoded(parquet.String(), &parquet.RLEDictionary)
			} else {
				n = parquet.String()
			}
		}
		g[c.name] = parquet.Optional(n)
	}
	s := parquet.NewSchema("vigil", g)
	for i := range cols {
		path := []string{cols[i].name}
		if cols[i].sqlType == "VARCHAR[]" {
			path = append(path, "list", "element")
		}
		leaf, _ := s.Lookup(path...)
		cols[i].leaf = leaf.ColumnIndex
	}
	return s
}

// dictSample is how many rows chooseDict reads, spread over a file.
const dictSample = 8192

// chooseDict decides, from a sample of rows, which columns a dictionary
// makes smaller: those whose sampled values repeat at least four times on
// average. Measured on the bench mix, a dictionary of a column of mostly
// distinct values (addresses, ports, request ids) takes 30–60% more bytes
// after zstd than its values written plain.
func chooseDict(p *lineParser, cols []directCol, byName map[string]int, rows []directRow, data [][]byte) ([]bool, error) {
	step := max(1, len(rows)/dictSample)
	// Values are told apart by their 64-bit hash: a collision among the
	// few thousand values of a sample (~10⁻¹²) would only count two
	// values as one.
	distinct := make([]map[uint64]struct{}, len(cols))
	seen := make([]int, len(cols))
	cells := make([]cell, len(cols))
	gen := make([]uint32, len(cols))
	var g uint32
	for i := 0; i < len(rows); i += step {
		r := rows[i]
		g++
		if err := p.parse(data[r.seg][r.off:r.end], byName, cols, cells, gen, g); err != nil {
			return nil, err
		}
		for ci := range cols {
			if gen[ci] != g {
				continue
			}
			c := &cells[ci]
			var key uint64
			switch c.kind {
			case 's':
				key = xxh3.Hash(c.s)
			case 'i':
				key = mix64(uint64(c.n))
			default:
				continue
			}
			if distinct[ci] == nil {
				distinct[ci] = map[uint64]struct{}{}
			}
			seen[ci]++
			if len(distinct[ci]) <= seen[ci]/4+1 {
				distinct[ci][key] = struct{}{}
			}
		}
		p.buf = p.buf[:0]
	}
	dict := make([]bool, len(cols))
	for ci := range cols {
		dict[ci] = seen[ci] > 0 && len(distinct[ci])*4 <= seen[ci]
	}
	return dict, nil
}

// writeDirectFile writes rows (one tenant and day, sorted by time; it
// groups each block's by application) to f.Path and fills f's counts,
// time range and columns.
func (d *dataset) writeDirectFile(f *coldFile, cols []directCol, byName map[string]int, rows []directRow, data [][]byte) (err error) {
	var p lineParser
	dict, err := chooseDict(&p, cols, byName, rows, data)
	if err != nil {
		return err
	}
	schema := directSchema(cols, dict)
	blockRows := coldBlockRows
	if d.cfg.blockRows > 0 {
		blockRows = d.cfg.blockRows
	}
	sortByStream(rows, data, blockRows)
	out, err := os.OpenFile(f.Path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	defer func() {
		if cerr := out.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("freeze: %w", cerr)
		}
	}()
	w := parquet.NewWriter(out, schema,
		parquet.Compression(newPageCodec(zstdLevel(d.cfg.CompressionLevel))),
		parquet.MaxRowsPerRowGroup(int64(2*blockRows)), // blocks end row groups (below)
		parquet.PageBufferSize(coldMaxPageBytes),
		parquet.CreatedBy("vigil", "", ""))
	cells := make([]cell, len(cols))
	gen := make([]uint32, len(cols))
	var g uint32
	// Values go to each column's writer directly, coldChunkRows rows at a
	// time: assembling rows for parquet-go's WriteRows had it copy every
	// value (~65 per row, most of them nulls) into per-column slices
	// again, 64 rows at a time. A row touches only the columns it has a
	// value in: the nulls before a value, and those at the end of a
	// chunk, are copied in runs.
	cws := w.ColumnWriters()
	nulls := make([][]parquet.Value, len(cols)) // by leaf: coldChunkRows nulls
	colVals := make([][]parquet.Value, len(cols))
	filled := make([]int, len(cols)) // by leaf: rows of the chunk in colVals
	for _, c := range cols {
		nulls[c.leaf] = slices.Repeat([]parquet.Value{parquet.Value{}.Level(0, 0, c.leaf)}, coldChunkRows)
		colVals[c.leaf] = make([]parquet.Value, 0, coldChunkRows)
	}
	// Pages: a column's page ends once it holds pageBytes of values
	// (pageFill counts them, by leaf), event.original's at the end of
	// each part instead, so that a part's texts are one page.
	pageBytes := coldPageBytes
	if d.cfg.pageBytes > 0 {
		pageBytes = d.cfg.pageBytes
	}
	pageFill := make([]int, len(cols))
	valueBytes := make([]int, len(cols)) // by column: its encoded values' size; 0: the text's
	for ci, c := range cols {
		valueBytes[ci] = encodedBytes(c.sqlType, dict[ci])
	}
	origCol, msgCol := byName[event.FieldOriginal], byName[event.FieldMessage]
	origLeaf := cols[origCol].leaf
	pending := 0
	flush := func() error {
		for leaf, vs := range colVals {
			vs = append(vs, nulls[leaf][:pending-filled[leaf]]...)
			if _, err := cws[leaf].WriteRowValues(vs); err != nil {
				return fmt.Errorf("freeze: write parquet: %w", err)
			}
			colVals[leaf], filled[leaf] = vs[:0], 0
			if pageFill[leaf] >= pageBytes && leaf != origLeaf {
				if err := cws[leaf].Flush(); err != nil {
					return fmt.Errorf("freeze: write parquet: %w", err)
				}
				pageFill[leaf] = 0
			}
		}
		pending = 0
		p.buf = p.buf[:0] // the rows written no longer need their strings
		return nil
	}
	bt := blockTokens{partRows: coldPartRows}
	if d.cfg.partRows > 0 {
		bt.partRows = d.cfg.partRows
	}
	bv := newBlockValues(cols)
	for i, r := range rows {
		if i%blockRows == 0 && i > 0 {
			if err := flush(); err != nil {
				return err
			}
			if err := w.Flush(); err != nil { // ends the row group
				return fmt.Errorf("freeze: write parquet: %w", err)
			}
			clear(pageFill)
			f.Blocks = append(f.Blocks, bt.block(rows[i-blockRows:i], bv.take(blockRows)))
		} else if i%blockRows%bt.partRows == 0 && i > 0 {
			// A part ends: so does event.original's page.
			if err := flush(); err != nil {
				return err
			}
			if err := cws[origLeaf].Flush(); err != nil {
				return fmt.Errorf("freeze: write parquet: %w", err)
			}
		}
		g++
		if err := p.parse(data[r.seg][r.off:r.end], byName, cols, cells, gen, g); err != nil {
			return err
		}
		var orig, msg []byte
		if gen[origCol] == g {
			orig = cells[origCol].s
		}
		if gen[msgCol] == g {
			msg = cells[msgCol].s
		}
		bt.add(orig, msg)
		for _, ci := range p.set {
			leaf := cols[ci].leaf
			vs := append(colVals[leaf], nulls[leaf][:pending-filled[leaf]]...)
			colVals[leaf], filled[leaf] = cells[ci].append(vs, leaf), pending+1
			if n := valueBytes[ci]; n > 0 {
				pageFill[leaf] += n
			} else {
				pageFill[leaf] += 4 + len(cells[ci].s)
			}
			bv.add(ci, &cells[ci])
		}
		if pending++; pending == coldChunkRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if pending > 0 {
		if err := flush(); err != nil {
			return err
		}
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("freeze: write parquet: %w", err)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("freeze: %w", err)
	}
	f.Blocks = append(f.Blocks, bt.block(rows[len(rows)-(len(rows)-1)%blockRows-1:], bv.take((len(rows)-1)%blockRows+1)))
	f.V = coldMetaVersion
	f.Rows = int64(len(rows))
	lo, hi := timeRange(rows)
	f.Min, f.Max = time.UnixMicro(lo).UTC(), time.UnixMicro(hi).UTC()
	f.Columns = make(map[string]string, len(cols))
	for _, c := range cols {
		f.Columns[c.name] = c.sqlType
	}
	return nil
}

// blockTokens collects the token hashes of a block's rows, and of each
// part of partRows of them.
type blockTokens struct {
	tz       tokenizer
	partRows int
	hashes   []uint64 // the block's, each part's distinct ones then the current part's
	rows     int      // rows added to the block
	part     int      // start in hashes of the current part's
	parts    []*bloom
}

// add adds a row's tokens as the write path's tokenizer.addEvent does: of
// the original and, when it is not part of the original, the message.
func (bt *blockTokens) add(orig, msg []byte) {
	if bt.rows%bt.partRows == 0 {
		if bt.rows > 0 {
			bt.endPart()
		}
		bt.tz.reset()
	}
	bt.rows++
	bt.hashes = addTokens(&bt.tz, bt.hashes, orig)
	if len(msg) > 0 && !bytes.Contains(orig, msg) {
		bt.hashes = addTokens(&bt.tz, bt.hashes, msg)
	}
}

// endPart builds the filter of the current part's tokens and keeps them,
// once each, for the block's.
func (bt *blockTokens) endPart() {
	hs := bt.hashes[bt.part:]
	slices.Sort(hs)
	hs = slices.Compact(hs)
	b := newBloomBits(len(hs), partBloomBits, partBloomK)
	for _, h := range hs {
		b.add(h)
	}
	bt.parts = append(bt.parts, b)
	bt.hashes = bt.hashes[:bt.part+len(hs)]
	bt.part = len(bt.hashes)
}

// block describes one block's rows with the tokens added since the last
// block and their value counts, and starts the next.
func (bt *blockTokens) block(rows []directRow, values map[string]map[string]int64) *coldBlock {
	bt.endPart()
	slices.Sort(bt.hashes)
	hs := slices.Compact(bt.hashes)
	b := newBloom(len(hs))
	for _, h := range hs {
		b.add(h)
	}
	lo, hi := timeRange(rows)
	blk := &coldBlock{Rows: int64(len(rows)), Min: time.UnixMicro(lo).UTC(), Max: time.UnixMicro(hi).UTC(),
		Tokens: b, TokenCount: len(hs), Values: values}
	if len(bt.parts) > 1 {
		blk.PartRows, blk.Parts = int64(bt.partRows), bt.parts
	}
	bt.hashes, bt.rows, bt.part, bt.parts = bt.hashes[:0], 0, 0, nil
	return blk
}

// cell is one converted value of a row.
type cell struct {
	kind  byte // 's' string, 'i' int, 'f' float, 'b' bool, 't' time, 'l' list
	s     []byte
	n     int64
	f     float64
	items [][]byte // list items; nil item = null element
}

// encodedBytes is about the bytes a value of a column of sqlType takes
// in a page before compression (directSchema's encodings), or 0 for a
// text written plain: its length and 4.
func encodedBytes(sqlType string, dict bool) int {
	switch {
	case dict, sqlType == "BOOLEAN":
		return 1 // a dictionary index, bit-packed; a bit
	case sqlType == "BIGINT", sqlType == "TIMESTAMP":
		return 2 // deltas
	case sqlType == "DOUBLE":
		return 8
	case sqlType == "VARCHAR[]":
		return 2 // a list of dictionary indexes and its levels
	}
	return 0
}

func (c *cell) append(vals []parquet.Value, leaf int) []parquet.Value {
	switch c.kind {
	case 's':
		return append(vals, parquet.ByteArrayValue(c.s).Level(0, 1, leaf))
	case 'i', 't':
		return append(vals, parquet.Int64Value(c.n).Level(0, 1, leaf))
	case 'f':
		return append(vals, parquet.DoubleValue(c.f).Level(0, 1, leaf))
	case 'b':
		return append(vals, parquet.BooleanValue(c.n != 0).Level(0, 1, leaf))
	case 'l':
		if len(c.items) == 0 {
			return append(vals, parquet.Value{}.Level(0, 1, leaf))
		}
		for i, it := range c.items {
			rep := 1
			if i == 0 {
				rep = 0
			}
			if it == nil {
				vals = append(vals, parquet.Value{}.Level(rep, 2, leaf))
			} else {
				vals = append(vals, parquet.ByteArrayValue(it).Level(rep, 3, leaf))
			}
		}
		return vals
	}
	return append(vals, parquet.Value{}.Level(0, 0, leaf))
}

// lineParser reads the flat JSON object of an event line.
type lineParser struct {
	b   []byte
	i   int
	buf []byte // unescaped strings of the rows not yet written
	// next[c] is 1 + the column whose key followed column c-1's the last
	// time (next[0]: the first key of a line); prev is the current c.
	next []int32
	prev int
	// quoted[c] is column c's key as a line holds it, with its quotes and
	// colon; nil for a name that JSON escapes.
	quoted [][]byte
	// set lists the columns the last line parsed has a value in.
	set []int
}

// parse converts the members of line that name a column into cells,
// marking each set cell's gen with g and listing its column in p.set. A
// member twice, a value not of its column's type in a way convert does not
// know, or a line it cannot read is errNotDirect.
func (p *lineParser) parse(line []byte, byName map[string]int, cols []directCol, cells []cell, gen []uint32, g uint32) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w (byte %d of a line of %d)", err, p.i, len(line))
		}
	}()
	p.b, p.i, p.prev, p.set = line, 0, 0, p.set[:0]
	if !p.eat('{') {
		return errNotDirect
	}
	if p.eat('}') {
		if p.i != len(p.b) {
			return errNotDirect
		}
		return nil
	}
	for {
		var ci int
		var known bool
		if c := p.predict(cols); c >= 0 && bytes.HasPrefix(p.b[p.i:], p.quoted[c]) {
			// The member the previous one was followed by the last time,
			// its key as it stands: no need to read and look up the key.
			p.i += len(p.quoted[c])
			p.prev = c + 1
			ci, known = c, true
		} else {
			key, ok := p.str()
			if !ok || !p.eat(':') {
				return errNotDirect
			}
			ci, known = p.column(key, byName, cols)
		}
		if known {
			if gen[ci] == g {
				return fmt.Errorf("%w: member %q twice", errNotDirect, cols[ci].name)
			}
			if err := p.convert(cols[ci].sqlType, &cells[ci]); err != nil {
				return fmt.Errorf("%w: %s", err, cols[ci].name)
			}
			gen[ci] = g
			if cells[ci].kind == 0 {
				gen[ci] = 0 // null
			} else {
				p.set = append(p.set, ci)
			}
		} else if !p.skip() {
			return errNotDirect
		}
		if p.eat(',') {
			continue
		}
		if p.eat('}') && p.i == len(p.b) {
			return nil
		}
		return errNotDirect
	}
}

// predict returns the column whose member followed the previous member
// the last time (events of one kind list their members in the same
// order), or -1.
func (p *lineParser) predict(cols []directCol) int {
	if p.next == nil {
		p.next = make([]int32, len(cols)+1)
		p.quoted = make([][]byte, len(cols))
		for i, c := range cols {
			p.quoted[i] = quotedKey(c.name)
		}
	}
	c := int(p.next[p.prev]) - 1
	if c >= 0 && p.quoted[c] == nil {
		return -1
	}
	return c
}

// quotedKey returns `"name":` when name is written in JSON as it is (no
// quote, backslash or control byte), else nil.
func quotedKey(name string) []byte {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c == '"' || c == '\\' {
			return nil
		}
	}
	return []byte(`"` + name + `":`)
}

// column finds the column of a member's key: the predicted one (predict)
// if it is that, else through the map.
func (p *lineParser) column(key []byte, byName map[string]int, cols []directCol) (int, bool) {
	if p.next == nil {
		p.predict(cols)
	}
	prev := p.prev
	if c := p.next[prev]; c > 0 && cols[c-1].name == string(key) {
		p.prev = int(c)
		return int(c - 1), true
	}
	ci, ok := byName[string(key)]
	if ok {
		p.next[prev] = int32(ci + 1)
		p.prev = ci + 1
	} else {
		p.prev = 0
	}
	return ci, ok
}

func (p *lineParser) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a JSON string, unescaped. Its bytes stay valid for the row.
func (p *lineParser) str() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
	}
	start := p.i
	q := bytes.IndexByte(p.b[start:], '"')
	if q < 0 {
		return nil, false
	}
	s := p.b[start : start+q]
	if e := bytes.IndexByte(s, '\\'); e >= 0 {
		// The quote found may be escaped: read on from the escape.
		if _, ok := textBytes(s[:e]); !ok {
			return nil, false
		}
		p.i = start + e
		return p.unescape(start)
	}
	ascii, ok := textBytes(s)
	if !ok {
		return nil, false
	}
	p.i = start + q + 1
	return s, ascii || validText(s)
}

// textBytes reports whether s has no control byte (below 0x20, which a
// JSON string escapes), and whether it is all ASCII, looking at eight
// bytes at a time (the test of "Bit Twiddling Hacks" for a byte below n,
// which finds one whenever there is one).
func textBytes(s []byte) (ascii, ok bool) {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	var ctl, top uint64
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64(s[i:])
		ctl |= (x - lo*0x20) &^ x
		top |= x
	}
	for ; i < len(s); i++ {
		c := uint64(s[i])
		ctl |= (c - 0x20) &^ c
		top |= c
	}
	return top&hi == 0, ctl&hi == 0
}

// validText reports whether s is valid UTF-8 (DuckDB refuses other text).
func validText(s []byte) bool { return utf8.Valid(s) }

// isNumber reports whether b is made of the bytes of a JSON number, so
// that strconv reads no Go-only form (Inf, NaN, hex, underscores).
func isNumber(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			return false
		}
	}
	return len(b) > 0
}

// unescape reads the rest of a string that has an escape, from start.
func (p *lineParser) unescape(start int) ([]byte, bool) {
	from := len(p.buf)
	p.buf = append(p.buf, p.b[start:p.i]...)
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			s := p.buf[from:len(p.buf):len(p.buf)]
			return s, validText(s)
		case c < 0x20:
			return nil, false
		case c != '\\':
			p.buf = append(p.buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return nil, false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			p.buf = append(p.buf, e)
		case 'b':
			p.buf = append(p.buf, '\b')
		case 'f':
			p.buf = append(p.buf, '\f')
		case 'n':
			p.buf = append(p.buf, '\n')
		case 'r':
			p.buf = append(p.buf, '\r')
		case 't':
			p.buf = append(p.buf, '\t')
		case 'u':
			r, ok := p.hex4()
			if !ok || r >= 0xd800 && r < 0xe000 {
				return nil, false // surrogates: left to DuckDB
			}
			if r == 0 {
				return nil, false
			}
			p.buf = appendRune(p.buf, r)
		default:
			return nil, false
		}
	}
	return nil, false
}

func (p *lineParser) hex4() (rune, bool) {
	if p.i+4 > len(p.b) {
		return 0, false
	}
	var r rune
	for _, c := range p.b[p.i : p.i+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.i += 4
	return r, true
}

func appendRune(b []byte, r rune) []byte {
	return append(b, string(r)...)
}

// skip passes over one value of a member no column names, checking that
// it is valid JSON (DuckDB drops a line that is not).
func (p *lineParser) skip() bool { return p.skipDepth(0) }

// maxSkipDepth bounds the nesting skip follows; deeper values are left to
// DuckDB.
const maxSkipDepth = 64

func (p *lineParser) skipDepth(depth int) bool {
	if p.i >= len(p.b) || depth > maxSkipDepth {
		return false
	}
	switch p.b[p.i] {
	case '"':
		_, ok := p.str()
		return ok
	case '[':
		p.i++
		if p.eat(']') {
			return true
		}
		for {
			if !p.skipDepth(depth + 1) {
				return false
			}
			if p.eat(',') {
				continue
			}
			return p.eat(']')
		}
	case '{':
		p.i++
		if p.eat('}') {
			return true
		}
		for {
			if _, ok := p.str(); !ok || !p.eat(':') || !p.skipDepth(depth+1) {
				return false
			}
			if p.eat(',') {
				continue
			}
			return p.eat('}')
		}
	}
	v, ok := p.scalar()
	return ok && (string(v) == "null" || string(v) == "true" || string(v) == "false" || validNumber(v))
}

// scalar reads the bytes of a number, true, false or null, up to the
// next delimiter; the caller checks them.
func (p *lineParser) scalar() ([]byte, bool) {
	start := p.i
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == ',' || c == '}' || c == ']' {
			break
		}
		p.i++
	}
	return p.b[start:p.i], p.i > start
}

// validNumber reports whether b is a JSON number.
func validNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || b[i] < '0' || b[i] > '9' {
			return false
		}
		for i < len(b) && b[i] >= '0' && b[i] <= '9' {
			i++
		}
	}
	return i == len(b)
}

// appendDuckFloat appends f as DuckDB writes a JSON number with a
// fraction or exponent read as VARCHAR: the shortest digits that read back
// as f, in plain notation with at least one decimal (2.0, 0.000123,
// 1000000000000000.0) for decimal exponents from -4 to 15, else in
// exponent notation with at least two exponent digits (1e-07, 1e+16,
// 1.5e+300) — the form of Python's repr, which yyjson's writer follows.
func appendDuckFloat(dst []byte, f float64) []byte {
	e := strconv.AppendFloat(nil, f, 'e', -1, 64)
	i := bytes.IndexByte(e, 'e')
	exp, _ := strconv.Atoi(string(e[i+1:]))
	if exp < -4 || exp >= 16 {
		return append(dst, e...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', -1, 64)
	if bytes.IndexByte(dst[start:], '.') < 0 {
		dst = append(dst, ".0"...)
	}
	return dst
}

// isInt reports whether a JSON number is an integer whose text DuckDB
// keeps as it is when it reads it as VARCHAR (no fraction or exponent, no
// -0, no leading zero).
func isInt(b []byte) bool {
	s := b
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 1 && s[0] == '0' || len(b) > 1 && b[0] == '-' && s[0] == '0' {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// convert reads a member's value into c as read_ndjson types it for a
// column of sqlType, or returns errNotDirect where that is not certain.
func (p *lineParser) convert(sqlType string, c *cell) error {
	c.kind = 0
	if p.i >= len(p.b) {
		return errNotDirect
	}
	switch p.b[p.i] {
	case '"':
		s, ok := p.str()
		if !ok {
			return errNotDirect
		}
		switch sqlType {
		case "VARCHAR":
			c.kind, c.s = 's', s
			return nil
		case "TIMESTAMP":
			n, ok := parseMicros(s)
			if !ok {
				return errNotDirect
			}
			c.kind, c.n = 't', n
			return nil
		}
		return errNotDirect
	case '[':
		if sqlType != "VARCHAR[]" {
			return errNotDirect
		}
		p.i++
		c.kind, c.items = 'l', c.items[:0]
		if p.eat(']') {
			return nil
		}
		for {
			switch {
			case p.i < len(p.b) && p.b[p.i] == '"':
				s, ok := p.str()
				if !ok {
					return errNotDirect
				}
				c.items = append(c.items, s)
			default:
				v, ok := p.scalar()
				if !ok || string(v) != "null" {
					return errNotDirect
				}
				c.items = append(c.items, nil)
			}
			if p.eat(',') {
				continue
			}
			if p.eat(']') {
				return nil
			}
			return errNotDirect
		}
	case '{':
		return errNotDirect // DuckDB renders objects again (numbers, escapes)
	}
	v, ok := p.scalar()
	if !ok {
		return errNotDirect
	}
	switch string(v) {
	case "null", "true", "false":
	case "-0":
		v = v[1:] // an integer to DuckDB: 0, not -0.0
	default:
		if !validNumber(v) {
			return errNotDirect
		}
	}
	switch string(v) {
	case "null":
		return nil
	case "true", "false":
		switch sqlType {
		case "BOOLEAN":
			c.kind, c.n = 'b', 0
			if v[0] == 't' {
				c.n = 1
			}
			return nil
		case "VARCHAR":
			c.kind, c.s = 's', v
			return nil
		}
		return errNotDirect
	}
	switch sqlType {
	case "BIGINT":
		if !isInt(v) {
			return errNotDirect
		}
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err != nil {
			return errNotDirect
		}
		c.kind, c.n = 'i', n
		return nil
	case "DOUBLE":
		if !isNumber(v) {
			return errNotDirect
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return errNotDirect
		}
		c.kind, c.f = 'f', f
		return nil
	case "VARCHAR":
		if isInt(v) {
			c.kind, c.s = 's', v
			return nil
		}
		if bytes.ContainsAny(v, ".eE") {
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil || math.IsInf(f, 0) {
				return errNotDirect // DuckDB keeps such a number's text
			}
			start := len(p.buf)
			p.buf = appendDuckFloat(p.buf, f)
			c.kind, c.s = 's', p.buf[start:len(p.buf):len(p.buf)]
			return nil
		}
		return errNotDirect
	}
	return errNotDirect
}
