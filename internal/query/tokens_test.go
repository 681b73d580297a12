package query

import (
	"reflect"
	"strings"
	"testing"
	"unicode"
)

func TestAppendTokens(t *testing.T) {
	f := func(in string, want ...string) {
		t.Helper()
		got := AppendTokens(nil, in)
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AppendTokens(%q) = %q, want %q", in, got, want)
		}
	}
	f(``)
	f(`  ,;:  `)
	f(`Failed password for root from 10.0.0.5 port 22`, "failed", "password", "for", "root", "from", "10", "0", "0", "5", "port", "22")
	f(`user_name=Admin`, "user_name", "admin")
	f(`C:\Windows\System32`, "c", "windows", "system32")
	f(`Пароль неверный`, "пароль", "неверный")
	f(`naïve café`, "naïve", "café")
	f(`Straße STRASSE`, "straße", "strasse")
	f("KELVIN \u212a k", "kelvin", "k", "k")
	f("bad\xffbyte", "bad\xffbyte")
	f(`a-b.c`, "a", "b", "c")
}

func TestAppendTokensKeepsLowerCaseText(t *testing.T) {
	s := "already lower case text"
	toks := AppendTokens(nil, s)
	if n := testing.AllocsPerRun(100, func() { toks = AppendTokens(toks[:0], s) }); n != 0 {
		t.Errorf("AppendTokens of lower-case text: %v allocations, want 0", n)
	}
}

// TestFoldAgreesWithCaseFolding checks the property the full-text contract
// needs: runes that match case-insensitively fold the same.
func TestFoldAgreesWithCaseFolding(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		want := Fold(string(r))
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if got := Fold(string(f)); got != want {
				t.Fatalf("Fold(%q) = %q but Fold(%q) = %q", f, got, r, want)
			}
		}
	}
	if got := Fold("ABC"); got != "abc" {
		t.Errorf("Fold(ABC) = %q", got)
	}
	if got := Fold(strings.Repeat("x", 3)); got != "xxx" {
		t.Errorf("Fold(xxx) = %q", got)
	}
}
