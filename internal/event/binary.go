package event

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// The binary form of an event, used by the durable queue and anything else
// that must store an event and read back exactly the same typed fields:
//
//	event   := version(1)=1 ts(varint ns) ingested(varint ns)
//	           str(id) str(tenant) str(source) str(original)
//	           uvarint(nfields) field*
//	field   := str(name) kind(1) payload
//	payload := str                       (string, ip)
//	         | varint                    (int, time ns)
//	         | uint64 little endian      (float bits)
//	         | byte                      (bool)
//	         | uvarint(n) str*n          (list)
//	str     := uvarint(len) bytes
//
// A zero time is written as the minimum int64 so it survives the round trip.
const binaryVersion = 1

// ErrCorrupt is returned when binary data is not a valid encoded event.
var ErrCorrupt = errors.New("corrupt encoded event")

const zeroTime = -1 << 63

func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return binary.AppendVarint(dst, zeroTime)
	}
	return binary.AppendVarint(dst, t.UnixNano())
}

func appendStr(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendBinary appends the binary form of e to dst.
func (e *Event) AppendBinary(dst []byte) ([]byte, error) {
	dst = append(dst, binaryVersion)
	dst = appendTime(dst, e.Timestamp)
	dst = appendTime(dst, e.Ingested)
	dst = appendStr(dst, e.ID)
	dst = appendStr(dst, e.Tenant)
	dst = appendStr(dst, e.Source)
	dst = appendStr(dst, e.Original)
	dst = binary.AppendUvarint(dst, uint64(len(e.Fields)))
	for _, f := range e.Fields {
		dst = appendStr(dst, f.Name)
		dst = append(dst, byte(f.Value.kind))
		v := f.Value
		switch v.kind {
		case KindString, KindIP:
			dst = appendStr(dst, v.s)
		case KindInt, KindTime:
			dst = binary.AppendVarint(dst, int64(v.n))
		case KindFloat:
			dst = binary.LittleEndian.AppendUint64(dst, v.n)
		case KindBool:
			dst = append(dst, byte(v.n))
		case KindList:
			dst = binary.AppendUvarint(dst, uint64(len(v.l)))
			for _, s := range v.l {
				dst = appendStr(dst, s)
			}
		case KindNull:
		default:
			return nil, fmt.Errorf("encode field %s: bug: unknown kind %d", f.Name, v.kind)
		}
	}
	return dst, nil
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = ErrCorrupt
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
		d.err = ErrCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) str() string {
	l := d.uvarint()
	if d.err != nil {
		return ""
	}
	if l > uint64(len(d.b)) {
		d.err = ErrCorrupt
		return ""
	}
	s := string(d.b[:l])
	d.b = d.b[l:]
	return s
}

func (d *decoder) byte1() byte {
	if d.err != nil {
		return 0
	}
	if len(d.b) == 0 {
		d.err = ErrCorrupt
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) time() time.Time {
	ns := d.varint()
	if ns == zeroTime {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// UnmarshalBinary replaces e with the event encoded in b by AppendBinary.
func (e *Event) UnmarshalBinary(b []byte) error {
	d := decoder{b: b}
	if v := d.byte1(); d.err == nil && v != binaryVersion {
		return fmt.Errorf("decode event: version %d: %w", v, ErrCorrupt)
	}
	fields := e.Fields[:0]
	*e = Event{
		Timestamp: d.time(),
		Ingested:  d.time(),
		ID:        d.str(),
		Tenant:    d.str(),
		Source:    d.str(),
		Original:  d.str(),
	}
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		return fmt.Errorf("decode event: %d fields in %d bytes: %w", n, len(d.b), ErrCorrupt)
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		name := d.str()
		kind := Kind(d.byte1())
		var v Value
		switch kind {
		case KindString:
			v = String(d.str())
		case KindIP:
			v = Value{kind: KindIP, s: d.str()}
		case KindInt:
			v = Int(d.varint())
		case KindTime:
			v = Value{kind: KindTime, n: uint64(d.varint())}
		case KindFloat:
			if len(d.b) < 8 {
				d.err = ErrCorrupt
				break
			}
			v = Value{kind: KindFloat, n: binary.LittleEndian.Uint64(d.b)}
			d.b = d.b[8:]
		case KindBool:
			v = Bool(d.byte1() != 0)
		case KindList:
			c := d.uvarint()
			if c > uint64(len(d.b)) {
				d.err = ErrCorrupt
				break
			}
			items := make([]string, 0, c)
			for j := uint64(0); j < c && d.err == nil; j++ {
				items = append(items, d.str())
			}
			v = List(items)
		case KindNull:
		default:
			d.err = ErrCorrupt
		}
		fields = append(fields, Field{Name: name, Value: v})
	}
	if d.err != nil {
		return fmt.Errorf("decode event: %w", d.err)
	}
	if len(d.b) != 0 {
		return fmt.Errorf("decode event: %d trailing bytes: %w", len(d.b), ErrCorrupt)
	}
	e.Fields = fields
	return nil
}
