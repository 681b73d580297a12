package event

import (
	"encoding/binary"
	"encoding/hex"

	"github.com/zeebo/xxh3"
)

// IDLen is the length of an event id in characters.
const IDLen = 32

// NewID returns the stable id of a record: the same tenant, source,
// position, occurrence and bytes always give the same id, so a replayed
// record can be recognised and dropped downstream, while a record repeated
// for real gets an id of its own.
//
// position names where the record sits in its source when the source has
// such a notion (a file path and offset, a Kafka partition and offset, an
// EVTX file and record number); sources without one (syslog, HTTP) pass "".
//
// occurrence tells byte-identical records of one delivery apart: it is 0
// for the first such record and counts up for each identical one after it
// (see Occurrences, which counts them, and docs/outputs.md for what a
// delivery is per source). A replay of the same delivery counts the same
// way and so gets the same ids. Occurrence 0 hashes exactly as ids did
// before occurrences existed, so ids of stored data stay valid.
//
// The id is the 128-bit XXH3 hash of the inputs, in lowercase hex: with 1e12
// events the chance of any collision is below 1e-14.
func NewID(tenant, source, position string, occurrence int, record []byte) string {
	var buf [IDLen]byte
	return string(AppendID(buf[:0], tenant, source, position, occurrence, record))
}

// idInlineMax bounds the inputs AppendID hashes in one call from a buffer
// on the stack; longer ones are streamed through a Hasher128, which gives
// the same hash (XXH3's streaming form equals its one-shot form) for more
// CPU per byte on short inputs.
const idInlineMax = 512

// AppendID appends the id NewID returns to dst.
func AppendID(dst []byte, tenant, source, position string, occurrence int, record []byte) []byte {
	if n := len(tenant) + len(source) + len(position) + len(record) + 3*5 + 8; n <= idInlineMax {
		var buf [idInlineMax]byte
		b := appendIDField(buf[:0], 0, tenant)
		b = appendIDField(b, 0, source)
		if occurrence > 0 {
			b = append(b, position...)
			b = binary.LittleEndian.AppendUint64(b, uint64(occurrence))
			b = appendIDTrailer(b, 1, len(position))
		} else {
			b = appendIDField(b, 0, position)
		}
		b = append(b, record...)
		return appendIDHex(dst, xxh3.Hash128(b).Bytes())
	}
	h := xxh3.New128()
	writeField(h, tenant)
	writeField(h, source)
	if occurrence > 0 {
		// The occurrence follows the position, and the field's trailer
		// starts with 1 where a plain field's starts with 0, so no position
		// can pass for a position and an occurrence; occurrence 0 writes
		// the plain field and keeps the ids of before.
		var o [8]byte
		binary.LittleEndian.PutUint64(o[:], uint64(occurrence))
		_, _ = h.WriteString(position)
		_, _ = h.Write(o[:])
		writeTrailer(h, 1, len(position))
	} else {
		writeField(h, position)
	}
	_, _ = h.Write(record)
	return appendIDHex(dst, h.Sum128().Bytes())
}

func appendIDHex(dst []byte, sum [16]byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, IDLen)...)
	hex.Encode(dst[n:], sum[:])
	return dst
}

// appendIDField and appendIDTrailer are writeField and writeTrailer into a
// buffer.
func appendIDField(b []byte, kind byte, s string) []byte {
	return appendIDTrailer(append(b, s...), kind, len(s))
}

func appendIDTrailer(b []byte, kind byte, l int) []byte {
	return append(b, kind, byte(l), byte(l>>8), byte(l>>16), byte(l>>24))
}

// writeField writes s followed by its length, so ("ab","c") and ("a","bc")
// hash differently.
func writeField(h *xxh3.Hasher128, s string) {
	_, _ = h.WriteString(s)
	writeTrailer(h, 0, len(s))
}

// writeTrailer ends a field: a kind byte (0 plain, 1 with an occurrence)
// and the field's length.
func writeTrailer(h *xxh3.Hasher128, kind byte, l int) {
	_, _ = h.Write([]byte{kind, byte(l), byte(l >> 8), byte(l >> 16), byte(l >> 24)})
}
