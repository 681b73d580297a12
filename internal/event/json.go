package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendJSON appends e as one flat JSON object keyed by ECS field name
// ({"@timestamp":"…","event.id":"…","source.ip":"10.0.0.1",…}): the form
// `vigil search --format ndjson`, the API and the outputs emit. Times are RFC
// 3339 strings with nanoseconds, ints and floats are numbers (non-finite
// floats are strings), lists are arrays of strings.
func (e *Event) AppendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	first := true
	e.Range(func(name string, v Value) bool {
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = AppendJSONString(dst, name)
		dst = append(dst, ':')
		dst = v.AppendJSON(dst)
		return true
	})
	return append(dst, '}')
}

// MarshalJSON implements json.Marshaler with AppendJSON.
func (e *Event) MarshalJSON() ([]byte, error) { return e.AppendJSON(nil), nil }

// AppendJSON appends v as a JSON value.
func (v Value) AppendJSON(dst []byte) []byte {
	switch v.kind {
	case KindString, KindIP:
		return AppendJSONString(dst, v.s)
	case KindInt:
		return strconv.AppendInt(dst, int64(v.n), 10)
	case KindFloat:
		f := math.Float64frombits(v.n)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return AppendJSONString(dst, strconv.FormatFloat(f, 'g', -1, 64))
		}
		return strconv.AppendFloat(dst, f, 'g', -1, 64)
	case KindBool:
		return strconv.AppendBool(dst, v.n != 0)
	case KindTime:
		dst = append(dst, '"')
		dst = v.Time().AppendFormat(dst, time.RFC3339Nano)
		return append(dst, '"')
	case KindList:
		dst = append(dst, '[')
		for i, s := range v.l {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSONString(dst, s)
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

const hexDigits = "0123456789abcdef"

// jsonSafe marks the ASCII bytes a JSON string holds as they are: all but
// control characters, '"' and '\\'. (Unlike encoding/json, '<', '>' and '&'
// are not escaped: Vigil's JSON is not embedded in HTML, and syslog records
// start with '<'.)
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendJSONString appends s as a quoted JSON string. Invalid UTF-8 is
// replaced by U+FFFD, as encoding/json does.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := skipJSONSafe(s, 0); i < len(s); i = skipJSONSafe(s, i) {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// skipJSONSafe returns the index of the first byte of s at or after i that
// is not jsonSafe (a control character, '"', '\\' or a byte of a multi-byte
// UTF-8 sequence), or len(s).
//
// Bytes are tested 8 at a time as one word w: (x - ones) &^ x has a high
// bit set where a byte of x is zero (for x - n*ones: below n), for bytes
// below 0x80, which the bytes tested are once w's own high bits are clear;
// no borrow reaches the lowest bad byte, so it is the first byte that needs
// care. The last word of a string of 8 bytes or more is the one ending at
// its end, overlapping bytes before i, so that a tail costs one word, not a
// loop over its bytes.
func skipJSONSafe(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	bad := func(w uint64) uint64 {
		q, b := w^(ones*'"'), w^(ones*'\\')
		return (w | (w-ones*0x20)&^w | (q-ones)&^q | (b-ones)&^b) & highs
	}
	for ; i+8 <= len(s); i += 8 {
		if m := bad(load64(s, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	if i == len(s) {
		return i
	}
	if len(s) >= 8 {
		j := len(s) - 8
		// Its bytes before i were tested (one may be a byte that needed
		// care, escaped already), and a borrow from one can flag a safe
		// byte after it: only a word with no flag from i on is taken
		// whole (a borrow never clears a flag); otherwise the bytes are
		// looked at one by one.
		if bad(load64(s, j))&(^uint64(0)<<(8*(i-j))) == 0 {
			return len(s)
		}
	}
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	return i
}

// load64 returns s[i:i+8] as a little-endian word (one load once compiled).
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

// UnmarshalJSON reads the flat form AppendJSON writes. Nested objects are
// flattened with dotted names; strings that name envelope times are parsed;
// numbers become ints when they are integral, floats otherwise.
func (e *Event) UnmarshalJSON(b []byte) error {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return fmt.Errorf("decode event json: %w", err)
	}
	e.Reset()
	return e.setFlat("", m)
}

func (e *Event) setFlat(prefix string, m map[string]any) error {
	for k, x := range m {
		name := k
		if prefix != "" {
			name = prefix + "." + k
		}
		if sub, ok := x.(map[string]any); ok {
			if err := e.setFlat(name, sub); err != nil {
				return err
			}
			continue
		}
		v := FromAny(x)
		if (name == FieldTimestamp || name == FieldIngested) && v.kind != KindTime {
			t, ok := asTime(v)
			if !ok {
				return fmt.Errorf("field %s: %q: %w", name, v.Text(), ErrBadTime)
			}
			v = Time(t)
		}
		e.Set(name, v)
	}
	return nil
}

// FromAny converts a decoded JSON value (string, json.Number, float64, bool,
// []any, nil) into a Value. Objects are rendered as JSON text; callers that
// want them flattened do it before.
func FromAny(x any) Value {
	switch t := x.(type) {
	case nil:
		return Value{}
	case string:
		return String(t)
	case bool:
		return Bool(t)
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return Int(i)
		}
		f, _ := t.Float64()
		return Float(f)
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return Int(int64(t))
		}
		return Float(t)
	case int:
		return Int(int64(t))
	case int64:
		return Int(t)
	case time.Time:
		return Time(t)
	case []any:
		items := make([]string, 0, len(t))
		for _, it := range t {
			switch s := it.(type) {
			case string:
				items = append(items, s)
			case nil:
			default:
				if _, ok := s.(map[string]any); ok {
					b, _ := json.Marshal(s)
					items = append(items, string(b))
					continue
				}
				items = append(items, FromAny(s).Text())
			}
		}
		return List(items)
	default:
		b, _ := json.Marshal(t)
		return String(string(b))
	}
}
