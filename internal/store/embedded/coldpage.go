package embedded

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"sort"
	"sync"
	"time"

	kzstd "github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/encoding/delta"
	"github.com/parquet-go/parquet-go/encoding/rle"
	"github.com/parquet-go/parquet-go/encoding/thrift"
	"github.com/parquet-go/parquet-go/format"
)

// Reading a flat column's pages without parquet-go's page readers. A
// rare term's search reads a few rows of each column of the blocks
// holding its hits, one page each. Through parquet-go every such read
// decoded the chunk's dictionary page anew (all of a block's distinct
// values, to look one up: a fifth of a search's CPU), read the page
// header byte by byte through a buffered reader of 64 KiB (for pages of
// a few KiB) and built page objects. flatChunk reads the page that
// holds a row at once (the offset index gives its place and size),
// decodes its definition levels and values, and looks dictionary indexes
// up in the chunk's dictionary, decoded once and kept with the opened
// file (coldopen.go) while it is cached. It reads the columns and
// encodings Vigil's writer writes (flat columns; PLAIN, RLE_DICTIONARY,
// DELTA_BINARY_PACKED; zstd or none; data pages v1 and v2); for any other
// chunk newFlatChunk says no and the caller reads it through parquet-go.

// maxColdPageBytes bounds a page's (or dictionary's) uncompressed size
// read this way: Vigil's writer cuts pages at coldMaxPageBytes (and
// event.original's at parts); a larger one is read through parquet-go.
const maxColdPageBytes = 64 << 20

// errPageUnsupported says that a page is one flatChunk does not read.
var errPageUnsupported = fmt.Errorf("%w: a page flatChunk does not read", errNotByPlace)

// one is the definition level of a value of a flat optional column.
var one = []byte{1}

// colDict is a column chunk's decoded dictionary.
type colDict struct {
	data []byte   // byte arrays: data[offs[k]:offs[k+1]]
	offs []uint32 //
	i64  []int64
	f64  []float64
	n    int
	size int64 // bytes held
}

// colPage is a decoded data page of a flat column: its rows' definition
// levels and its values (the non-null ones, in order).
type colPage struct {
	first int64 // row group row of the page's first row
	rows  int
	defs  []byte // nil: every row has a value
	// The values: dictionary indexes, or the values themselves.
	dict *colDict
	idx  []int32
	// idxRaw are the indexes still encoded (bit width, then runs), for
	// pages read by place; nil when idx holds them.
	idxRaw []byte
	data   []byte
	offs   []uint32
	i64    []int64
	f64    []float64
	bits   []byte // booleans, bit-packed
	nv     int
}

// flatChunk reads the pages of one flat column chunk of an opened file.
type flatChunk struct {
	o      *openCold
	key    [2]int // row group, column
	md     *format.ColumnMetaData
	oi     parquet.OffsetIndex
	kind   parquet.Kind
	maxDef int
	cur    int // page index of page; -1: none
	dict   *colDict
	// lazy leaves dictionary indexes encoded until looked up (readRows).
	lazy bool
	*pageScratch
}

// pageScratch are a flatChunk's buffers, reused by the next one (a
// search reads ~50 chunks per hit, one page each).
type pageScratch struct {
	page   colPage
	raw    []byte
	plain  []byte
	levels []byte
}

var pageScratches = sync.Pool{New: func() any { return new(pageScratch) }}

// close gives the chunk's buffers back for reuse.
func (p *flatChunk) close() {
	if p.pageScratch == nil {
		return
	}
	p.page.dict = nil
	if cap(p.raw) > 4<<20 || cap(p.plain) > 4<<20 || cap(p.page.data) > 4<<20 {
		p.pageScratch = nil // a large page's buffers go to the collector
		return
	}
	pageScratches.Put(p.pageScratch)
	p.pageScratch = nil
}

var zstdDecoders = sync.Pool{New: func() any {
	d, err := kzstd.NewReader(nil, kzstd.WithDecoderConcurrency(1), kzstd.WithDecoderMaxMemory(maxColdPageBytes))
	if err != nil {
		panic("bug: zstd decoder: " + err.Error())
	}
	return d
}}

// newFlatChunk returns a reader of the column chunk col of row group rg
// of o, or nil where flatChunk does not read it.
func newFlatChunk(o *openCold, rg int, cc parquet.ColumnChunk) *flatChunk {
	if o == nil {
		return nil // scanChunkText through parquet-go (tests)
	}
	fc, ok := cc.(*parquet.FileColumnChunk)
	if !ok {
		return nil
	}
	md := o.pf.Metadata()
	col := fc.Column()
	if rg >= len(md.RowGroups) || col >= len(md.RowGroups[rg].Columns) {
		return nil
	}
	chunk := &md.RowGroups[rg].Columns[col]
	if chunk.CryptoMetadata.Value != nil || len(chunk.EncryptedColumnMetadata) > 0 {
		return nil
	}
	meta := &chunk.MetaData
	switch meta.Codec {
	case format.Uncompressed, format.Zstd:
	default:
		return nil
	}
	leaf, ok := fc.Node().(*parquet.Column)
	if !ok || leaf.MaxRepetitionLevel() != 0 || leaf.MaxDefinitionLevel() > 1 {
		return nil
	}
	kind := fc.Type().Kind()
	switch kind {
	case parquet.ByteArray, parquet.Int64, parquet.Double, parquet.Boolean:
	default:
		return nil
	}
	for _, e := range meta.Encoding {
		switch e {
		case format.Plain, format.RLE, format.BitPacked, format.RLEDictionary:
		case format.DeltaBinaryPacked:
			if kind != parquet.Int64 {
				return nil
			}
		case format.DeltaLengthByteArray, format.DeltaByteArray:
			if kind != parquet.ByteArray {
				return nil
			}
		default:
			return nil
		}
	}
	oi, err := fc.OffsetIndex()
	if err != nil || oi == nil || oi.NumPages() == 0 {
		return nil
	}
	return &flatChunk{o: o, key: [2]int{rg, col}, md: meta, oi: oi, kind: kind, maxDef: leaf.MaxDefinitionLevel(), cur: -1,
		pageScratch: pageScratches.Get().(*pageScratch)}
}

// seek makes p.page the page that holds row r (a row group row).
func (p *flatChunk) seek(r int64) error {
	if p.cur >= 0 && r >= p.page.first && r < p.page.first+int64(p.page.rows) {
		return nil
	}
	n := p.oi.NumPages()
	pg := sort.Search(n, func(k int) bool { return p.oi.FirstRowIndex(k) > r }) - 1
	if pg < 0 {
		return fmt.Errorf("row %d before the first page", r)
	}
	if err := p.readPage(pg); err != nil {
		return err
	}
	if r >= p.page.first+int64(p.page.rows) {
		return fmt.Errorf("row %d not in the page of rows [%d, %d)", r, p.page.first, p.page.first+int64(p.page.rows))
	}
	return nil
}

// readRaw reads size bytes at off of the file, and decodes the page
// header at their start: it returns the header and the page's body.
func (p *flatChunk) readRaw(off, size int64) (*format.PageHeader, []byte, error) {
	if size <= 0 || size > maxColdPageBytes {
		return nil, nil, errPageUnsupported
	}
	if int64(cap(p.raw)) < size {
		p.raw = make([]byte, size)
	}
	raw := p.raw[:size]
	if _, err := p.o.fh.ReadAt(raw, off); err != nil {
		return nil, nil, fmt.Errorf("read page: %w", err)
	}
	h := new(format.PageHeader)
	var proto thrift.CompactProtocol
	if err := thrift.NewDecoder(proto.NewReader(bytes.NewReader(raw))).Decode(h); err != nil {
		return nil, nil, fmt.Errorf("decode page header: %w", err)
	}
	body := int64(h.CompressedPageSize)
	if body < 0 || body > size || h.UncompressedPageSize < 0 || h.UncompressedPageSize > maxColdPageBytes {
		return nil, nil, fmt.Errorf("page of %d bytes in %d", body, size)
	}
	return h, raw[size-body:], nil
}

// decompress returns src decompressed (n bytes) into buf.
func (p *flatChunk) decompress(buf, src []byte, n int) ([]byte, error) {
	if p.md.Codec == format.Uncompressed {
		return src, nil
	}
	d := zstdDecoders.Get().(*kzstd.Decoder)
	defer zstdDecoders.Put(d)
	out, err := d.DecodeAll(src, buf[:0])
	if err != nil {
		return nil, fmt.Errorf("decompress page: %w", err)
	}
	if len(out) != n {
		return nil, fmt.Errorf("page of %d bytes decompressed to %d", n, len(out))
	}
	return out, nil
}

// readPage reads and decodes page pg of the chunk into p.page.
func (p *flatChunk) readPage(pg int) error {
	p.cur = -1
	h, body, err := p.readRaw(p.oi.Offset(pg), p.oi.CompressedPageSize(pg))
	if err != nil {
		return err
	}
	first := p.oi.FirstRowIndex(pg)
	var (
		values []byte
		enc    format.Encoding
		nv     int // values, nulls included
		rows   int
		defs   []byte
		nulls  = -1
	)
	switch {
	case h.Type == format.DataPageV2 && h.DataPageHeaderV2.Valid:
		v2 := &h.DataPageHeaderV2.V
		dl, rl := int(v2.DefinitionLevelsByteLength), int(v2.RepetitionLevelsByteLength)
		if rl != 0 || dl < 0 || dl > len(body) {
			return errPageUnsupported
		}
		nv, rows, enc, nulls = int(v2.NumValues), int(v2.NumRows), v2.Encoding, int(v2.NumNulls)
		if p.maxDef > 0 {
			if defs, err = p.decodeLevels(body[:dl], nv); err != nil {
				return err
			}
		}
		values = body[dl:]
		if !v2.IsCompressed.Valid || v2.IsCompressed.V {
			if values, err = p.decompress(p.plain, values, int(h.UncompressedPageSize)-dl); err != nil {
				return err
			}
			p.plain = values
		}
	case h.Type == format.DataPage && h.DataPageHeader.Valid:
		v1 := &h.DataPageHeader.V
		if p.maxDef > 0 && v1.DefinitionLevelEncoding != format.RLE {
			return errPageUnsupported
		}
		nv, enc = int(v1.NumValues), v1.Encoding
		rows = nv
		if values, err = p.decompress(p.plain, body, int(h.UncompressedPageSize)); err != nil {
			return err
		}
		p.plain = values
		if p.maxDef > 0 {
			if len(values) < 4 {
				return fmt.Errorf("page of %d bytes", len(values))
			}
			n := int(binary.LittleEndian.Uint32(values))
			if n > len(values)-4 {
				return fmt.Errorf("levels of %d bytes in %d", n, len(values)-4)
			}
			if defs, err = p.decodeLevels(values[4:4+n], nv); err != nil {
				return err
			}
			values = values[4+n:]
		}
	default:
		return errPageUnsupported
	}
	if rows != nv || rows < 0 {
		return fmt.Errorf("page of %d values in %d rows", nv, rows)
	}
	if pg+1 < p.oi.NumPages() && p.oi.FirstRowIndex(pg+1)-first != int64(rows) {
		return fmt.Errorf("page of %d rows, the offset index says %d", rows, p.oi.FirstRowIndex(pg+1)-first)
	}
	defined := nv
	if defs != nil {
		defined = bytes.Count(defs, one)
		if nulls >= 0 && defined != nv-nulls {
			return fmt.Errorf("page of %d values, %d nulls, %d defined", nv, nulls, defined)
		}
	}
	p.page = colPage{first: first, rows: rows, defs: defs, nv: defined,
		idx: p.page.idx[:0], data: p.page.data[:0], offs: p.page.offs[:0], i64: p.page.i64[:0], f64: p.page.f64[:0], bits: p.page.bits[:0]}
	if err := p.decodeValues(&p.page, enc, values, defined); err != nil {
		return err
	}
	p.cur = pg
	return nil
}

// decodeLevels decodes n definition levels (RLE/bit-packed hybrid).
func (p *flatChunk) decodeLevels(src []byte, n int) ([]byte, error) {
	e := rle.Encoding{BitWidth: bits.Len(uint(p.maxDef))}
	lv, err := e.DecodeLevels(p.levels[:0], src)
	if err != nil {
		return nil, fmt.Errorf("decode levels: %w", err)
	}
	p.levels = lv
	if len(lv) < n {
		return nil, fmt.Errorf("%d levels for %d values", len(lv), n)
	}
	// maxDef is 1 (newFlatChunk): levels of one bit are 0 or 1.
	return lv[:n], nil
}

// decodeValues decodes n values of encoding enc from src into pg.
func (p *flatChunk) decodeValues(pg *colPage, enc format.Encoding, src []byte, n int) error {
	var err error
	switch enc {
	case format.RLEDictionary:
		if pg.dict, err = p.dictionary(); err != nil {
			return err
		}
		if p.lazy {
			// Rows read by place: a row or two of the page; its index
			// is found in the runs when looked up (indexAt).
			if len(src) == 0 || src[0] > 32 {
				return errors.New("dictionary indexes without a bit width of at most 32")
			}
			pg.idxRaw, pg.idx = src, pg.idx[:0]
			return nil
		}
		var d rle.DictionaryEncoding
		if pg.idx, err = d.DecodeInt32(pg.idx[:0], src); err != nil {
			return fmt.Errorf("decode dictionary indexes: %w", err)
		}
		if len(pg.idx) < n {
			return fmt.Errorf("%d indexes for %d values", len(pg.idx), n)
		}
		pg.idx = pg.idx[:n]
		for _, k := range pg.idx {
			if k < 0 || int(k) >= pg.dict.n {
				return fmt.Errorf("dictionary index %d of %d", k, pg.dict.n)
			}
		}
		return nil
	case format.DeltaBinaryPacked:
		if p.kind != parquet.Int64 {
			return errPageUnsupported
		}
		var d delta.BinaryPackedEncoding
		if pg.i64, err = d.DecodeInt64(pg.i64[:0], src); err != nil {
			return fmt.Errorf("decode deltas: %w", err)
		}
		if len(pg.i64) != n {
			return fmt.Errorf("%d deltas for %d values", len(pg.i64), n)
		}
		return nil
	case format.Plain:
		return p.decodePlain(&pg.data, &pg.offs, &pg.i64, &pg.f64, &pg.bits, src, n)
	case format.DeltaLengthByteArray, format.DeltaByteArray:
		if p.kind != parquet.ByteArray {
			return errPageUnsupported
		}
		if enc == format.DeltaLengthByteArray {
			var d delta.LengthByteArrayEncoding
			pg.data, pg.offs, err = d.DecodeByteArray(pg.data, src, pg.offs)
		} else {
			var d delta.ByteArrayEncoding
			pg.data, pg.offs, err = d.DecodeByteArray(pg.data, src, pg.offs)
		}
		if err != nil {
			return fmt.Errorf("decode byte arrays: %w", err)
		}
		if len(pg.offs) != n+1 {
			return fmt.Errorf("%d byte arrays for %d values", len(pg.offs)-1, n)
		}
		return nil
	}
	return errPageUnsupported
}

// decodePlain decodes n PLAIN values of the chunk's kind from src.
func (p *flatChunk) decodePlain(data *[]byte, offs *[]uint32, i64 *[]int64, f64 *[]float64, bs *[]byte, src []byte, n int) error {
	switch p.kind {
	case parquet.ByteArray:
		o := append((*offs)[:0], 0)
		d := (*data)[:0]
		for i := 0; i < n; i++ {
			if len(src) < 4 {
				return fmt.Errorf("byte array %d of %d cut", i, n)
			}
			l := int(binary.LittleEndian.Uint32(src))
			if l > len(src)-4 {
				return fmt.Errorf("byte array %d of %d bytes in %d", i, l, len(src)-4)
			}
			d = append(d, src[4:4+l]...)
			o = append(o, uint32(len(d)))
			src = src[4+l:]
		}
		*data, *offs = d, o
	case parquet.Int64:
		if len(src) < 8*n {
			return fmt.Errorf("%d bytes for %d int64", len(src), n)
		}
		v := (*i64)[:0]
		for i := range n {
			v = append(v, int64(binary.LittleEndian.Uint64(src[8*i:])))
		}
		*i64 = v
	case parquet.Double:
		if len(src) < 8*n {
			return fmt.Errorf("%d bytes for %d doubles", len(src), n)
		}
		v := (*f64)[:0]
		for i := range n {
			v = append(v, math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
		}
		*f64 = v
	case parquet.Boolean:
		if len(src) < (n+7)/8 {
			return fmt.Errorf("%d bytes for %d booleans", len(src), n)
		}
		*bs = append((*bs)[:0], src[:(n+7)/8]...)
	default:
		return errPageUnsupported
	}
	return nil
}

// dictionary returns the chunk's dictionary, from the opened file's
// cache or read and kept there.
func (p *flatChunk) dictionary() (*colDict, error) {
	if p.dict != nil {
		return p.dict, nil
	}
	if d := p.o.dict(p.key); d != nil {
		p.dict = d
		return d, nil
	}
	off, end := p.md.DictionaryPageOffset, p.md.DataPageOffset
	if off <= 0 || end <= off {
		return nil, errPageUnsupported
	}
	h, body, err := p.readRaw(off, end-off)
	if err != nil {
		return nil, err
	}
	if h.Type != format.DictionaryPage || !h.DictionaryPageHeader.Valid {
		return nil, errPageUnsupported
	}
	dh := &h.DictionaryPageHeader.V
	if dh.Encoding != format.Plain {
		return nil, errPageUnsupported
	}
	plain, err := p.decompress(nil, body, int(h.UncompressedPageSize))
	if err != nil {
		return nil, err
	}
	d := &colDict{n: int(dh.NumValues)}
	if d.n < 0 {
		return nil, fmt.Errorf("dictionary of %d values", d.n)
	}
	var bs []byte
	if err := p.decodePlain(&d.data, &d.offs, &d.i64, &d.f64, &bs, plain, d.n); err != nil {
		return nil, err
	}
	if p.kind == parquet.Boolean {
		return nil, errPageUnsupported
	}
	d.size = int64(cap(d.data) + 4*cap(d.offs) + 8*cap(d.i64) + 8*cap(d.f64) + 64)
	p.o.keepDict(p.key, d)
	p.dict = d
	return d, nil
}

// valueOf returns the index among the page's values of row r of the page,
// false for a null.
func (pg *colPage) valueOf(r int) (int, bool) {
	if pg.defs == nil {
		return r, true
	}
	if pg.defs[r] == 0 {
		return 0, false
	}
	return bytes.Count(pg.defs[:r], one), true
}

// bytesOf is the k-th value of a byte array page.
func (pg *colPage) bytesOf(k int) []byte {
	if pg.dict != nil {
		i := pg.idx[k]
		return pg.dict.data[pg.dict.offs[i]:pg.dict.offs[i+1]]
	}
	return pg.data[pg.offs[k]:pg.offs[k+1]]
}

// index returns the dictionary index of the k-th value.
func (pg *colPage) index(k int) (int, error) {
	if pg.idxRaw == nil {
		return int(pg.idx[k]), nil
	}
	v, err := hybridAt(pg.idxRaw[1:], int(pg.idxRaw[0]), k)
	if err != nil {
		return 0, fmt.Errorf("dictionary index %d: %w", k, err)
	}
	if v >= uint64(pg.dict.n) {
		return 0, fmt.Errorf("dictionary index %d of %d", v, pg.dict.n)
	}
	return int(v), nil
}

// hybridAt returns the k-th value of src, values of bw bits in Parquet's
// RLE/bit-packed hybrid encoding, walking its runs without decoding the
// values before.
func hybridAt(src []byte, bw, k int) (uint64, error) {
	for len(src) > 0 {
		h, n := binary.Uvarint(src)
		if n <= 0 {
			return 0, errors.New("bad run header")
		}
		src = src[n:]
		if h&1 == 0 { // a run of one value
			count, w := h>>1, (bw+7)/8
			if len(src) < w {
				return 0, errors.New("run cut")
			}
			if uint64(k) < count {
				var v uint64
				for i := range w {
					v |= uint64(src[i]) << (8 * i)
				}
				return v, nil
			}
			k -= int(count)
			src = src[w:]
			continue
		}
		groups := h >> 1 // of 8 values, bw bytes each
		if groups > uint64(len(src)) {
			groups = uint64(len(src)) // the last run may be cut short
		}
		if uint64(k) < groups*8 {
			bit := k * bw
			var v uint64
			for i := 0; i < 5 && bit/8+i < len(src); i++ {
				v |= uint64(src[bit/8+i]) << (8 * i)
			}
			if (bit+bw+7)/8 > len(src) {
				return 0, errors.New("bit-packed run cut")
			}
			return v >> (bit % 8) & (1<<bw - 1), nil
		}
		k -= int(groups * 8)
		nb := groups * uint64(bw)
		if nb > uint64(len(src)) {
			return 0, errors.New("bit-packed run cut")
		}
		src = src[nb:]
	}
	return 0, errors.New("past the last value")
}

// cell returns the value of row r of the page as DuckDB's driver gives
// it for sqlType (readColdRows), nil for null.
func (pg *colPage) cell(r int, kind parquet.Kind, lf *placeLeaf) (any, error) {
	k, ok := pg.valueOf(r)
	if !ok {
		return nil, nil
	}
	if pg.dict != nil {
		i, err := pg.index(k)
		if err != nil {
			return nil, err
		}
		switch kind {
		case parquet.ByteArray:
			return string(pg.dict.data[pg.dict.offs[i]:pg.dict.offs[i+1]]), nil
		case parquet.Int64:
			return int64Cell(pg.dict.i64[i], lf), nil
		case parquet.Double:
			return pg.dict.f64[i], nil
		}
		return nil, errPageUnsupported
	}
	switch kind {
	case parquet.ByteArray:
		return string(pg.bytesOf(k)), nil
	case parquet.Int64:
		return int64Cell(pg.i64[k], lf), nil
	case parquet.Double:
		return pg.f64[k], nil
	case parquet.Boolean:
		return pg.bits[k/8]>>(k%8)&1 == 1, nil
	}
	return nil, errPageUnsupported
}

func int64Cell(v int64, lf *placeLeaf) any {
	if lf.sqlType == "TIMESTAMP" {
		return time.UnixMicro(v).UTC()
	}
	return v
}

// kindOfSQL is the physical type a column of sqlType has in a cold file
// read by flatChunk.
func kindOfSQL(sqlType string) (parquet.Kind, bool) {
	switch sqlType {
	case "BIGINT", "TIMESTAMP":
		return parquet.Int64, true
	case "DOUBLE":
		return parquet.Double, true
	case "BOOLEAN":
		return parquet.Boolean, true
	case "VARCHAR":
		return parquet.ByteArray, true
	}
	return 0, false
}

// readRows sets the value of lf's column in vals[i] for each of rows (row
// group rows, ascending), as readChunkRows does.
func (p *flatChunk) readRows(lf *placeLeaf, rows []int64, vals [][]any) error {
	if k, ok := kindOfSQL(lf.sqlType); !ok || k != p.kind || lf.list {
		return errPageUnsupported
	}
	p.lazy = true
	for i, r := range rows {
		if err := p.seek(r); err != nil {
			return err
		}
		v, err := p.page.cell(int(r-p.page.first), p.kind, lf)
		if err != nil {
			return err
		}
		vals[i][lf.out] = v
	}
	return nil
}

// scanText calls fn with the rows of ranges of the chunk (a text column),
// a page's worth at a time, as scanChunkText does.
func (p *flatChunk) scanText(ranges [][2]int64, fn func(*textPage) bool) error {
	if p.kind != parquet.ByteArray {
		return errPageUnsupported
	}
	var (
		tp     textPage
		copied []byte
		offs   []uint32
	)
	for _, rng := range ranges {
		for r := rng[0]; r <= rng[1]; {
			if err := p.seek(r); err != nil {
				return err
			}
			pg := &p.page
			end := min(rng[1], pg.first+int64(pg.rows)-1)
			a, b := int(r-pg.first), int(end-pg.first)+1 // the page's rows [a, b)
			vs, ve := a, b
			tp = textPage{first: r, rows: b - a, maxDef: byte(p.maxDef)}
			if pg.defs != nil {
				vs = bytes.Count(pg.defs[:a], one)
				ve = vs + bytes.Count(pg.defs[a:b], one)
				tp.defs = pg.defs[a:b]
			}
			if pg.dict == nil {
				tp.data, tp.offs = pg.data, pg.offs[vs:ve+1]
			} else {
				copied, offs = copied[:0], append(offs[:0], 0)
				for k := vs; k < ve; k++ {
					copied = append(copied, pg.bytesOf(k)...)
					offs = append(offs, uint32(len(copied)))
				}
				tp.data, tp.offs = copied, offs
			}
			if !fn(&tp) {
				return nil
			}
			r = end + 1
		}
	}
	return nil
}
