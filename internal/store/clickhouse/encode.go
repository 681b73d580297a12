package clickhouse

import (
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// appendRow appends an event as one JSONEachRow line of a dataset table
// (schema.go, docs/format/clickhouse.md).
func appendRow(b []byte, e *event.Event) []byte {
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
		b = event.AppendJSONString(b, m.Text())
	} else {
		b = append(b, "null"...)
	}
	for _, p := range promoted {
		b = append(b, `,"`+p.column+`":`...)
		v, ok := e.Get(p.field)
		if !ok || v.IsNull() || v.Kind() == event.KindList {
			b = append(b, "null"...)
			continue
		}
		b = appendText(b, v)
	}
	var keys, vals, lkeys, lvals []byte
	for _, f := range e.Fields {
		if f.Value.IsNull() || reserved(f.Name) {
			continue
		}
		if f.Value.Kind() == event.KindList {
			lkeys = appendSep(lkeys)
			lkeys = event.AppendJSONString(lkeys, f.Name)
			lvals = appendSep(lvals)
			lvals = f.Value.AppendJSON(lvals)
			continue
		}
		if _, ok := promotedColumn[f.Name]; ok {
			continue
		}
		keys = appendSep(keys)
		keys = event.AppendJSONString(keys, f.Name)
		vals = appendSep(vals)
		vals = appendText(vals, f.Value)
	}
	b = append(b, `,"v_attrs.key":[`...)
	b = append(b, keys...)
	b = append(b, `],"v_attrs.value":[`...)
	b = append(b, vals...)
	b = append(b, `],"v_lists.key":[`...)
	b = append(b, lkeys...)
	b = append(b, `],"v_lists.value":[`...)
	b = append(b, lvals...)
	b = append(b, `],"v_raw":`...)
	b = event.AppendJSONString(b, string(e.AppendJSON(nil)))
	return append(b, "}\n"...)
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
	if v.Kind() == event.KindTime {
		b = append(b, '"')
		b = strconv.AppendInt(b, v.Time().UnixMicro(), 10)
		return append(b, '"')
	}
	return event.AppendJSONString(b, v.Text())
}
