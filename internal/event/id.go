package event

import (
	"encoding/hex"

	"github.com/zeebo/xxh3"
)

// IDLen is the length of an event id in characters.
const IDLen = 32

// NewID returns the stable id of a record: the same tenant, source, position
// and bytes always give the same id, so a replayed record can be recognised
// and dropped downstream.
//
// position names where the record sits in its source when the source has
// such a notion (a file path and offset, a Kafka partition and offset, an
// EVTX file and record number); sources without one (syslog, HTTP) pass "",
// and then two byte-identical records of one source share an id.
//
// The id is the 128-bit XXH3 hash of the inputs, in lowercase hex: with 1e12
// events the chance of any collision is below 1e-14.
func NewID(tenant, source, position string, record []byte) string {
	var buf [IDLen]byte
	return string(AppendID(buf[:0], tenant, source, position, record))
}

// AppendID appends the id NewID returns to dst.
func AppendID(dst []byte, tenant, source, position string, record []byte) []byte {
	h := xxh3.New128()
	writeField(h, tenant)
	writeField(h, source)
	writeField(h, position)
	_, _ = h.Write(record)
	sum := h.Sum128().Bytes()
	n := len(dst)
	dst = append(dst, make([]byte, IDLen)...)
	hex.Encode(dst[n:], sum[:])
	return dst
}

// writeField writes s followed by its length, so ("ab","c") and ("a","bc")
// hash differently.
func writeField(h *xxh3.Hasher128, s string) {
	_, _ = h.WriteString(s)
	l := len(s)
	_, _ = h.Write([]byte{0, byte(l), byte(l >> 8), byte(l >> 16), byte(l >> 24)})
}
