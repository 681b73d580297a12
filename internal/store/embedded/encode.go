package embedded

import (
	"strconv"
	"time"
	"unsafe"

	"github.com/vigilsiem/vigil/internal/event"
)

// batchInfo describes the lines of one encoded batch.
type batchInfo struct {
	rows     int
	min, max time.Time
}

func (b *batchInfo) add(t time.Time) {
	if b.rows == 0 || t.Before(b.min) {
		b.min = t
	}
	if b.rows == 0 || t.After(b.max) {
		b.max = t
	}
	b.rows++
}

func (b *batchInfo) merge(o batchInfo) {
	if o.rows == 0 {
		return
	}
	if b.rows == 0 || o.min.Before(b.min) {
		b.min = o.min
	}
	if b.rows == 0 || o.max.After(b.max) {
		b.max = o.max
	}
	b.rows += o.rows
}

// encoder turns events into segment lines. It is used by one goroutine.
type encoder struct {
	cat      *catalog
	overflow []byte
	// seq is the hot segment open when the batch was encoded.
	seq uint64
	// gen is the generation of the newest catalog snapshot the batch was
	// encoded with (catalogSnapshot.gen).
	gen uint64
	// cols remembers the entries of cols.snap (a snapshot of the catalog)
	// for the field names the encoder met last, so that most fields cost
	// no lookup in the snapshot's map (a string hash and a probe, a
	// quarter of the encoder's time). Slots are picked by the address of
	// the name's bytes: the names the parsers and normalisers write are
	// mostly constants, the same address every event. A slot answers only
	// for a name equal to its own, so any name is right, just slower.
	cols columnCache
}

// columnCache is the encoder's cache of catalog entries by field name.
type columnCache struct {
	snap   *catalogSnapshot
	slots  [columnCacheSlots]columnCacheSlot
	tenant string
	tc     *tenantColumns
}

// columnCacheSlots is a power of two. The bench mix writes about 120
// distinct names; more slots would only hold more stale ones.
const columnCacheSlots = 512

type columnCacheSlot struct {
	name string
	col  *column
}

// reset empties the cache when the catalog has a new snapshot.
func (c *columnCache) reset(snap *catalogSnapshot) {
	if c.snap != snap {
		c.snap = snap
		c.slots = [columnCacheSlots]columnCacheSlot{}
		c.tenant, c.tc = "", nil
	}
}

// slot returns the slot for name.
func (c *columnCache) slot(name string) *columnCacheSlot {
	h := uint64(uintptr(unsafe.Pointer(unsafe.StringData(name)))) * 0x9E3779B97F4A7C15
	return &c.slots[h>>(64-9)]
}

// column returns snap's entry for field, as snap.byField does.
func (c *columnCache) column(field string) (*column, bool) {
	sl := c.slot(field)
	if sl.col != nil && sl.name == field {
		return sl.col, true
	}
	col, ok := c.snap.byField[field]
	if ok {
		sl.name, sl.col = field, col
	}
	return col, ok
}

// tenantColumns returns snap.tenants[tenant].
func (c *columnCache) tenantColumns(tenant string) *tenantColumns {
	if c.tc == nil || c.tenant != tenant {
		c.tenant, c.tc = tenant, c.snap.tenants[tenant]
	}
	return c.tc
}

// timeLayout is how times are written into segments: RFC 3339 with
// microseconds (DuckDB TIMESTAMP precision), always UTC. appendTime writes
// it without time.Format's layout interpretation.
const timeLayout = "2006-01-02T15:04:05.000000Z07:00"

// appendTime appends t in timeLayout.
func appendTime(dst []byte, t time.Time) []byte {
	t = t.UTC()
	y, mo, d := t.Date()
	h, mi, sec := t.Clock()
	if y < 0 || y > 9999 {
		return t.AppendFormat(dst, timeLayout)
	}
	us := t.Nanosecond() / 1000
	var b [27]byte
	b[0], b[1], b[2], b[3] = byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10)
	b[4] = '-'
	b[5], b[6] = byte('0'+mo/10), byte('0'+mo%10)
	b[7] = '-'
	b[8], b[9] = byte('0'+d/10), byte('0'+d%10)
	b[10] = 'T'
	b[11], b[12] = byte('0'+h/10), byte('0'+h%10)
	b[13] = ':'
	b[14], b[15] = byte('0'+mi/10), byte('0'+mi%10)
	b[16] = ':'
	b[17], b[18] = byte('0'+sec/10), byte('0'+sec%10)
	b[19] = '.'
	for i := 25; i >= 20; i-- {
		b[i] = byte('0' + us%10)
		us /= 10
	}
	b[26] = 'Z'
	return append(dst, b[:]...)
}

// appendEvent appends one event as a JSON line.
func (enc *encoder) appendEvent(dst []byte, e *event.Event, info *batchInfo) ([]byte, error) {
	snap := enc.cat.load()
	enc.gen = max(enc.gen, snap.gen)
	enc.cols.reset(snap)
	ts := e.Timestamp
	if ts.IsZero() {
		ts = e.Ingested
	}
	info.add(ts)
	dst = append(dst, `{"@timestamp":"`...)
	dst = appendTime(dst, ts)
	if !e.Ingested.IsZero() {
		dst = append(dst, `","event.ingested":"`...)
		dst = appendTime(dst, e.Ingested)
	}
	dst = append(dst, `","event.id":`...)
	dst = event.AppendJSONString(dst, e.ID)
	dst = append(dst, `,"vigil.tenant":`...)
	dst = event.AppendJSONString(dst, e.Tenant)
	dst = append(dst, `,"vigil.source":`...)
	dst = event.AppendJSONString(dst, e.Source)
	if e.Original != "" {
		dst = append(dst, `,"event.original":`...)
		dst = event.AppendJSONString(dst, e.Original)
	}
	enc.overflow = enc.overflow[:0]
	tc := enc.cols.tenantColumns(e.Tenant)
	for i := range e.Fields {
		f := &e.Fields[i]
		v := &f.Value
		if v.Kind() == event.KindNull {
			continue
		}
		if f.Name == event.FieldMessage {
			dst = append(dst, `,"message":`...)
			dst = event.AppendJSONString(dst, v.Text())
			continue
		}
		col, ok := enc.cols.column(f.Name)
		if !ok || !col.Kinds.has(v.Kind()) || !snap.visible(col, tc) {
			var err error
			if col, err = enc.cat.ensure(f.Name, v.Kind(), e.Tenant); err != nil {
				return dst, err
			}
			snap = enc.cat.load()
			enc.gen = max(enc.gen, snap.gen)
			enc.cols.reset(snap)
			tc = enc.cols.tenantColumns(e.Tenant)
			if col == nil {
				enc.overflow = appendMember(enc.overflow, f.Name, *v)
				continue
			}
		}
		col.markSeen(enc.seq)
		if col.member == nil {
			dst = appendMember(dst, col.Column, *v)
			continue
		}
		dst = appendValue(append(dst, col.member...), *v)
	}
	if len(enc.overflow) > 0 {
		dst = append(dst, `,"vigil.overflow":{`...)
		dst = append(dst, enc.overflow[1:]...)
		dst = append(dst, '}')
	}
	return append(dst, '}', '\n'), nil
}

// memberPrefix returns `,"name":`, what appendMember writes before a value.
func memberPrefix(name string) []byte {
	b := event.AppendJSONString([]byte{','}, name)
	return append(b, ':')
}

// appendMember appends `,"name":value`.
func appendMember(dst []byte, name string, v event.Value) []byte {
	dst = append(dst, ',')
	dst = event.AppendJSONString(dst, name)
	dst = append(dst, ':')
	return appendValue(dst, v)
}

// appendValue appends v as the value of a member.
func appendValue(dst []byte, v event.Value) []byte {
	if v.Kind() == event.KindTime {
		dst = append(dst, '"')
		dst = appendTime(dst, v.Time())
		return append(dst, '"')
	}
	if v.Kind() == event.KindInt {
		return strconv.AppendInt(dst, v.Int(), 10)
	}
	return v.AppendJSON(dst)
}
