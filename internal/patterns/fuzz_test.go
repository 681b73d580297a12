package patterns

import (
	"strings"
	"testing"
)

// FuzzMiner: any message mines without a panic into a pattern whose
// template has the message's token count, whose id is its template's
// hash, and that the message matches afterwards.
func FuzzMiner(f *testing.F) {
	for _, s := range []string{"", "a", "user=1 a b", "x\ty  z", strings.Repeat("w ", 200), "<*> <*>", "é=1 ü:2"} {
		f.Add(s, "second line")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		m := NewMiner(MinerOptions{MaxPatterns: 3})
		for _, msg := range []string{a, b, a} {
			p, _ := m.Add(msg)
			if p.ID != IDOf(p.Template) {
				t.Fatalf("id %s of %q", p.ID, p.Template)
			}
			n := len(m.tok.split(msg))
			if got := len(strings.Split(p.Template, " ")); p.Template != "" && got != n || p.Template == "" && n != 0 {
				t.Fatalf("template %q has %d tokens, message %q %d", p.Template, got, msg, n)
			}
			if q := m.Match(msg); q != p {
				t.Fatalf("%q does not match its own pattern", msg)
			}
			if m.Len() > 3 {
				t.Fatal("over the limit")
			}
		}
	})
}
