package patterns

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzMiner: any message mines without a panic into a pattern whose
// template has the message's token count, whose id is its template's
// hash, and that the message matches afterwards.
func FuzzMiner(f *testing.F) {
	for _, s := range []string{"", "a", "user=1 a b", "x\ty  z", strings.Repeat("w ", 200), "<*> <*>", "é=1 ü:2"} {
		f.Add(s, "second line")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		m := NewMiner(MinerOptions{MaxPatterns: 2})
		for _, msg := range []string{a, b, a, b + " " + a, a + " " + b, b} {
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
			if m.Len() > 2 || m.lruLen() != m.Len() || len(m.templates) != m.Len() {
				t.Fatal("over the limit")
			}
		}
	})
}

// FuzzLoad: any pattern file either is refused with an error or loads
// into tables that mine and save without a panic.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"version":1,"tables":[{"tenant":"t","source":"s","events":3,"patterns":[{"template":"a <*> c","count":3,"path":["#3","a","<*>"],"rank":0}]}]}`))
	f.Add([]byte(`{"version":1,"tables":[{"tenant":"t","source":"s","patterns":[{"template":"x","path":["#1","x"]},{"template":"y","path":["#1","y"],"rank":1}]}]}`))
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		file := filepath.Join(dir, "p.json")
		if err := os.WriteFile(file, b, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := New(Options{File: file, Miner: MinerOptions{MaxPatterns: 2}})
		if err != nil {
			return
		}
		for _, tab := range s.Tables("") {
			tab.Observe("a b c", time.Unix(0, 0), "id")
			tab.Observe("x", time.Unix(0, 0), "id")
			if tab.Len() > 2 {
				t.Fatalf("%d patterns over the limit", tab.Len())
			}
		}
		if err := s.Save(); err != nil {
			t.Fatal(err)
		}
	})
}
