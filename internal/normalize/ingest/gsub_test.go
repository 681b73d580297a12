package ingest

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestGsubNoMatch checks that a text with nothing to replace still reaches
// the target field unchanged, and that one with matches is replaced.
func TestGsubNoMatch(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - gsub: {field: a, pattern: '", +"', replacement: '","', target_field: a2}
  - gsub: {field: b, pattern: '", +"', replacement: '","', target_field: b2}
`)
	e := &event.Event{}
	e.Set("a", event.String(`"x","y"`))
	e.Set("b", event.String(`"x",  "y", "z"`))
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "a2", `"x","y"`, "b2", `"x","y","z"`)
}
