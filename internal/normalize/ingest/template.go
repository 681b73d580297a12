package ingest

import (
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// template is a string with {{field}} (or Mustache's {{{field}}})
// references, compiled into literal and field parts.
type template struct {
	parts []tpart
}

type tpart struct {
	lit   string
	field string // empty for a literal
}

func parseTemplate(s string) (template, error) {
	var t template
	for {
		i := strings.Index(s, "{{")
		if i < 0 {
			if s != "" {
				t.parts = append(t.parts, tpart{lit: s})
			}
			return t, nil
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{lit: s[:i]})
		}
		s = s[i+2:]
		triple := strings.HasPrefix(s, "{")
		if triple {
			s = s[1:]
		}
		j := strings.Index(s, "}}")
		if j < 0 {
			return t, fmt.Errorf("unclosed {{ in template")
		}
		name := strings.TrimSpace(s[:j])
		if name == "" {
			return t, fmt.Errorf("empty {{}} in template")
		}
		t.parts = append(t.parts, tpart{field: name})
		s = s[j+2:]
		if triple {
			s = strings.TrimPrefix(s, "}")
		}
	}
}

func (t template) constant() bool {
	for _, p := range t.parts {
		if p.field != "" {
			return false
		}
	}
	return true
}

func (t template) render(e *event.Event) string {
	if len(t.parts) == 1 {
		p := t.parts[0]
		if p.field == "" {
			return p.lit
		}
		s, _ := text(e, p.field)
		return s
	}
	// The parts are looked up into a stack array first, so the result is
	// built with one allocation.
	var buf [8]string
	vals := buf[:0]
	n := 0
	for _, p := range t.parts {
		s := p.lit
		if p.field != "" {
			s, _ = text(e, p.field)
		}
		vals = append(vals, s)
		n += len(s)
	}
	var b strings.Builder
	b.Grow(n)
	for _, s := range vals {
		b.WriteString(s)
	}
	return b.String()
}
