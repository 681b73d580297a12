// Package wire reads the varint-framed binary records of correlation: the
// engine's state files (package correlate) and the hit and state records of
// the correlation shards (package correlate/shard) share it, so both read
// numbers, counts and strings with the same bounds. Writing stays with each
// format (encoding/binary's Append functions).
package wire

import (
	"encoding/binary"
	"fmt"
)

// Decoder reads B from the front; the first error sticks in Err, and
// every later read returns zero values. Errors wrap Base, the format's
// sentinel.
type Decoder struct {
	B    []byte
	Err  error
	Base error
}

// Fail records a corruption error, unless one is recorded already.
func (d *Decoder) Fail(format string, args ...any) {
	if d.Err == nil {
		d.Err = fmt.Errorf("%w: %s", d.Base, fmt.Sprintf(format, args...))
	}
}

// Byte reads one byte.
func (d *Decoder) Byte() byte {
	if d.Err != nil {
		return 0
	}
	if len(d.B) == 0 {
		d.Fail("truncated")
		return 0
	}
	c := d.B[0]
	d.B = d.B[1:]
	return c
}

// Uvarint reads an unsigned varint.
func (d *Decoder) Uvarint() uint64 {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.B)
	if n <= 0 {
		d.Fail("bad number")
		return 0
	}
	d.B = d.B[n:]
	return v
}

// Varint reads a signed varint.
func (d *Decoder) Varint() int64 {
	if d.Err != nil {
		return 0
	}
	v, n := binary.Varint(d.B)
	if n <= 0 {
		d.Fail("bad number")
		return 0
	}
	d.B = d.B[n:]
	return v
}

// Count reads a count of items that take at least one byte each, so it
// can be no more than what is left: a corrupt count cannot make a caller
// allocate past the record.
func (d *Decoder) Count() int {
	n := d.Uvarint()
	if n > uint64(len(d.B)) {
		d.Fail("count %d beyond the data", n)
		return 0
	}
	return int(n)
}

// Str reads a length-prefixed string.
func (d *Decoder) Str() string {
	n := d.Count()
	if d.Err != nil {
		return ""
	}
	s := string(d.B[:n])
	d.B = d.B[n:]
	return s
}
