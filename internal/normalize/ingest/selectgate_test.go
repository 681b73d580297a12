package ingest

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestGateLiteralIsRarest: a selector's literal gate is the literal its
// records hold that is cheapest to look for (the rarest byte), not the
// longest: the % of a Cisco message id rather than its ": ", a contains
// rather than a regex's longer but commoner literal.
func TestGateLiteralIsRarest(t *testing.T) {
	for _, c := range []struct {
		spec matchSpec
		want string
	}{
		{matchSpec{Regex: `%[A-Z][A-Z0-9_]*-\d-[A-Z0-9_]+: `}, "%"},
		{matchSpec{Contains: "query", Regex: `client [0-9a-f.:]+#\d+ \([^)]*\): query`}, "): query"},
		{matchSpec{Contains: "msg_id=\"", Regex: `msg_id="[0-9A-F]{4}"`}, "msg_id=\""},
		// A common single byte is no gate: the longer literal is.
		{matchSpec{Regex: `a\d+ bc`}, " bc"},
		{matchSpec{Contains: ","}, ""},
	} {
		s, err := compileSelector(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if s.gate.kind == gateLiteral {
			got = s.gate.literal
		}
		if got != c.want {
			t.Errorf("%+v: gate %q, want %q", c.spec, got, c.want)
		}
	}
}

// TestGateLiteralSelection: a record without the gate's literal is not
// taken, one with it is, whichever literal the gate is.
func TestGateLiteralSelection(t *testing.T) {
	p := mustParse(t, "name: c\nmatch:\n  - regex: '%[A-Z]+-\\d-[A-Z]+: '\nsteps: [{set: {field: x, value: c}}]\n")
	set, err := NewSet(nil, []*Pipeline{p})
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]int{
		"%SYS-5-CONFIG: configured": 0,
		"SYS-5-CONFIG: configured":  -1,
		"100% done: yes":            -1,
	} {
		e := &event.Event{Original: in}
		e.Set("message", event.String(in))
		if got := set.Select(e); got != want {
			t.Errorf("%q: selected %d, want %d", in, got, want)
		}
	}
}
