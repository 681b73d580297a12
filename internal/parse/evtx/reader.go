package evtx

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Layout of the file (see the package doc).
const (
	fileHeaderBlock  = 4096
	fileHeaderSize   = 128
	chunkSize        = 65536
	chunkHeaderSize  = 512
	recordHeaderSize = 24
	// minRecordSize is a record header, one BinXML token and the size copy.
	minRecordSize = recordHeaderSize + 1 + 4
)

const (
	fileMagic   = "ElfFile\x00"
	chunkMagic  = "ElfChnk\x00"
	recordMagic = "**\x00\x00"
)

// Header is the file header.
type Header struct {
	// FirstChunk and LastChunk are the numbers of the oldest and newest
	// chunk; NextRecordID is the id the next record written would get.
	FirstChunk, LastChunk, NextRecordID uint64
	MajorVersion, MinorVersion          uint16
	// ChunkCount is the number of chunks in use.
	ChunkCount uint16
	// Flags: 0x1 dirty (not closed cleanly), 0x2 full.
	Flags uint32
}

// Dirty reports whether the log was not closed cleanly; its last chunk may
// be incomplete.
func (h Header) Dirty() bool { return h.Flags&1 != 0 }

// Record locates the record Next decoded.
type Record struct {
	// ID is the record's EventRecordID as the record header has it.
	ID uint64
	// Written is when the record was written (record header), UTC.
	Written time.Time
	// Offset is the file offset of the record; SeekRecord takes it.
	Offset int64
	// Chunk is the index of the record's chunk in the file.
	Chunk int
}

// Options configure a Reader.
type Options struct {
	// Original renders every record as Windows Event XML into
	// event.original. It costs a second pass over the record and one more
	// string; without it, AppendXML renders a record on demand.
	Original bool
	// OnProblem, when set, is called with each problem as it is found.
	OnProblem func(Problem)
}

// Reader reads the records of an EVTX file in file order (the order they
// were written, unless the log wrapped around). It is not safe for
// concurrent use.
type Reader struct {
	r       io.ReaderAt
	size    int64
	opts    Options
	header  Header
	nchunks int
	stats   Stats
	dec     *decoder

	buf      []byte // the current chunk
	chunk    []byte // buf, cut to what the file holds
	chunkIdx int
	loaded   bool
	pos, end int
	found    int // records with valid framing in the current chunk
	expected int // records the chunk header announces, -1 if unknown
	// The BinXML of the record Next returned last, for AppendXML.
	curStart, curEnd int
	cur              bool
	xml              []byte
}

// File is a Reader over an open file.
type File struct {
	*Reader
	f *os.File
}

// Open opens an EVTX file.
func Open(path string, opts Options) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open evtx: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open evtx: %w", err)
	}
	r, err := NewReader(f, st.Size(), opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("open evtx %s: %w", path, err)
	}
	return &File{Reader: r, f: f}, nil
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// NewReader reads the file header of the EVTX data in r (size bytes). A
// damaged header is a Problem, not an error, as long as a chunk follows it.
func NewReader(r io.ReaderAt, size int64, opts Options) (*Reader, error) {
	rd := &Reader{r: r, size: size, opts: opts, dec: newDecoder(), buf: make([]byte, chunkSize), expected: -1}
	hdr := make([]byte, fileHeaderBlock+8)
	n, err := r.ReadAt(hdr, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read file header: %w", err)
	}
	hdr = hdr[:n]
	if n < fileHeaderSize || string(hdr[:8]) != fileMagic {
		if n < fileHeaderBlock+8 || string(hdr[fileHeaderBlock:fileHeaderBlock+8]) != chunkMagic {
			return nil, ErrNotEVTX
		}
		rd.problem(-1, 0, fmt.Errorf("bad signature %q: %w", hdr[:8], ErrCorrupt))
	} else {
		h := hdr[:fileHeaderSize]
		rd.header = Header{
			FirstChunk:   binary.LittleEndian.Uint64(h[8:]),
			LastChunk:    binary.LittleEndian.Uint64(h[16:]),
			NextRecordID: binary.LittleEndian.Uint64(h[24:]),
			MinorVersion: u16(h, 36),
			MajorVersion: u16(h, 38),
			ChunkCount:   u16(h, 42),
			Flags:        u32(h, 120),
		}
		if sum, want := crc32.ChecksumIEEE(h[:120]), u32(h, 124); sum != want {
			rd.problem(-1, 124, fmt.Errorf("header checksum %#08x, computed %#08x: %w", want, sum, ErrChecksum))
		}
		if rd.header.MajorVersion != 3 {
			rd.problem(-1, 36, fmt.Errorf("unsupported version %d.%d: %w", rd.header.MajorVersion, rd.header.MinorVersion, ErrCorrupt))
		}
		if bs := u16(h, 40); bs != fileHeaderBlock {
			rd.problem(-1, 40, fmt.Errorf("header block size %d, want %d: %w", bs, fileHeaderBlock, ErrCorrupt))
		}
	}
	if size > fileHeaderBlock {
		rd.nchunks = int((size - fileHeaderBlock + chunkSize - 1) / chunkSize)
	}
	return rd, nil
}

// Header returns the file header.
func (r *Reader) Header() Header { return r.header }

// Stats returns what the reader found so far. Details is shared with the
// reader; copy it to keep it past the next call to Next.
func (r *Reader) Stats() Stats { return r.stats }

func (r *Reader) problem(chunk int, off int64, err error) {
	p := Problem{Chunk: chunk, Offset: off, Err: err}
	r.stats.Problems++
	if len(r.stats.Details) < maxProblems {
		r.stats.Details = append(r.stats.Details, p)
	}
	if r.opts.OnProblem != nil {
		r.opts.OnProblem(p)
	}
}

func (r *Reader) chunkOffset(i int) int64 { return fileHeaderBlock + int64(i)*chunkSize }

// Next decodes the next record into e, which it resets first, and returns
// where the record is. Damaged records are skipped (each is a Problem); Next
// returns io.EOF after the last record and another error only when reading
// the underlying data fails.
func (r *Reader) Next(e *event.Event) (Record, error) {
	r.cur = false
	for {
		if !r.loaded {
			if r.chunkIdx >= r.nchunks {
				return Record{}, io.EOF
			}
			if err := r.load(r.chunkIdx, chunkHeaderSize); err != nil {
				return Record{}, err
			}
			if !r.loaded {
				r.chunkIdx++
				continue
			}
		}
		if rec, ok := r.next(e); ok {
			return rec, nil
		}
		r.finishChunk()
		r.loaded = false
		r.chunkIdx++
	}
}

// SeekRecord makes Next continue with the record at file offset off, an
// offset Next returned in Record.Offset (or any record start): a reader can
// resume where an earlier one stopped.
func (r *Reader) SeekRecord(off int64) error {
	if off < fileHeaderBlock+chunkHeaderSize || off >= r.size {
		return fmt.Errorf("seek record %#x: outside the chunks of the file", off)
	}
	idx := int((off - fileHeaderBlock) / chunkSize)
	in := int(off - r.chunkOffset(idx))
	if in < chunkHeaderSize {
		return fmt.Errorf("seek record %#x: inside a chunk header", off)
	}
	r.cur = false
	r.chunkIdx = idx
	r.loaded = false
	if err := r.load(idx, in); err != nil {
		return err
	}
	if !r.loaded {
		r.chunkIdx++
	}
	r.expected = -1
	return nil
}

// load reads chunk i, checks its header and positions the record scan at
// offset start within it. An unused or unreadable chunk leaves r.loaded
// false.
func (r *Reader) load(i, start int) error {
	off := r.chunkOffset(i)
	n, err := r.r.ReadAt(r.buf, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("read chunk %d: %w", i, err)
	}
	r.stats.Chunks++
	r.loaded = false
	c := r.buf[:n]
	if allZero(c) {
		r.stats.EmptyChunks++
		return nil
	}
	r.stats.BadChunks++ // until proven good
	if n < chunkSize {
		r.problem(i, off, fmt.Errorf("truncated: %d of %d bytes: %w", n, chunkSize, ErrCorrupt))
		if n < chunkHeaderSize {
			return nil
		}
	}
	r.chunk = c
	r.dec.setChunk(c)
	r.pos, r.end, r.found, r.expected = start, len(c), 0, -1
	r.loaded = true
	if string(c[:8]) != chunkMagic {
		r.problem(i, off, fmt.Errorf("bad signature %q, looking for records anyway: %w", c[:8], ErrCorrupt))
		return nil
	}
	bad := n < chunkSize
	sum := crc32.Update(crc32.ChecksumIEEE(c[:120]), crc32.IEEETable, c[128:chunkHeaderSize])
	if want := u32(c, 124); sum != want {
		bad = true
		r.problem(i, off+124, fmt.Errorf("header checksum %#08x, computed %#08x: %w", want, sum, ErrChecksum))
	}
	free := int(u32(c, 48))
	if free < chunkHeaderSize || free > len(c) {
		bad = true
		r.problem(i, off+48, fmt.Errorf("free space offset %#x out of range: %w", free, ErrCorrupt))
	} else {
		if sum, want := crc32.ChecksumIEEE(c[chunkHeaderSize:free]), u32(c, 52); sum != want {
			bad = true
			r.problem(i, off+52, fmt.Errorf("records checksum %#08x, computed %#08x: %w", want, sum, ErrChecksum))
		}
		r.end = free
		// A log not closed cleanly may hold records past the free space
		// offset; the header's last record offset says so.
		if last := int(u32(c, 44)); last >= free && need(last, recordHeaderSize, len(c)) && string(c[last:last+4]) == recordMagic {
			if size := int(u32(c, last+4)); size >= minRecordSize && need(last, size, len(c)) {
				r.end = last + size
			}
		}
	}
	if first, last := binary.LittleEndian.Uint64(c[8:]), binary.LittleEndian.Uint64(c[16:]); last >= first && last-first < chunkSize/minRecordSize {
		r.expected = int(last - first + 1)
	}
	if !bad {
		r.stats.BadChunks--
	}
	return nil
}

// finishChunk reports a chunk that held fewer records than its header says.
func (r *Reader) finishChunk() {
	if r.expected >= 0 && r.found < r.expected {
		r.problem(r.chunkIdx, r.chunkOffset(r.chunkIdx), fmt.Errorf("header announces %d records, %d found: %w", r.expected, r.found, ErrCorrupt))
	}
}

// next decodes the next record of the current chunk; false when the chunk
// has no more.
func (r *Reader) next(e *event.Event) (Record, bool) {
	c := r.chunk
	for r.pos < r.end {
		p := r.pos
		if !need(p, recordHeaderSize, len(c)) {
			if !allZero(c[p:r.end]) {
				r.problem(r.chunkIdx, r.chunkOffset(r.chunkIdx)+int64(p), fmt.Errorf("record at chunk offset %#x: truncated: %w", p, ErrCorrupt))
			}
			r.pos = r.end
			break
		}
		if string(c[p:p+4]) != recordMagic {
			if allZero(c[p:r.end]) {
				r.pos = r.end
				break
			}
			r.problem(r.chunkIdx, r.chunkOffset(r.chunkIdx)+int64(p), fmt.Errorf("record at chunk offset %#x: bad signature: %w", p, ErrCorrupt))
			r.pos = r.resync(p + 1)
			continue
		}
		size := int(u32(c, p+4))
		if size < minRecordSize || !need(p, size, len(c)) || int(u32(c, p+size-4)) != size {
			r.problem(r.chunkIdx, r.chunkOffset(r.chunkIdx)+int64(p), fmt.Errorf("record at chunk offset %#x: bad size %d: %w", p, size, ErrCorrupt))
			r.pos = r.resync(p + 1)
			continue
		}
		r.pos = p + size
		r.found++
		rec := Record{
			ID:      binary.LittleEndian.Uint64(c[p+8:]),
			Written: filetimeToTime(binary.LittleEndian.Uint64(c[p+16:])),
			Offset:  r.chunkOffset(r.chunkIdx) + int64(p),
			Chunk:   r.chunkIdx,
		}
		e.Reset()
		if err := r.decode(p+recordHeaderSize, p+size-4, e); err != nil {
			r.stats.BadRecords++
			r.problem(r.chunkIdx, rec.Offset, fmt.Errorf("record %d at chunk offset %#x: %w", rec.ID, p, err))
			e.Reset()
			continue
		}
		r.stats.Records++
		r.cur, r.curStart, r.curEnd = true, p+recordHeaderSize, p+size-4
		return rec, true
	}
	return Record{}, false
}

// decode decodes one record's BinXML into e. A panic would be a bug in the
// decoder; it becomes an error so that one record cannot stop a reader.
func (r *Reader) decode(start, end int, e *event.Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("bug: decoder panicked: %v: %w", p, ErrBinXML)
		}
	}()
	if err := r.dec.fields(start, end, e); err != nil {
		return err
	}
	if r.opts.Original {
		r.xml, err = r.dec.appendXML(r.xml[:0], start, end)
		if err != nil {
			return err
		}
		e.Original = string(r.xml)
	}
	return nil
}

// AppendXML appends the record Next returned last as Windows Event XML
// (no declaration, no whitespace between elements).
func (r *Reader) AppendXML(dst []byte) (out []byte, err error) {
	if !r.cur {
		return dst, errors.New("append xml: no current record")
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = dst, fmt.Errorf("bug: xml renderer panicked: %v: %w", p, ErrBinXML)
		}
	}()
	return r.dec.appendXML(dst, r.curStart, r.curEnd)
}

// resync finds the next plausible record start at or after p: a signature
// whose size fits in the chunk and is repeated at the record's end.
func (r *Reader) resync(p int) int {
	c := r.chunk
	for p < r.end {
		i := bytes.Index(c[p:r.end], []byte(recordMagic))
		if i < 0 {
			break
		}
		p += i
		if need(p, recordHeaderSize, len(c)) {
			size := int(u32(c, p+4))
			if size >= minRecordSize && need(p, size, len(c)) && int(u32(c, p+size-4)) == size {
				return p
			}
		}
		p++
	}
	return r.end
}

func allZero(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b) != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
