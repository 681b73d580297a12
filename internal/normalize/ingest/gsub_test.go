package ingest

import (
	"regexp"
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

// TestGsubLiteral checks that a literal pattern (replaced without the
// regexp machine) gives what the regexp gives: every non-overlapping
// occurrence, leftmost first; and that a pattern with a regexp operator or
// a replacement naming a group still takes the regexp path.
func TestGsubLiteral(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - gsub: {field: a, pattern: '</Data><Data Name="', replacement: "\t", target_field: a2}
  - gsub: {field: b, pattern: 'aa', replacement: 'b', target_field: b2}
  - gsub: {field: c, pattern: 'a+', replacement: 'b', target_field: c2}
  - gsub: {field: d, pattern: '(x)', replacement: '[$1]', target_field: d2}
  - gsub: {field: e, pattern: '\.', replacement: '-', target_field: e2}
`)
	e := &event.Event{}
	e.Set("a", event.String(`K1">v1</Data><Data Name="K2">v2</Data><Data Name="K3">`))
	e.Set("b", event.String(`aaaaa`))
	e.Set("c", event.String(`caaat`))
	e.Set("d", event.String(`axbx`))
	e.Set("e", event.String(`aa.bb.cc`))
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	want(t, e, "a2", "K1\">v1\tK2\">v2\tK3\">", "b2", "bba", "c2", "cbt", "d2", "a[x]b[x]", "e2", "aa-bb-cc")
	lit := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - gsub: {field: b, pattern: 'aa', replacement: 'b', target_field: b2}
`)
	re := regexp.MustCompile(`aa`)
	for _, in := range []string{"", "a", "aaa", "baab", "aabaa"} {
		e := &event.Event{}
		e.Set("b", event.String(in))
		if _, err := lit.Run(e); err != nil {
			t.Fatal(err)
		}
		if got, w := e.GetString("b2"), re.ReplaceAllString(in, "b"); got != w {
			t.Errorf("%q: literal gsub gave %q, the regexp %q", in, got, w)
		}
	}
}
