package httpin

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
)

// A hand-written JSON walker: HEC and bulk bodies are the hot path of HTTP
// ingest, and walking them with encoding/json's Decoder.Token costs ~40 µs
// and ~140 allocations per event. The walker reads the body once, in
// place, allocating only the field names and values it sets; the lexing
// (strings, numbers, literals, skipping a value) and the nesting limit
// (jsontext.MaxDepth) are internal/jsontext's, shared with every JSON
// decoder of Vigil. It accepts exactly RFC 8259 JSON (FuzzDecodeHEC and
// FuzzDecodeBulk check it against encoding/json's verdict).

// errDepth is the error for nesting deeper than jsontext.MaxDepth.
var errDepth = jsontext.ErrDepth

type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("json offset %d: %s", s.pos, fmt.Sprintf(format, args...))
}

func (s *scanner) ws() { s.pos = jsontext.SkipSpace(s.data, s.pos) }

// fail turns a jsontext error into the scanner's, keeping ErrDepth.
func (s *scanner) fail(err error) error {
	if se, ok := errors.AsType[*jsontext.SyntaxError](err); ok {
		if se.Err != nil {
			return fmt.Errorf("json offset %d: %w", se.Offset, se.Err)
		}
		return fmt.Errorf("json offset %d: %s", se.Offset, se.Msg)
	}
	return err
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
	v, end, err := jsontext.String(s.data, s.pos-1)
	if err != nil {
		return "", s.fail(err)
	}
	s.pos = end
	return v, nil
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
	end, err := jsontext.Literal(s.data, s.pos, word)
	if err != nil {
		return s.errorf("bad literal")
	}
	s.pos = end
	return nil
}

// skip reads any value and returns its raw bytes; depth is the number of
// containers around it (0 for the body's top level).
func (s *scanner) skip(depth int) ([]byte, error) {
	s.ws()
	start := s.pos
	end, err := jsontext.Skip(s.data, s.pos, depth)
	if err != nil {
		return nil, s.fail(err)
	}
	s.pos = end
	return s.data[start:end], nil
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
	if err := jsontext.CheckDepth("object", s.pos, depth+1); err != nil {
		return s.fail(err)
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
