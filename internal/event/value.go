package event

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Kind is the type of a Value.
type Kind uint8

// The kinds of values. The zero Value is KindNull.
const (
	KindNull Kind = iota
	KindString
	KindInt
	KindFloat
	KindBool
	KindTime
	KindIP
	KindList
)

var kindNames = [...]string{"null", "string", "int", "float", "bool", "time", "ip", "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Value is a typed field value. It is small (no pointers besides the string
// and list headers) so events hold values inline.
//
// Strings and IPs keep their text in s; ints, floats, bools and times keep
// their bits in n (times as Unix nanoseconds, UTC); lists keep their items in l.
type Value struct {
	s    string
	l    []string
	n    uint64
	kind Kind
}

// String returns a string value.
func String(s string) Value { return Value{kind: KindString, s: s} }

// Int returns an integer value.
func Int(i int64) Value { return Value{kind: KindInt, n: uint64(i)} }

// Float returns a floating point value.
func Float(f float64) Value { return Value{kind: KindFloat, n: math.Float64bits(f)} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	v := Value{kind: KindBool}
	if b {
		v.n = 1
	}
	return v
}

// Time returns a time value; it is kept with nanosecond precision in UTC.
func Time(t time.Time) Value { return Value{kind: KindTime, n: uint64(t.UnixNano())} }

// IP returns an IP address value. The address is kept in its canonical text
// form (IPv4-mapped IPv6 addresses are unmapped).
func IP(a netip.Addr) Value { return Value{kind: KindIP, s: a.Unmap().String()} }

// IPText is IP(a) for a caller that holds the address's text already:
// text must be what a.Unmap().String() returns (for an IPv4 address
// netip.ParseAddr took, the text it parsed), so no string is formatted.
func IPText(a netip.Addr, text string) Value { return Value{kind: KindIP, s: text} }

// List returns a list of strings.
func List(items []string) Value { return Value{kind: KindList, l: items} }

// Kind reports the value's kind.
func (v Value) Kind() Kind { return v.kind }

// IsNull reports whether v is the null value.
func (v Value) IsNull() bool { return v.kind == KindNull }

// Str returns the text of a string or IP value, and "" for other kinds.
// Use Text for a rendering of any kind.
func (v Value) Str() string { return v.s }

// Int returns the integer of an int value, a truncated float, 0/1 for a bool
// and Unix nanoseconds for a time.
func (v Value) Int() int64 {
	if v.kind == KindFloat {
		return int64(math.Float64frombits(v.n))
	}
	return int64(v.n)
}

// Float returns the value of a numeric value as float64.
func (v Value) Float() float64 {
	if v.kind == KindFloat {
		return math.Float64frombits(v.n)
	}
	return float64(int64(v.n))
}

// Bool returns the value of a bool value.
func (v Value) Bool() bool { return v.n != 0 }

// Time returns the value of a time value in UTC.
func (v Value) Time() time.Time { return time.Unix(0, int64(v.n)).UTC() }

// Addr returns the address of an IP value (or a string that holds one).
func (v Value) Addr() (netip.Addr, bool) {
	if v.kind != KindIP && v.kind != KindString {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(v.s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// List returns the items of a list value.
func (v Value) List() []string { return v.l }

// Text renders any value as text: the form search, Sigma matching and the
// store's text columns use. Times render as RFC 3339 with nanoseconds, lists
// as their items joined with ", ".
func (v Value) Text() string {
	if v.kind == KindString || v.kind == KindIP {
		return v.s // what AppendText would copy: no allocation
	}
	return string(v.AppendText(nil))
}

// AppendText appends the Text form of v to dst.
func (v Value) AppendText(dst []byte) []byte {
	switch v.kind {
	case KindString, KindIP:
		return append(dst, v.s...)
	case KindInt:
		return strconv.AppendInt(dst, int64(v.n), 10)
	case KindFloat:
		return strconv.AppendFloat(dst, math.Float64frombits(v.n), 'g', -1, 64)
	case KindBool:
		return strconv.AppendBool(dst, v.n != 0)
	case KindTime:
		return v.Time().AppendFormat(dst, time.RFC3339Nano)
	case KindList:
		for i, s := range v.l {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			dst = append(dst, s...)
		}
		return dst
	}
	return dst
}

// Equal reports whether two values have the same kind and content.
func (v Value) Equal(w Value) bool {
	if v.kind != w.kind || v.s != w.s || v.n != w.n || len(v.l) != len(w.l) {
		return false
	}
	for i := range v.l {
		if v.l[i] != w.l[i] {
			return false
		}
	}
	return true
}

// Infer returns the most specific value for a piece of text: an int, a
// float, a bool or an IP when the whole text is one, else a string. Parsers
// of untyped formats (key=value, CSV) use it; only text that round-trips
// unchanged through Text is typed ("007" and "1.10" stay strings).
func Infer(s string) Value {
	if s == "" {
		return String(s)
	}
	c := s[0]
	switch {
	case c == '-' || (c >= '0' && c <= '9'):
		// Each parse runs only on text it could take back unchanged, so
		// that ordinary text costs no error value and no formatted copy:
		// this is on every key=value pair of the ingest path.
		if canonicalInt(s) {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return Int(i)
			}
		}
		if canonicalFloatText(s) {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				var buf [32]byte
				if string(strconv.AppendFloat(buf[:0], f, 'f', -1, 64)) == s {
					return Float(f)
				}
			}
		}
		if v, ok := inferIP(s); ok {
			return v
		}
	case c == 't' || c == 'f':
		switch s {
		case "true":
			return Bool(true)
		case "false":
			return Bool(false)
		}
	}
	if strings.IndexByte(s, ':') >= 0 {
		if v, ok := inferIP(s); ok {
			return v
		}
	}
	return String(s)
}

// canonicalInt reports whether s is an integer as strconv.FormatInt writes
// one: an optional minus, then digits with no leading zero ("0" alone, not
// "-0"), at most 19 of them (ParseInt still rejects those past the range).
func canonicalInt(s string) bool {
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 || (d[0] == '0' && len(s) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	return true
}

// canonicalFloatText reports whether s has the only shape that
// strconv.FormatFloat(f, 'f', -1, 64) writes with a fraction: an optional
// minus, digits, one dot not first, digits.
func canonicalFloatText(s string) bool {
	d := s
	if d[0] == '-' {
		d = d[1:]
	}
	dot := strings.IndexByte(d, '.')
	if dot <= 0 || dot == len(d)-1 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if (d[i] < '0' || d[i] > '9') && i != dot {
			return false
		}
	}
	return true
}

// inferIP returns the IP value of s when s is an address written as
// netip.Addr.String writes it, without formatting a copy: the value keeps s.
func inferIP(s string) (Value, bool) {
	// Before a zone, an IPv4 address has only digits and dots, an IPv6
	// one hex digits, dots and at least two colons (six without "::");
	// anything else would only make ParseAddr build an error.
	colons, hex := 0, false
	for i := 0; i < len(s) && s[i] != '%'; i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9' || c == '.':
		case c == ':':
			colons++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			hex = true
		default:
			return Value{}, false
		}
	}
	if (hex && colons == 0) || (colons > 0 && colons < 6 && !strings.Contains(s, "::")) {
		return Value{}, false
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return Value{}, false
	}
	var buf [64]byte
	if string(a.AppendTo(buf[:0])) != s {
		return Value{}, false
	}
	if a.Is4In6() {
		// IP stores the unmapped IPv4 text, not s.
		return IP(a), true
	}
	return IPText(a, s), true
}
