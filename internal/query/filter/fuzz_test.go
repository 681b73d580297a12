package filter

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// FuzzFilter checks, for any query that parses, that evaluation does not
// panic, that NOT q is the negation of q, and that the printed form of the
// query (query.ExprString, parsed again) selects the same events.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{`failed`, `fail*`, `"failed password"`, `user.name:admin*`, `source.ip:10.0.0.0/8`,
		`destination.port:[1 TO 1024]`, `http.status>=400`, `NOT nothere:x`, `tags:auth OR city:köln`,
		`@timestamp>="2026-11-23T10:00:00Z"`, `destination.ip:[2001:db8:: TO 2001:db8::ffff]`, `p?rt`, `*`,
		`message:"for root"`, `user.name!=root`, `ssh.ok:0`, `event.duration:1.5`} {
		f.Add(s)
	}
	events := []*event.Event{testEvent(), {}}
	withText := &event.Event{Original: "\u212aelvin ſtraße K.O. x*y ?"}
	withText.Set("message", event.String("ÄÖÜ äöü ß 10.0.0.1 ::1 []{}"))
	events = append(events, withText)
	f.Fuzz(func(t *testing.T, q string) {
		plan, err := query.Parse(q)
		if err != nil || len(plan.Pipes) > 0 {
			return
		}
		p, err := Compile(plan.Filter)
		if err != nil {
			t.Fatalf("Compile(%q): %v", q, err)
		}
		neg, err := Compile(&query.Not{Arg: plan.Filter})
		if err != nil {
			t.Fatalf("Compile(NOT %q): %v", q, err)
		}
		var again Predicate
		if plan.Filter != nil {
			text := query.ExprString(plan.Filter)
			re, err := query.Parse(text)
			if err != nil {
				t.Fatalf("printed %q of %q does not parse: %v", text, q, err)
			}
			if again, err = Compile(re.Filter); err != nil {
				t.Fatal(err)
			}
		}
		for i, e := range events {
			got := p(e)
			if neg(e) == got {
				t.Errorf("event %d: %q and its negation both give %v", i, q, got)
			}
			if again != nil && again(e) != got {
				t.Errorf("event %d: %q gives %v, its printed form %v", i, q, got, again(e))
			}
		}
	})
}
