package ingest

import (
	"strings"
	"testing"
)

// sdElementEndByBytes is the byte-at-a-time reading of a structured-data
// element that sdElementEnd must agree with.
func sdElementEndByBytes(s string) (int, bool) {
	i := 1
	for i < len(s) && s[i] != ']' {
		if s[i] == '"' {
			i++
			for i < len(s) && s[i] != '"' {
				if s[i] == '\\' {
					i++
				}
				i++
			}
		}
		i++
	}
	if i >= len(s) {
		return 0, false
	}
	return i, true
}

var sdSeeds = []string{
	`[a b="c"] msg`,
	`[junos@2636.1.1.1.2.26 source-address="10.0.0.1" reason="x]y"][b c="\"]"] rest`,
	`[a b="c\\"] d"] e`,
	`[a b="c\`,
	`[a b="c\"`,
	`[a b="c"`,
	`[a b=c`,
	`[]`,
	`[`,
	`[a b="\\\\"]x`,
	`[a b="x\"]"] y`,
	`["]"]`,
}

func TestSDElementEnd(t *testing.T) {
	for _, s := range sdSeeds {
		got, gok := sdElementEnd(s)
		want, wok := sdElementEndByBytes(s)
		if got != want || gok != wok {
			t.Errorf("%q: %d %v, want %d %v", s, got, gok, want, wok)
		}
	}
}

// FuzzSDElementEnd: the quote-to-quote search ends a structured-data
// element where reading it byte by byte does.
func FuzzSDElementEnd(f *testing.F) {
	for _, s := range sdSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !strings.HasPrefix(s, "[") {
			s = "[" + s
		}
		got, gok := sdElementEnd(s)
		want, wok := sdElementEndByBytes(s)
		if got != want || gok != wok {
			t.Fatalf("%q: %d %v, want %d %v", s, got, gok, want, wok)
		}
	})
}
