package awslog

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/jsontext"
)

// A small JSON decoder into the values encoding/json produces with
// UseNumber (map[string]any, []any, string, json.Number, bool, nil), and
// into a record's top-level members with their text. Why not
// encoding/json: decoding CloudTrail records through reflection took most
// of the mapping's time and allocations; this one validates as RFC 8259
// does (FuzzDecodeJSON checks it against encoding/json) in one pass. The
// lexing and the nesting limit (jsontext.MaxDepth) are internal/jsontext's,
// shared with every JSON decoder of Vigil.

var errJSONDepth = jsontext.ErrDepth

type jsonParser struct {
	s []byte
	i int
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("json byte %d: "+format, append([]any{p.i}, args...)...)
}

func (p *jsonParser) ws() { p.i = jsontext.SkipSpace(p.s, p.i) }

// decodeJSON decodes one JSON value that fills b (white space around it
// allowed).
func decodeJSON(b []byte) (any, error) {
	p := &jsonParser{s: b}
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("data after the value")
	}
	return v, nil
}

// member is one top-level member of an object: its name, its JSON text
// and its value.
type member struct {
	key string
	raw []byte
	val any
}

// decodeMembers decodes a JSON object that fills b into its members, in
// order (a repeated name is kept each time; the caller decides).
func decodeMembers(b []byte) ([]member, error) {
	p := &jsonParser{s: b}
	p.ws()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		if p.i < len(p.s) && p.s[p.i] == 'n' {
			if _, err := p.value(0); err == nil {
				return nil, errors.New("null, want an object")
			}
		}
		return nil, p.errorf("want an object")
	}
	p.i++
	var ms []member
	p.ws()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
	} else {
		for {
			p.ws()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.errorf("want ':'")
			}
			p.i++
			p.ws()
			start := p.i
			v, err := p.value(1)
			if err != nil {
				return nil, err
			}
			ms = append(ms, member{key: k, raw: p.s[start:p.i], val: v})
			p.ws()
			if p.i >= len(p.s) {
				return nil, p.errorf("unexpected end")
			}
			if p.s[p.i] == '}' {
				p.i++
				break
			}
			if p.s[p.i] != ',' {
				return nil, p.errorf("want ',' or '}'")
			}
			p.i++
		}
	}
	p.ws()
	if p.i != len(p.s) {
		return nil, p.errorf("data after the object")
	}
	return ms, nil
}

// value decodes the value at p.i; depth is the number of containers
// around it (0 at the top).
func (p *jsonParser) value(depth int) (any, error) {
	p.ws()
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	if c := p.s[p.i]; (c == '{' || c == '[') && depth >= jsontext.MaxDepth {
		return nil, fmt.Errorf("json byte %d: %w", p.i, errJSONDepth)
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		m := map[string]any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == '}' {
			p.i++
			return m, nil
		}
		for {
			p.ws()
			k, err := p.str()
			if err != nil {
				return nil, err
			}
			p.ws()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, p.errorf("want ':'")
			}
			p.i++
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			m[k] = v
			p.ws()
			if p.i >= len(p.s) {
				return nil, p.errorf("unexpected end")
			}
			if p.s[p.i] == '}' {
				p.i++
				return m, nil
			}
			if p.s[p.i] != ',' {
				return nil, p.errorf("want ',' or '}'")
			}
			p.i++
		}
	case c == '[':
		p.i++
		a := []any{}
		p.ws()
		if p.i < len(p.s) && p.s[p.i] == ']' {
			p.i++
			return a, nil
		}
		for {
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
			p.ws()
			if p.i >= len(p.s) {
				return nil, p.errorf("unexpected end")
			}
			if p.s[p.i] == ']' {
				p.i++
				return a, nil
			}
			if p.s[p.i] != ',' {
				return nil, p.errorf("want ',' or ']'")
			}
			p.i++
		}
	case c == '"':
		return p.str()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	}
	return nil, p.errorf("unexpected %q", p.s[p.i])
}

func (p *jsonParser) literal(word string) error {
	end, err := jsontext.Literal(p.s, p.i, word)
	if err != nil {
		return p.errorf("want %s", word)
	}
	p.i = end
	return nil
}

// number scans a number of RFC 8259's grammar.
func (p *jsonParser) number() (any, error) {
	start := p.i
	end, ok := jsontext.ScanNumber(p.s, p.i)
	p.i = end
	if !ok {
		return nil, p.errorf("bad number")
	}
	return json.Number(p.s[start:end]), nil
}

// str reads a string at p.i, unescaping it; invalid UTF-8 becomes U+FFFD,
// as encoding/json does.
func (p *jsonParser) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.errorf("want a string")
	}
	v, end, err := jsontext.String(p.s, p.i)
	if err != nil {
		if se, ok := errors.AsType[*jsontext.SyntaxError](err); ok {
			return "", fmt.Errorf("json byte %d: %s", se.Offset, se.Msg)
		}
		return "", err
	}
	p.i = end
	return v, nil
}
