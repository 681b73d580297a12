package forward

import (
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// Template renders a text from an event's fields: Kafka topics and keys,
// for instance. The syntax:
//
//	literal text, and {{name}} or {{name|fallback}} anywhere in it
//	name      a field name (host.name, event.code, winlog.channel…), or the
//	          shorthands tenant (vigil.tenant) and source (vigil.source)
//	fallback  literal text used when the event lacks the field or it is empty
//
// A value renders as its text (event.Value.Text). "{{" cannot be escaped;
// templates name topics and keys, which never need it.
type Template struct {
	parts []tplPart
	text  string
}

type tplPart struct {
	lit      string
	field    string // "" for a literal
	fallback string
}

// ParseTemplate parses a template.
func ParseTemplate(s string) (*Template, error) {
	t := &Template{text: s}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "{{")
		if i < 0 {
			t.parts = append(t.parts, tplPart{lit: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tplPart{lit: rest[:i]})
		}
		j := strings.Index(rest[i:], "}}")
		if j < 0 {
			return nil, fmt.Errorf("parse template %q: unclosed {{ at byte %d", s, len(s)-len(rest)+i)
		}
		expr := rest[i+2 : i+j]
		name, fallback, _ := strings.Cut(expr, "|")
		name = strings.TrimSpace(name)
		switch name {
		case "":
			return nil, fmt.Errorf("parse template %q: empty field name at byte %d", s, len(s)-len(rest)+i)
		case "tenant":
			name = event.FieldTenant
		case "source":
			name = event.FieldSource
		}
		t.parts = append(t.parts, tplPart{field: name, fallback: fallback})
		rest = rest[i+j+2:]
	}
	return t, nil
}

// MustParseTemplate is ParseTemplate for templates known to be valid.
func MustParseTemplate(s string) *Template {
	t, err := ParseTemplate(s)
	if err != nil {
		panic(err)
	}
	return t
}

// String returns the template's text.
func (t *Template) String() string { return t.text }

// Static reports whether the template has no fields (it renders the same
// for every event).
func (t *Template) Static() bool {
	for _, p := range t.parts {
		if p.field != "" {
			return false
		}
	}
	return true
}

// Append appends the template rendered for e to dst.
func (t *Template) Append(dst []byte, e *event.Event) []byte {
	for _, p := range t.parts {
		if p.field == "" {
			dst = append(dst, p.lit...)
			continue
		}
		n := len(dst)
		if v, ok := e.Get(p.field); ok {
			dst = v.AppendText(dst)
		}
		if len(dst) == n {
			dst = append(dst, p.fallback...)
		}
	}
	return dst
}

// Render returns the template rendered for e.
func (t *Template) Render(e *event.Event) string { return string(t.Append(nil, e)) }
