package sigma

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestKeywordScanShared: keyword rules of several buckets that one event
// sees are each found by the one shared scan of the event's text, in
// rule order, whether the word is in the original, a string field, a list
// or a number; a bucket the event does not see gets nothing.
func TestKeywordScanShared(t *testing.T) {
	docs := ruleWith("    category: webserver\n", "  k:\n    - 'sqlmap'\n  condition: k") + "\n---\n" +
		strings.Replace(ruleWith("    category: proxy\n", "  k:\n    - 'SQLMAP/1'\n    - '8443'\n  condition: k"), "t-1", "t-2", 1) + "\n---\n" +
		strings.Replace(ruleWith("    product: linux\n    service: sshd\n", "  k:\n    - 'sqlmap'\n  condition: k"), "t-1", "t-3", 1) + "\n---\n" +
		strings.Replace(ruleWith("    category: webserver\n", "  k:\n    - 'nikto'\n  condition: k"), "t-1", "t-4", 1)
	rules, errs := Parse([]byte(docs))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	c := NewCompiler(Config{})
	var compiled []*Compiled
	for _, r := range rules {
		cr, err := c.Compile(r)
		if err != nil {
			t.Fatal(err)
		}
		compiled = append(compiled, cr)
	}
	rs := c.NewRuleSet(compiled)
	if rs.kw == nil {
		t.Fatal("no shared keyword index")
	}
	web := func(set func(e *event.Event)) *event.Event {
		e := &event.Event{}
		e.SetString("http.request.method", "GET")
		set(e)
		return e
	}
	m := rs.NewMatcher() // one matcher: a scan's hits must not outlive their event
	for _, tc := range []struct {
		name string
		e    *event.Event
		want []string
	}{
		{"original", web(func(e *event.Event) { e.Original = "GET / HTTP/1.1 SQLMap/1.7" }), []string{"t-1", "t-2"}},
		{"field", web(func(e *event.Event) { e.SetString("user_agent.original", "sqlmap/1.7") }), []string{"t-1", "t-2"}},
		{"list", web(func(e *event.Event) { e.Set("tags", event.List([]string{"x", "Nikto"})) }), []string{"t-4"}},
		{"number", web(func(e *event.Event) { e.Set("destination.port", event.Int(8443)) }), []string{"t-2"}},
		{"none", web(func(e *event.Event) { e.SetString("user_agent.original", "curl/8") }), nil},
	} {
		for round := 0; round < 2; round++ {
			var got []string
			for _, r := range m.Match(tc.e, nil) {
				got = append(got, r.ID)
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("%s, round %d: matched %v, want %v", tc.name, round, got, tc.want)
			}
		}
	}
}
