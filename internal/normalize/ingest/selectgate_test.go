package ingest

import (
	"fmt"
	"strings"
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

// TestGateLiteralContained: a literal gate that contains another (the %
// of one pipeline, the %ACL-6- of the next) is ruled out when the shorter
// is absent, and otherwise looked for: a record is taken by the first
// pipeline whose literal it holds, as by trying each in order.
func TestGateLiteralContained(t *testing.T) {
	var ps []*Pipeline
	for i, lit := range []string{"%ACL-6-", "|", "%", "|src=", "%ACL-6-X"} {
		ps = append(ps, mustParse(t, fmt.Sprintf("name: p%d\nmatch: [{contains: '%s'}]\nsteps: [{set: {field: x, value: c}}]\n", i, lit)))
	}
	set, err := NewSet(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]int{
		"nothing here":        -1,
		"100% done":           2,
		"%ACL-6-X: deny":      0,
		"a|b":                 1,
		"x |src=1":            1,
		"%ACL-6 and %ACL-6-?": 0,
		"%ACL-5-X|":           1,
	} {
		e := &event.Event{Original: in}
		e.Set("message", event.String(in))
		if got := set.Select(e); got != want {
			t.Errorf("%q: selected %d, want %d", in, got, want)
		}
		naive := -1
		for i, p := range set.Pipelines() {
			if p.Matches(e) {
				naive = i
				break
			}
		}
		if naive != want {
			t.Errorf("%q: trying each in order takes %d, want %d", in, naive, want)
		}
	}
}

// FuzzContainsPlan: the search that moves from byte to byte of the plan
// finds a literal exactly where strings.Contains does.
func FuzzContainsPlan(f *testing.F) {
	f.Add("unit_hostname=", "log_id=1 log_type=x log_component=y a_b c_d e_f unit_hostname=h")
	f.Add("ab", "aaaaaaaaaaaab")
	f.Add("_x_", "____________x_")
	f.Add("abc", "ab")
	f.Fuzz(func(t *testing.T, lit, text string) {
		if lit == "" {
			return
		}
		p := planFor(lit)
		if got, want := containsPlan(text, lit, &p), strings.Contains(text, lit); got != want {
			t.Fatalf("%q in %q: %v, want %v (plan %v)", lit, text, got, want, p)
		}
	})
}

func TestContainsPlan(t *testing.T) {
	text := "log_id=1 log_type=x log_component=y a_b c_d e_f"
	for _, c := range []struct {
		lit  string
		want bool
	}{{"unit_hostname=", false}, {"e_f", true}, {"log_", true}, {"c_d e", true}, {"_g", false}, {text, true}, {text + "x", false}} {
		p := planFor(c.lit)
		if got := containsPlan(text+"", c.lit, &p); got != c.want {
			t.Errorf("%q: %v, want %v", c.lit, got, c.want)
		}
	}
}

// TestSelectReadsFirstOfName: selection reads message and process.name
// from its pass over the keys; with a name repeated, it reads the first,
// the one Get returns.
func TestSelectReadsFirstOfName(t *testing.T) {
	p := mustParse(t, "name: m\nmatch:\n  - {regex: '^first', field: message}\n  - {app: sshd}\nsteps: [{set: {field: x, value: c}}]\n")
	set, err := NewSet(nil, []*Pipeline{p})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		field, a, b string
		want        int
	}{
		{"message", "first line", "second", 0},
		{"message", "second", "first line", -1},
		{"process.name", "sshd", "cron", 0},
		{"process.name", "cron", "sshd", -1},
	} {
		e := &event.Event{Original: "x"}
		e.Append(tc.field, event.String(tc.a))
		e.Append(tc.field, event.String(tc.b))
		if got := set.Select(e); got != tc.want {
			t.Errorf("%s %q then %q: selected %d, want %d", tc.field, tc.a, tc.b, got, tc.want)
		}
	}
}
