package shard

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

// errRecord is wrapped by the decoding errors of damaged records.
var errRecord = errors.New("bad correlation shard record")

// appendKey writes a hit record's key: tenant, correlation key and the
// encoded group, each length-prefixed. Every hit of one group has the
// same key, hence the same partition.
func appendKey(dst []byte, tenant, corr string, group []byte) []byte {
	dst = appendBytes(dst, []byte(tenant))
	dst = appendBytes(dst, []byte(corr))
	return appendBytes(dst, group)
}

// appendHit writes a hit record's value: the version, the correlation it
// is for, then the hit.
func appendHit(dst []byte, corr string, h *correlate.Hit) []byte {
	dst = append(dst, RecordVersion)
	dst = appendString(dst, corr)
	dst = appendString(dst, h.Rule)
	dst = appendString(dst, h.Tenant)
	dst = binary.AppendVarint(dst, h.Time)
	dst = appendString(dst, h.ID)
	dst = binary.AppendUvarint(dst, uint64(len(h.Fields)))
	for _, f := range h.Fields {
		dst = appendString(dst, f.Name)
		dst = appendString(dst, f.Value)
	}
	return dst
}

// decodeHit reads a hit record's value into h (reusing h.Fields).
func decodeHit(b []byte, h *correlate.Hit) (corr string, err error) {
	if len(b) > MaxHitRecord {
		return "", fmt.Errorf("%w: hit record of %d bytes", errRecord, len(b))
	}
	d := decoder{b: b}
	if v := d.byte(); v != RecordVersion {
		if d.err != nil {
			return "", d.err
		}
		return "", fmt.Errorf("%w: hit record version %d, want %d", errRecord, v, RecordVersion)
	}
	corr = d.str()
	h.Rule, h.Tenant, h.Time, h.ID = d.str(), d.str(), d.varint(), d.str()
	n := d.count()
	h.Fields = h.Fields[:0]
	for i := 0; i < n && d.err == nil; i++ {
		h.Fields = append(h.Fields, correlate.Field{Name: d.str(), Value: d.str()})
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the hit", len(d.b))
	}
	return corr, d.err
}

// state is a state record: the engine state of one hit-topic partition
// and the first offset of that partition it does not include.
type state struct {
	next   int64
	engine []byte
}

func appendState(dst []byte, s state) []byte {
	dst = append(dst, RecordVersion)
	dst = binary.AppendVarint(dst, s.next)
	return append(dst, s.engine...)
}

func decodeState(b []byte) (state, error) {
	d := decoder{b: b}
	if v := d.byte(); v != RecordVersion {
		if d.err != nil {
			return state{}, d.err
		}
		return state{}, fmt.Errorf("%w: state record version %d, want %d", errRecord, v, RecordVersion)
	}
	s := state{next: d.varint()}
	if d.err == nil && s.next < 0 {
		d.fail("negative offset %d", s.next)
	}
	s.engine = d.b
	return s, d.err
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b, s []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// decoder reads what the append functions wrote; the first error sticks.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errRecord, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) byte() byte {
	if d.err != nil || len(d.b) == 0 {
		d.fail("truncated")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("bad varint")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a length that must fit in what is left.
func (d *decoder) count() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail("count %d past the end", n)
		return 0
	}
	return int(n)
}

func (d *decoder) str() string {
	n := d.count()
	if d.err != nil {
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// kerrOf turns a Kafka error code into an error (nil for 0).
func kerrOf(code int16) error {
	return kerr.ErrorForCode(code)
}
