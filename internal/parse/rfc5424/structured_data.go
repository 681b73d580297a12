package rfc5424

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

// structuredData parses 1*SD-ELEMENT at s[i:], s[i] == '[':
//
//	SD-ELEMENT = "[" SD-ID *(SP SD-PARAM) "]"
//	SD-PARAM   = PARAM-NAME "=" %d34 PARAM-VALUE %d34
//
// and returns the index after the last element.
func (p *Parser) structuredData(s string, i int, w *fields.Writer) (int, error) {
	if s[i] != '[' {
		return 0, formaterr.At(format, "structured data", i, "want '[' or '-'")
	}
	for i < len(s) && s[i] == '[' {
		i++
		idStart := i
		i = sdName(s, i)
		if i == idStart {
			return 0, formaterr.At(format, "structured data", i, "want an SD-ID")
		}
		id := s[idStart:i]
		for i < len(s) && s[i] == ' ' {
			i++
			nameStart := i
			i = sdName(s, i)
			if i == nameStart {
				return 0, formaterr.At(format, "structured data", i, "want a PARAM-NAME")
			}
			name := s[nameStart:i]
			if i+1 >= len(s) || s[i] != '=' || s[i+1] != '"' {
				return 0, formaterr.At(format, "structured data", i, "want =\" after the PARAM-NAME")
			}
			i += 2
			valStart := i
			escaped := false
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' && i+1 < len(s) {
					escaped = true
					i++
				}
				i++
			}
			if i >= len(s) {
				return 0, formaterr.At(format, "structured data", valStart, "PARAM-VALUE has no closing quote")
			}
			val := s[valStart:i]
			if escaped {
				val = unescape(val)
			}
			i++
			w.Collect(p.names.get(id, name), event.String(val))
		}
		if i >= len(s) || s[i] != ']' {
			return 0, formaterr.At(format, "structured data", i, "want ']' or a space and a PARAM-NAME")
		}
		i++
	}
	return i, nil
}

// sdName reads an SD-NAME: PRINTUSASCII except '=', SP, ']' and '"'.
func sdName(s string, i int) int {
	for i < len(s) {
		c := s[i]
		if c <= 32 || c >= 127 || c == '=' || c == ']' || c == '"' {
			break
		}
		i++
	}
	return i
}

// unescape resolves the PARAM-VALUE escapes \" \\ \]; a backslash before
// any other byte is kept, as RFC 5424 §6.3.3 requires.
func unescape(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '\\' && i+1 < len(v) {
			switch n := v[i+1]; n {
			case '"', '\\', ']':
				b.WriteByte(n)
				i++
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// sdNamesMax bounds the field names remembered: senders use a handful of
// SD-IDs; a hostile sender must not grow memory without limit.
const sdNamesMax = 1024

// sdNames caches the field names "log.syslog.structured_data.<id>.<name>"
// so that a steady stream of the same parameters allocates none.
type sdNames struct {
	m map[string]map[string]string
	n int
}

func (c *sdNames) get(id, name string) string {
	if byName, ok := c.m[id]; ok {
		if f, ok := byName[name]; ok {
			return f
		}
	}
	f := SDPrefix + id + "." + name
	if c.n >= sdNamesMax {
		return f
	}
	if c.m == nil {
		c.m = map[string]map[string]string{}
	}
	byName := c.m[id]
	if byName == nil {
		byName = map[string]string{}
		// Keys are cloned: the cache outlives the record they came from.
		c.m[strings.Clone(id)] = byName
	}
	byName[strings.Clone(name)] = f
	c.n++
	return f
}
