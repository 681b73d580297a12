package ingest

import (
	"strings"
	"testing"
)

// quotedEndByBytes is the byte-at-a-time scan quotedEnd must agree with.
func quotedEndByBytes(s string, q byte) int {
	end := 1
	for end < len(s) && s[end] != q {
		if s[end] == '\\' {
			end++
		}
		end++
	}
	return end
}

var quotedSeeds = []string{`"a" b`, `"a\"b" c`, `"a\\" b"`, `"abc`, `"ab\`, `"ab\"`, `""`, `"`, `'it\'s' x`, `"a\\\"b"`}

// FuzzQuotedEnd: the quote-to-quote search closes a quoted kv value where
// the byte-by-byte scan does (or both find it unclosed).
func FuzzQuotedEnd(f *testing.F) {
	for _, s := range quotedSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if s == "" {
			return
		}
		q := s[0]
		got, want := quotedEnd(s, q), quotedEndByBytes(s, q)
		if got != want && !(got >= len(s) && want >= len(s)) {
			t.Fatalf("%q: %d, want %d", s, got, want)
		}
	})
}

func TestQuotedEndAndCutset(t *testing.T) {
	for _, s := range quotedSeeds {
		got, want := quotedEnd(s, s[0]), quotedEndByBytes(s, s[0])
		if got != want && !(got >= len(s) && want >= len(s)) {
			t.Errorf("%q: %d, want %d", s, got, want)
		}
	}
	for _, set := range []string{" ", "; ", ",;", "é ", "|"} {
		c := newCutset(set)
		for _, s := range []string{"; ; a=b", "  x", ",;,y", "é z", "||", "", "ab"} {
			if got, want := c.trimLeft(s), strings.TrimLeft(s, set); got != want {
				t.Errorf("trim %q of %q: %q, want %q", set, s, got, want)
			}
		}
	}
}
