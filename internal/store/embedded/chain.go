package embedded

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/zeebo/blake3"
)

// The hot log's hash chain (docs/format/store.md, version 1).
//
// Every segment starts with a header line and every group commit ends with
// a trailer line; both are JSON objects whose only key starts with '#', so
// no event line (whose first key is always @timestamp) is taken for one and
// DuckDB, which reads the segments with a fixed column list, sees rows with
// no @timestamp and no tenant, which every read filters out:
//
//	{"#segment":{"v":1,"seq":7,"prev":"<64 hex>"}}
//	<event lines of batch 1>
//	{"#batch":{"rows":N,"received":<unix ns>,"end":<offset>,"blake3":"<hex>","chain":"<hex>"}}
//	<event lines of batch 2>
//	{"#batch":{…}}
//
// blake3 is the BLAKE3-256 of the batch's event lines exactly as stored
// (from the end of the previous header or trailer line to the start of this
// trailer, which is end). chain = BLAKE3-256(prev ‖ blake3 ‖ seq ‖ end ‖
// rows ‖ received), the integers as 8-byte big endian, prev the chain of the batch before (the
// header's prev for the first batch of a segment). A segment's header prev
// is the chain of the last batch of the segment before it, or, for the first
// segment after a freeze, the hot_chain that the freeze recorded in the
// manifest, or 32 zero bytes for the first segment of a dataset.
//
// BLAKE3 and not SHA-256 here because every stored byte is hashed on the
// write path and again when it is frozen: on the development machine
// BLAKE3 hashes ~1.7 GB/s per core against SHA-256's ~0.7 GB/s (with the
// CPU's SHA extensions). The manifest, hashed once per freeze, uses
// SHA-256, which any tool checks.

const (
	chainVersion  = 1
	segHeaderKey  = `{"#segment":`
	batchTrailKey = `{"#batch":`
)

// chainHash is one link of a chain, or a hash it links.
type chainHash [32]byte

// batchSum hashes a batch's bytes for its trailer.
func batchSum(b []byte) chainHash { return blake3.Sum256(b) }

func (h chainHash) String() string { return hex.EncodeToString(h[:]) }

func parseChainHash(s string) (chainHash, error) {
	var h chainHash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("parse chain hash %q: want %d hex digits", s, 2*len(h))
	}
	copy(h[:], b)
	return h, nil
}

// MarshalText and UnmarshalText make a chainHash a hex string in JSON.
func (h chainHash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

func (h *chainHash) UnmarshalText(b []byte) error {
	v, err := parseChainHash(string(b))
	*h = v
	return err
}

// nextChain links a batch to the chain.
func nextChain(prev chainHash, sum chainHash, seq uint64, end int64, rows int, received int64) chainHash {
	var buf [32 + 32 + 4*8]byte
	copy(buf[0:], prev[:])
	copy(buf[32:], sum[:])
	binary.BigEndian.PutUint64(buf[64:], seq)
	binary.BigEndian.PutUint64(buf[72:], uint64(end))
	binary.BigEndian.PutUint64(buf[80:], uint64(rows))
	binary.BigEndian.PutUint64(buf[88:], uint64(received))
	return blake3.Sum256(buf[:])
}

// appendSegHeader appends a segment's header line.
func appendSegHeader(dst []byte, seq uint64, prev chainHash) []byte {
	dst = append(dst, segHeaderKey...)
	dst = append(dst, `{"v":`...)
	dst = strconv.AppendInt(dst, chainVersion, 10)
	dst = append(dst, `,"seq":`...)
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, `,"prev":"`...)
	dst = hex.AppendEncode(dst, prev[:])
	return append(dst, "\"}}\n"...)
}

// appendTrailer appends a batch's trailer line.
func appendTrailer(dst []byte, t trailer) []byte {
	dst = append(dst, batchTrailKey...)
	dst = append(dst, `{"rows":`...)
	dst = strconv.AppendInt(dst, int64(t.Rows), 10)
	dst = append(dst, `,"received":`...)
	dst = strconv.AppendInt(dst, t.Received, 10)
	dst = append(dst, `,"end":`...)
	dst = strconv.AppendInt(dst, t.End, 10)
	dst = append(dst, `,"blake3":"`...)
	dst = hex.AppendEncode(dst, t.Sum[:])
	dst = append(dst, `","chain":"`...)
	dst = hex.AppendEncode(dst, t.Chain[:])
	return append(dst, "\"}}\n"...)
}

// segHeader is a parsed segment header line.
type segHeader struct {
	V    int       `json:"v"`
	Seq  uint64    `json:"seq"`
	Prev chainHash `json:"prev"`
}

// trailer is a parsed batch trailer line.
type trailer struct {
	Rows     int       `json:"rows"`
	Received int64     `json:"received"` // Unix ns, the store's clock
	End      int64     `json:"end"`
	Sum      chainHash `json:"blake3"`
	Chain    chainHash `json:"chain"`
}

func parseSegHeader(line []byte) (segHeader, error) {
	var w struct {
		H *segHeader `json:"#segment"`
	}
	if err := json.Unmarshal(line, &w); err != nil || w.H == nil {
		return segHeader{}, fmt.Errorf("parse segment header: %v", err)
	}
	if w.H.V != chainVersion {
		return segHeader{}, fmt.Errorf("segment header version %d: this vigil reads version %d", w.H.V, chainVersion)
	}
	return *w.H, nil
}

func parseTrailer(line []byte) (trailer, error) {
	var w struct {
		T *trailer `json:"#batch"`
	}
	if err := json.Unmarshal(line, &w); err != nil || w.T == nil {
		return trailer{}, fmt.Errorf("parse batch trailer: %v", err)
	}
	return *w.T, nil
}

func isSegHeader(line []byte) bool { return bytes.HasPrefix(line, []byte(segHeaderKey)) }
func isTrailer(line []byte) bool   { return bytes.HasPrefix(line, []byte(batchTrailKey)) }

// segScan is what reading a segment's chain finds.
type segScan struct {
	chained bool      // the segment has a header (version 1); false: written before the chain
	header  segHeader // when chained
	head    chainHash // chain of the last intact batch (header prev when none)
	sealed  int64     // offset after the last intact trailer (after the header when none)
	batches int
	rows    int
	// received is the range of the batches' receive times.
	receivedMin, receivedMax time.Time
	// problems are breaks of the chain, in order; empty when intact. A
	// tail after the last trailer is not a problem here: tail says how
	// long it is, and the caller decides (an unsealed write, or a cut).
	problems []finding
	tail     int64
}

func (sc *segScan) problem(kind, detail string) {
	sc.problems = append(sc.problems, finding{Kind: kind, Detail: detail})
}

// scanSegment checks a segment's chain. A segment without a header is
// reported as not chained and otherwise left alone.
func scanSegment(data []byte, seq uint64) segScan {
	var sc segScan
	nl := bytes.IndexByte(data, '\n')
	if nl < 0 || !isSegHeader(data[:nl]) {
		sc.tail = int64(len(data))
		return sc
	}
	sc.chained = true
	h, err := parseSegHeader(data[:nl])
	if err != nil {
		sc.problem("edited", fmt.Sprintf("header: %v", err))
		return sc
	}
	sc.header = h
	if !bytes.Equal(appendSegHeader(nil, h.Seq, h.Prev), data[:nl+1]) {
		sc.problem("edited", "its header is not as written (bytes changed)")
	}
	if h.Seq != seq {
		sc.problem("reordered", fmt.Sprintf("its header names segment %d (a segment renamed or reordered)", h.Seq))
	}
	sc.head = h.Prev
	start := nl + 1
	sc.sealed = int64(start)
	lines := 0
	for off := start; off < len(data); {
		end := bytes.IndexByte(data[off:], '\n')
		if end < 0 {
			break // a partial last line: part of the tail
		}
		line := data[off : off+end]
		next := off + end + 1
		if isSegHeader(line) {
			sc.problem("edited", fmt.Sprintf("a second segment header at offset %d", off))
			return sc
		}
		if !isTrailer(line) {
			lines++
			off = next
			continue
		}
		t, err := parseTrailer(line)
		if err != nil {
			sc.problem("edited", fmt.Sprintf("batch trailer at offset %d: %v", off, err))
			return sc
		}
		batch := data[sc.sealed:off]
		sum := batchSum(batch)
		switch {
		case !bytes.Equal(appendTrailer(nil, t), data[off:next]):
			sc.problem("edited", fmt.Sprintf("batch %d: its trailer at offset %d is not as written (bytes changed)", sc.batches+1, off))
		case t.End != int64(off) && sum == t.Sum:
			sc.problem("reordered", fmt.Sprintf("batch %d at offsets %d-%d is intact but was written to end at offset %d (batches moved)", sc.batches+1, sc.sealed, off, t.End))
		case t.End != int64(off):
			sc.problem("edited", fmt.Sprintf("batch %d ending at offset %d: its trailer says it ends at %d (bytes added or removed)", sc.batches+1, off, t.End))
		case sum != t.Sum:
			sc.problem("edited", fmt.Sprintf("batch %d at offsets %d-%d: its hash differs from its trailer", sc.batches+1, sc.sealed, off))
		case t.Rows != lines:
			sc.problem("edited", fmt.Sprintf("batch %d at offsets %d-%d: %d lines, its trailer says %d", sc.batches+1, sc.sealed, off, lines, t.Rows))
		case nextChain(sc.head, sum, seq, t.End, t.Rows, t.Received) != t.Chain:
			sc.problem("reordered", fmt.Sprintf("batch %d at offsets %d-%d: does not follow the batch before it (batches removed or reordered, or a trailer edited)", sc.batches+1, sc.sealed, off))
		}
		if len(sc.problems) > 0 {
			return sc
		}
		sc.head = t.Chain
		sc.batches++
		sc.rows += lines
		rt := time.Unix(0, t.Received).UTC()
		if sc.receivedMin.IsZero() || rt.Before(sc.receivedMin) {
			sc.receivedMin = rt
		}
		if rt.After(sc.receivedMax) {
			sc.receivedMax = rt
		}
		lines = 0
		off = next
		sc.sealed = int64(off)
	}
	sc.tail = int64(len(data)) - sc.sealed
	return sc
}
