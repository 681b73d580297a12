package httpin

import (
	"errors"
	"fmt"
	"strconv"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
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
			out, err := jsontext.Unescape(raw)
			if err != nil {
				return "", s.errorf("%v", err)
			}
			return out, nil
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

// number reads a JSON number and returns its text.
func (s *scanner) number() ([]byte, error) {
	start := s.pos
	end, ok := jsontext.ScanNumber(s.data, s.pos)
	s.pos = end
	if !ok {
		return nil, s.errorf("bad number")
	}
	return s.data[start:end], nil
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
