package store

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Cell is one named value of a result row. Value is one of nil, string,
// int64, float64, bool, time.Time or []string.
type Cell struct {
	Name  string
	Value any
}

// Row is one result row: an event's fields or a table row, in order.
type Row []Cell

// Get returns the value of the named cell.
func (r Row) Get(name string) (any, bool) {
	for _, c := range r {
		if c.Name == name {
			return c.Value, true
		}
	}
	return nil, false
}

// Text returns the named cell rendered as text ("" when absent).
func (r Row) Text(name string) string {
	v, ok := r.Get(name)
	if !ok || v == nil {
		return ""
	}
	return CellText(v)
}

// CellText renders a cell value as text, as the CLI's table and CSV show it.
func CellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []string:
		var b bytes.Buffer
		for i, s := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(s)
		}
		return b.String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// MarshalJSON writes the row as one flat JSON object in column order.
func (r Row) MarshalJSON() ([]byte, error) {
	return r.AppendJSON(nil), nil
}

// AppendJSON appends the row as a flat JSON object.
func (r Row) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for i, c := range r {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = event.AppendJSONString(dst, c.Name)
		dst = append(dst, ':')
		dst = appendCellJSON(dst, c.Value)
	}
	return append(dst, '}')
}

func appendCellJSON(dst []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return event.AppendJSONString(dst, x)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return event.AppendJSONString(dst, strconv.FormatFloat(x, 'g', -1, 64))
		}
		return strconv.AppendFloat(dst, x, 'g', -1, 64)
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		dst = append(dst, '"')
		dst = x.UTC().AppendFormat(dst, time.RFC3339Nano)
		return append(dst, '"')
	case []string:
		dst = append(dst, '[')
		for i, s := range x {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = event.AppendJSONString(dst, s)
		}
		return append(dst, ']')
	}
	b, err := json.Marshal(v)
	if err != nil {
		return event.AppendJSONString(dst, CellText(v))
	}
	return append(dst, b...)
}

// UnmarshalJSON reads a flat JSON object, keeping the key order.
func (r *Row) UnmarshalJSON(b []byte) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	t, err := d.Token()
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return &json.UnmarshalTypeError{Value: "non-object", Type: nil}
	}
	var row Row
	for d.More() {
		kt, err := d.Token()
		if err != nil {
			return err
		}
		key, _ := kt.(string)
		var raw any
		if err := d.Decode(&raw); err != nil {
			return err
		}
		row = append(row, Cell{Name: key, Value: fromJSON(raw)})
	}
	*r = row
	return nil
}

func fromJSON(x any) any {
	switch v := x.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		out := make([]string, 0, len(v))
		for _, it := range v {
			out = append(out, CellText(fromJSON(it)))
		}
		return out
	case map[string]any:
		b, _ := json.Marshal(v)
		return string(b)
	}
	return x
}
