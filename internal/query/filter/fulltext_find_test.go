package filter

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
)

// findASCIIByBytes is the byte-at-a-time search findASCII must agree with.
func findASCIIByBytes(ft *fullText, text string) bool {
	v := ft.lit
	for i := 0; i+len(v) <= len(text); i++ {
		j := 0
		for j < len(v) && lower(text[i+j]) == v[j] {
			j++
		}
		if j < len(v) {
			continue
		}
		if ft.needStart && i > 0 && query.IsTokenByte(text[i-1]) {
			continue
		}
		if end := i + len(v); ft.needEnd && end < len(text) && query.IsTokenByte(text[end]) {
			continue
		}
		return true
	}
	return false
}

var findSeeds = [][2]string{
	{"login", "User LOGIN from 10.0.0.1"}, {"login", "relogin Login"}, {"login", "logi"},
	{"log in", "failed to Log In"}, {"authenticat", "Authentication failed"}, {"-x", "a -X b"},
	{"a", "A"}, {"a", ""}, {"ab", "aAaAb"}, {"10.0", "ip 10.0.0.1"}, {"x", "xX"},
}

func TestFindASCII(t *testing.T) {
	for _, c := range findSeeds {
		for _, ft := range fullTexts(c[0]) {
			if got, want := ft.findASCII(c[1]), findASCIIByBytes(ft, c[1]); got != want {
				t.Errorf("%q in %q (start %v end %v): %v, want %v", c[0], c[1], ft.needStart, ft.needEnd, got, want)
			}
		}
	}
}

func fullTexts(lit string) []*fullText {
	var out []*fullText
	for _, st := range []bool{false, true} {
		for _, en := range []bool{false, true} {
			out = append(out, &fullText{lit: lit, needStart: st, needEnd: en})
		}
	}
	return out
}

// FuzzFindASCII: the byte search finds what the byte-at-a-time one does.
func FuzzFindASCII(f *testing.F) {
	for _, c := range findSeeds {
		f.Add(c[0], c[1])
	}
	f.Fuzz(func(t *testing.T, lit, text string) {
		if lit == "" || !isASCII(lit) {
			return
		}
		lit = toLowerASCII(lit)
		for _, ft := range fullTexts(lit) {
			if got, want := ft.findASCII(text), findASCIIByBytes(ft, text); got != want {
				t.Fatalf("%q in %q (start %v end %v): %v, want %v", lit, text, ft.needStart, ft.needEnd, got, want)
			}
		}
	})
}

func toLowerASCII(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = lower(b[i])
	}
	return string(b)
}
