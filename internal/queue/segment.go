package queue

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// Segment files are named by the sequence number of their first record,
// zero-padded so that names sort like numbers: 00000000000000000001.seg.
const segmentSuffix = ".seg"

func segmentName(first uint64) string {
	return fmt.Sprintf("%020d%s", first, segmentSuffix)
}

func parseSegmentName(name string) (uint64, bool) {
	s, ok := strings.CutSuffix(name, segmentSuffix)
	if !ok || len(s) != 20 {
		return 0, false
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, false
	}
	return n, true
}

// segment is what the queue keeps in memory about one segment file.
type segment struct {
	first   uint64 // sequence number of its first record (from the name)
	size    int64  // bytes in the file, header included
	created int64  // Unix ns, from the header: no record in a later segment is older
	newest  int64  // Unix ns of its newest record when this process sealed it; 0: unknown
}

// listSegments returns the segment files of dir in sequence order.
func listSegments(fsys FS, dir string) ([]uint64, error) {
	names, err := fsys.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("list segments in %s: %w", dir, err)
	}
	var firsts []uint64
	for _, n := range names {
		if first, ok := parseSegmentName(n); ok {
			firsts = append(firsts, first)
		}
	}
	sort.Slice(firsts, func(i, j int) bool { return firsts[i] < firsts[j] })
	return firsts, nil
}

// createSegment creates a segment file holding only its header and, unless
// sync is false, makes it and its directory entry durable before returning.
func createSegment(fsys FS, dir string, first uint64, created int64, sync bool) (File, error) {
	name := join(dir, segmentName(first))
	f, err := fsys.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create segment %d: %w", first, err)
	}
	fail := func(err error) (File, error) {
		f.Close()
		fsys.Remove(name)
		return nil, fmt.Errorf("create segment %d: %w", first, err)
	}
	if _, err := f.WriteAt(appendSegmentHeader(nil, first, created), 0); err != nil {
		return fail(err)
	}
	if sync {
		if err := f.Sync(); err != nil {
			return fail(err)
		}
		if err := fsys.SyncDir(dir); err != nil {
			return fail(err)
		}
	}
	return f, nil
}

// scanner reads the records of one segment file from off up to limit,
// through a buffer, checking both checksums of every record. Where the bytes
// at off are not a valid record it moves forward one byte at a time until a
// valid one starts: the header checksum makes each try cheap, and a record
// is accepted only if its body checksum matches too and its sequence number
// is not below minSeq (so a record framed inside another record's data is
// never mistaken for a real one after corruption).
type scanner struct {
	f      File
	off    int64 // where the next record starts (or the search for it)
	limit  int64 // bytes at or past limit are not read
	minSeq uint64
	buf    []byte // file bytes [bufOff, bufOff+len(buf))
	bufOff int64
}

// scanChunk is how much the scanner reads at once: large enough that a
// batch of a thousand 300-byte records takes one read.
const scanChunk = 512 << 10

// rawRecord is a record as the scanner returns it; tenant and data alias
// the scanner's buffer and are valid until the next call.
type rawRecord struct {
	hdr    recordHeader
	off    int64
	tenant []byte
	data   []byte
}

func (r rawRecord) end() int64 { return r.off + r.hdr.size() }

// window returns the n bytes at off, reading them if they are not buffered.
func (s *scanner) window(off int64, n int) ([]byte, error) {
	if off >= s.bufOff && off+int64(n) <= s.bufOff+int64(len(s.buf)) {
		i := off - s.bufOff
		return s.buf[i : i+int64(n)], nil
	}
	size := int64(max(n, scanChunk))
	if rest := s.limit - off; size > rest {
		size = rest
	}
	if size < int64(n) {
		return nil, io.ErrUnexpectedEOF
	}
	if int64(cap(s.buf)) < size {
		s.buf = make([]byte, size)
	}
	s.buf = s.buf[:size]
	s.bufOff = off
	if err := readFull(s.f, s.buf, off); err != nil {
		s.buf = s.buf[:0]
		return nil, err
	}
	return s.buf[:n], nil
}

// next returns the next valid record at or after s.off and how many bytes
// it skipped before it because they were not a valid record. At the limit
// it returns io.EOF, still with the bytes it skipped. Other errors are
// read errors.
func (s *scanner) next() (rawRecord, int64, error) {
	start := s.off
	for s.limit-s.off >= recordHeaderSize {
		rec, ok, err := s.at(s.off)
		if err != nil {
			return rawRecord{}, s.off - start, err
		}
		if ok {
			skipped := s.off - start
			s.off = rec.end()
			s.minSeq = rec.hdr.seq + 1
			return rec, skipped, nil
		}
		s.off++
	}
	s.off = max(s.off, s.limit)
	return rawRecord{}, s.off - start, io.EOF
}

// at decodes the record at off if a valid one starts there.
func (s *scanner) at(off int64) (rawRecord, bool, error) {
	b, err := s.window(off, recordHeaderSize)
	if err != nil {
		return rawRecord{}, false, err
	}
	h, err := parseRecordHeader(b)
	if err != nil || h.seq < s.minSeq || off+h.size() > s.limit {
		return rawRecord{}, false, nil
	}
	b, err = s.window(off, int(h.size()))
	if err != nil {
		return rawRecord{}, false, err
	}
	tenant, data, err := parseRecordBody(h, b[recordHeaderSize:])
	if err != nil {
		return rawRecord{}, false, nil
	}
	return rawRecord{hdr: h, off: off, tenant: tenant, data: data}, true, nil
}
