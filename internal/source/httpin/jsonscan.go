package httpin

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// A hand-written JSON scanner: HEC and bulk bodies are the hot path of HTTP
// ingest, and walking them with encoding/json's Decoder.Token costs ~40 µs
// and ~140 allocations per event. The scanner reads the body once, in
// place, allocating only the field names and values it sets. It accepts
// exactly RFC 8259 JSON (FuzzDecodeHEC and FuzzDecodeBulk check it against
// encoding/json's verdict).

// maxDepth bounds nesting, as a guard against stack exhaustion.
const maxDepth = 1000

var errDepth = errors.New("json nested too deep")

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("json offset %d: %s", s.pos, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
			continue
		}
		return
	}
}

func (s *scanner) peek() byte {
	if s.pos < len(s.data) {
		return s.data[s.pos]
	}
	return 0
}

func (s *scanner) expect(c byte) error {
	s.ws()
	if s.peek() != c {
		if s.pos >= len(s.data) {
			return s.errorf("unexpected end, want %q", c)
		}
		return s.errorf("unexpected %q, want %q", s.data[s.pos], c)
	}
	s.pos++
	return nil
}

// str reads a string at '"' and returns it unescaped. Invalid UTF-8 is
// replaced by U+FFFD, as encoding/json does.
func (s *scanner) str() (string, error) {
	if err := s.expect('"'); err != nil {
		return "", err
	}
	start := s.pos
	simple := true
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			raw := s.data[start:s.pos]
			s.pos++
			if simple {
				return string(raw), nil
			}
			return unescape(raw)
		case c == '\\':
			simple = false
			s.pos += 2
		case c < 0x20:
			return "", s.errorf("control character in string")
		case c >= utf8.RuneSelf:
			simple = false
			s.pos++
		default:
			s.pos++
		}
	}
	return "", s.errorf("unterminated string")
}

// unescape decodes the body of a JSON string with escapes or non-ASCII.
func unescape(raw []byte) (string, error) {
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); {
		c := raw[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRune(raw[i:])
			out = utf8.AppendRune(out, r) // RuneError for invalid bytes
			i += size
			continue
		}
		if c != '\\' {
			out = append(out, c)
			i++
			continue
		}
		if i+1 >= len(raw) {
			return "", errors.New("json: bad escape")
		}
		switch raw[i+1] {
		case '"', '\\', '/':
			out = append(out, raw[i+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(raw[i+2:])
			if !ok {
				return "", errors.New("json: bad \\u escape")
			}
			i += 6
			if utf16.IsSurrogate(r) {
				if r2, ok := hex4(raw[min(i+2, len(raw)):]); ok && i+1 < len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default:
			return "", errors.New("json: bad escape")
		}
		i += 2
	}
	return string(out), nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// number reads a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	d := s.data
	p := s.pos
	if p < len(d) && d[p] == '-' {
		p++
	}
	digits := func() int {
		n := 0
		for p < len(d) && d[p] >= '0' && d[p] <= '9' {
			p++
			n++
		}
		return n
	}
	switch {
	case p < len(d) && d[p] == '0':
		p++
	case digits() == 0:
		s.pos = p
		return nil, s.errorf("bad number")
	}
	if p < len(d) && d[p] == '.' {
		p++
		if digits() == 0 {
			s.pos = p
			return nil, s.errorf("bad number")
		}
	}
	if p < len(d) && (d[p] == 'e' || d[p] == 'E') {
		p++
		if p < len(d) && (d[p] == '+' || d[p] == '-') {
			p++
		}
		if digits() == 0 {
			s.pos = p
			return nil, s.errorf("bad number")
		}
	}
	s.pos = p
	return d[start:p], nil
}

func numberValue(text []byte) event.Value {
	if i, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return event.Int(i)
	}
	f, _ := strconv.ParseFloat(string(text), 64)
	return event.Float(f)
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.pos < len(word) || string(s.data[s.pos:s.pos+len(word)]) != word {
		return s.errorf("bad literal")
	}
	s.pos += len(word)
	return nil
}

// skip reads any value and returns its raw bytes.
func (s *scanner) skip(depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errDepth
	}
	s.ws()
	start := s.pos
	switch c := s.peek(); {
	case c == '{' || c == '[':
		end := byte('}')
		if c == '[' {
			end = ']'
		}
		s.pos++
		s.ws()
		if s.peek() == end {
			s.pos++
			return s.data[start:s.pos], nil
		}
		for {
			if c == '{' {
				if _, err := s.str(); err != nil {
					return nil, err
				}
				if err := s.expect(':'); err != nil {
					return nil, err
				}
			}
			if _, err := s.skip(depth + 1); err != nil {
				return nil, err
			}
			s.ws()
			switch s.peek() {
			case ',':
				s.pos++
				s.ws()
				continue
			case end:
				s.pos++
				return s.data[start:s.pos], nil
			}
			return nil, s.errorf("want ',' or %q", end)
		}
	case c == '"':
		_, err := s.str()
		return s.data[start:s.pos], err
	case c == 't' || c == 'f' || c == 'n':
		word := "null"
		if c == 't' {
			word = "true"
		} else if c == 'f' {
			word = "false"
		}
		if err := s.literal(word); err != nil {
			return nil, err
		}
		return s.data[start:s.pos], nil
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	case s.pos >= len(s.data):
		return nil, s.errorf("unexpected end")
	}
	return nil, s.errorf("unexpected %q", s.data[s.pos])
}

// value reads a scalar or an array as an event value (null: the zero
// Value). Arrays become lists: strings as they are, numbers and booleans
// as text, objects and arrays as their JSON, nulls left out.
func (s *scanner) value(depth int) (event.Value, error) {
	s.ws()
	switch c := s.peek(); {
	case c == '"':
		str, err := s.str()
		return event.String(str), err
	case c == 't':
		return event.Bool(true), s.literal("true")
	case c == 'f':
		return event.Bool(false), s.literal("false")
	case c == 'n':
		return event.Value{}, s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		text, err := s.number()
		if err != nil {
			return event.Value{}, err
		}
		return numberValue(text), nil
	case c == '[':
		s.pos++
		items := []string{}
		s.ws()
		if s.peek() == ']' {
			s.pos++
			return event.List(items), nil
		}
		for {
			s.ws()
			switch s.peek() {
			case '{', '[':
				raw, err := s.skip(depth + 1)
				if err != nil {
					return event.Value{}, err
				}
				items = append(items, string(raw))
			default:
				v, err := s.value(depth + 1)
				if err != nil {
					return event.Value{}, err
				}
				if !v.IsNull() {
					items = append(items, v.Text())
				}
			}
			s.ws()
			switch s.peek() {
			case ',':
				s.pos++
				continue
			case ']':
				s.pos++
				return event.List(items), nil
			}
			return event.Value{}, s.errorf("want ',' or ']'")
		}
	}
	if s.pos >= len(s.data) {
		return event.Value{}, s.errorf("unexpected end")
	}
	return event.Value{}, s.errorf("unexpected %q", s.data[s.pos])
}

// flatten reads an object at '{' and sets its members on e, nested objects
// under dotted names built on prefix.
func (s *scanner) flatten(e *event.Event, prefix []byte, depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	if err := s.expect('{'); err != nil {
		return err
	}
	s.ws()
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.str()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		name := prefix
		if len(prefix) > 0 {
			name = append(name, '.')
		}
		name = append(name, key...)
		if len(name) == 0 {
			return s.errorf("empty field name")
		}
		s.ws()
		if s.peek() == '{' {
			if err := s.flatten(e, name, depth+1); err != nil {
				return err
			}
		} else {
			v, err := s.value(depth + 1)
			if err != nil {
				return err
			}
			if err := setField(e, string(name), v); err != nil {
				return err
			}
		}
		s.ws()
		switch s.peek() {
		case ',':
			s.pos++
			s.ws()
			continue
		case '}':
			s.pos++
			return nil
		}
		return s.errorf("want ',' or '}'")
	}
}
