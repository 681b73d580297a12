package queue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// The on-disk format (see the package documentation and
// docs/format/queue.md for the diagrams). Every multi-byte integer is little
// endian; every checksum is CRC-32C (Castagnoli).
const (
	// formatVersion is written in every segment header and ledger slot. A
	// reader refuses a version it does not know rather than guessing.
	formatVersion = 1

	segmentMagic = "VQSG"
	ledgerMagic  = "VQLG"

	// segmentHeaderSize: magic(4) version(1) reserved(3) first seq(8)
	// created(8) crc(4).
	segmentHeaderSize = 28

	// recordHeaderSize: header crc(4) flags(1) body length(4) seq(8)
	// append time(8) body crc(4).
	recordHeaderSize = 29

	// ledgerSlotSize is one of the two ledger slots: magic(4) version(1)
	// reserved(3) generation(8) acked(8) hint segment(8) hint offset(8)
	// reserved(20) crc(4).
	ledgerSlotSize = 64
	ledgerSize     = 2 * ledgerSlotSize

	// flagBatchEnd marks the last record of an Append. Recovery keeps a
	// torn tail's complete records only up to the last batch end, so an
	// Append is all or nothing after a crash.
	flagBatchEnd = 1 << 0
	knownFlags   = flagBatchEnd

	// maxBodySize bounds the body length a record header may claim (1 GiB),
	// whatever MaxRecordBytes was when it was written: a header claiming
	// more is treated as corrupt instead of allocating that much.
	maxBodySize = 1 << 30
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// errBadHeader and errBadBody say why bytes are not a valid record. They
// never leave the package: callers see counts of corrupt or torn records.
var (
	errBadHeader = errors.New("bad record header")
	errBadBody   = errors.New("bad record body")
)

// recordHeader is the fixed part of a record.
type recordHeader struct {
	flags   byte
	bodyLen uint32
	seq     uint64
	time    int64 // append time, Unix ns
	bodyCRC uint32
}

func (h recordHeader) size() int64 { return recordHeaderSize + int64(h.bodyLen) }

// appendRecord appends one framed record to dst.
func appendRecord(dst []byte, seq uint64, t int64, flags byte, tenant string, data []byte) []byte {
	start := len(dst)
	dst = append(dst, make([]byte, recordHeaderSize)...)
	bodyStart := len(dst)
	dst = binary.AppendUvarint(dst, uint64(len(tenant)))
	dst = append(dst, tenant...)
	dst = append(dst, data...)
	h := dst[start:bodyStart]
	h[4] = flags
	binary.LittleEndian.PutUint32(h[5:], uint32(len(dst)-bodyStart))
	binary.LittleEndian.PutUint64(h[9:], seq)
	binary.LittleEndian.PutUint64(h[17:], uint64(t))
	binary.LittleEndian.PutUint32(h[25:], crc(dst[bodyStart:]))
	binary.LittleEndian.PutUint32(h[0:], crc(h[4:recordHeaderSize]))
	return dst
}

// recordSize is the framed size of a record.
func recordSize(tenant string, data []byte) int {
	return recordHeaderSize + uvarintLen(uint64(len(tenant))) + len(tenant) + len(data)
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// parseRecordHeader checks and decodes a record header; b holds at least
// recordHeaderSize bytes.
func parseRecordHeader(b []byte) (recordHeader, error) {
	if binary.LittleEndian.Uint32(b[0:]) != crc(b[4:recordHeaderSize]) {
		return recordHeader{}, errBadHeader
	}
	h := recordHeader{
		flags:   b[4],
		bodyLen: binary.LittleEndian.Uint32(b[5:]),
		seq:     binary.LittleEndian.Uint64(b[9:]),
		time:    int64(binary.LittleEndian.Uint64(b[17:])),
		bodyCRC: binary.LittleEndian.Uint32(b[25:]),
	}
	if h.flags&^knownFlags != 0 || h.bodyLen > maxBodySize || h.bodyLen == 0 || h.seq == 0 {
		return recordHeader{}, errBadHeader
	}
	return h, nil
}

// parseRecordBody checks a record body against its header and splits it
// into tenant and data, both aliasing body.
func parseRecordBody(h recordHeader, body []byte) (tenant, data []byte, err error) {
	if crc(body) != h.bodyCRC {
		return nil, nil, errBadBody
	}
	n, k := binary.Uvarint(body)
	if k <= 0 || k != uvarintLen(n) || n > uint64(len(body)-k) {
		return nil, nil, errBadBody
	}
	return body[k : k+int(n)], body[k+int(n):], nil
}

// segmentHeader is the first segmentHeaderSize bytes of a segment file.
type segmentHeader struct {
	version byte
	first   uint64
	created int64 // Unix ns
}

func appendSegmentHeader(dst []byte, first uint64, created int64) []byte {
	start := len(dst)
	dst = append(dst, segmentMagic...)
	dst = append(dst, formatVersion, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, first)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(created))
	return binary.LittleEndian.AppendUint32(dst, crc(dst[start:]))
}

// errSegmentVersion is returned for a well-formed header of a version this
// code does not understand: that is not corruption and must stop Open.
var errSegmentVersion = errors.New("unsupported segment format version")

func parseSegmentHeader(b []byte) (segmentHeader, error) {
	if len(b) < segmentHeaderSize {
		return segmentHeader{}, fmt.Errorf("segment header: %d of %d bytes", len(b), segmentHeaderSize)
	}
	if string(b[:4]) != segmentMagic {
		return segmentHeader{}, errors.New("segment header: bad magic")
	}
	if binary.LittleEndian.Uint32(b[24:]) != crc(b[:24]) {
		return segmentHeader{}, errors.New("segment header: checksum mismatch")
	}
	h := segmentHeader{
		version: b[4],
		first:   binary.LittleEndian.Uint64(b[8:]),
		created: int64(binary.LittleEndian.Uint64(b[16:])),
	}
	if h.version != formatVersion {
		return h, fmt.Errorf("%w %d (this build reads %d)", errSegmentVersion, h.version, formatVersion)
	}
	return h, nil
}

// ledgerState is what the ledger remembers: every record up to and
// including acked was delivered; the record after it starts at hintOff in
// segment hintSeg (a hint only: it is checked before use).
type ledgerState struct {
	gen     uint64
	acked   uint64
	hintSeg uint64
	hintOff int64
}

func appendLedgerSlot(dst []byte, s ledgerState) []byte {
	start := len(dst)
	dst = append(dst, ledgerMagic...)
	dst = append(dst, formatVersion, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint64(dst, s.gen)
	dst = binary.LittleEndian.AppendUint64(dst, s.acked)
	dst = binary.LittleEndian.AppendUint64(dst, s.hintSeg)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(s.hintOff))
	dst = append(dst, make([]byte, 20)...)
	return binary.LittleEndian.AppendUint32(dst, crc(dst[start:]))
}

var errLedgerVersion = errors.New("unsupported ledger format version")

func parseLedgerSlot(b []byte) (ledgerState, error) {
	if len(b) < ledgerSlotSize || string(b[:4]) != ledgerMagic {
		return ledgerState{}, errors.New("ledger slot: bad magic")
	}
	if binary.LittleEndian.Uint32(b[60:]) != crc(b[:60]) {
		return ledgerState{}, errors.New("ledger slot: checksum mismatch")
	}
	if b[4] != formatVersion {
		return ledgerState{}, fmt.Errorf("%w %d (this build reads %d)", errLedgerVersion, b[4], formatVersion)
	}
	return ledgerState{
		gen:     binary.LittleEndian.Uint64(b[8:]),
		acked:   binary.LittleEndian.Uint64(b[16:]),
		hintSeg: binary.LittleEndian.Uint64(b[24:]),
		hintOff: int64(binary.LittleEndian.Uint64(b[32:])),
	}, nil
}
