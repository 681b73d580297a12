package clickhouse

import (
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// rowEncoder writes events as JSONEachRow lines of a dataset table
// (schema.go, docs/format/clickhouse.md), reusing its scratch buffers.
type rowEncoder struct {
	keys, vals, lkeys, lvals, raw []byte
}

// appendRow appends an event as one line.
func appendRow(b []byte, e *event.Event) []byte {
	var w rowEncoder
	return w.append(b, e)
}

func (w *rowEncoder) append(b []byte, e *event.Event) []byte {
	b = append(b, `{"v_day":"`...)
	b = e.Timestamp.UTC().AppendFormat(b, time.DateOnly)
	b = append(b, `","v_tenant":`...)
	b = event.AppendJSONString(b, e.Tenant)
	b = append(b, `,"v_ts":`...)
	b = strconv.AppendInt(b, e.Timestamp.UnixMicro(), 10)
	b = append(b, `,"v_ingested":`...)
	b = strconv.AppendInt(b, e.Ingested.UnixMicro(), 10)
	b = append(b, `,"v_id":`...)
	b = event.AppendJSONString(b, e.ID)
	b = append(b, `,"v_source":`...)
	b = event.AppendJSONString(b, e.Source)
	b = append(b, `,"v_original":`...)
	b = event.AppendJSONString(b, e.Original)
	b = append(b, `,"v_message":`...)
	if m, ok := e.Get(event.FieldMessage); ok && !m.IsNull() {
		b = appendText(b, m)
	} else {
		b = append(b, "null"...)
	}
	for _, p := range promoted {
		b = append(b, `,"`...)
		b = append(b, p.column...)
		b = append(b, `":`...)
		v, ok := e.Get(p.field)
		if !ok || v.IsNull() || v.Kind() == event.KindList {
			b = append(b, "null"...)
			continue
		}
		b = appendText(b, v)
	}
	w.keys, w.vals, w.lkeys, w.lvals = w.keys[:0], w.vals[:0], w.lkeys[:0], w.lvals[:0]
	for _, f := range e.Fields {
		if f.Value.IsNull() || reserved(f.Name) {
			continue
		}
		if f.Value.Kind() == event.KindList {
			w.lkeys = event.AppendJSONString(appendSep(w.lkeys), f.Name)
			w.lvals = f.Value.AppendJSON(appendSep(w.lvals))
			continue
		}
		if _, ok := promotedColumn[f.Name]; ok {
			continue
		}
		w.keys = event.AppendJSONString(appendSep(w.keys), f.Name)
		w.vals = appendText(appendSep(w.vals), f.Value)
	}
	b = append(b, `,"v_attrs.key":[`...)
	b = append(b, w.keys...)
	b = append(b, `],"v_attrs.value":[`...)
	b = append(b, w.vals...)
	b = append(b, `],"v_lists.key":[`...)
	b = append(b, w.lkeys...)
	b = append(b, `],"v_lists.value":[`...)
	b = append(b, w.lvals...)
	b = append(b, `],"v_raw":`...)
	w.raw = e.AppendJSON(w.raw[:0])
	b = appendJSONText(b, w.raw)
	return append(b, "}\n"...)
}

// appendJSONText appends JSON text (valid UTF-8, no raw control bytes: what
// event.AppendJSON writes) as a JSON string.
func appendJSONText(b, text []byte) []byte {
	b = append(b, '"')
	start := 0
	for i, c := range text {
		var esc string
		switch {
		case c == '"':
			esc = `\"`
		case c == '\\':
			esc = `\\`
		case c < 0x20:
			esc = `\u00` + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
		default:
			continue
		}
		b = append(b, text[start:i]...)
		b = append(b, esc...)
		start = i + 1
	}
	b = append(b, text[start:]...)
	return append(b, '"')
}

func appendSep(b []byte) []byte {
	if len(b) > 0 {
		b = append(b, ',')
	}
	return b
}

// appendText appends a scalar value as the JSON string of its stored text:
// its text, but a time as Unix microseconds, which searches compare.
func appendText(b []byte, v event.Value) []byte {
	switch v.Kind() {
	case event.KindString, event.KindIP:
		return event.AppendJSONString(b, v.Str())
	case event.KindTime:
		b = append(b, '"')
		b = strconv.AppendInt(b, v.Time().UnixMicro(), 10)
		return append(b, '"')
	case event.KindInt, event.KindFloat, event.KindBool:
		// Digits, signs, '.', 'e', letters: nothing to escape.
		b = append(b, '"')
		b = v.AppendText(b)
		return append(b, '"')
	}
	return event.AppendJSONString(b, v.Text())
}
