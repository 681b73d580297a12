package embedded

import (
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
)

// FuzzTokenHashes: the tokenizer's hashes, from text as a string and as
// bytes, are those of query.AppendTokens' folded tokens, each once.
func FuzzTokenHashes(f *testing.F) {
	for _, s := range []string{"Failed password for ROOT from 10.1.2.3", "Ärger über STRASSE straße", "", "a-b_c.d", "\xff\xfeAB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var want []uint64
		for _, tok := range query.AppendTokens(nil, s) {
			if h := tokenHash(tok); !slices.Contains(want, h) {
				want = append(want, h)
			}
		}
		var tz tokenizer
		tz.reset()
		fromString := tz.addText(nil, s)
		tz.reset()
		fromBytes := addTokens(&tz, nil, []byte(s))
		if !slices.Equal(fromString, want) || !slices.Equal(fromBytes, want) {
			t.Fatalf("tokens of %q: string %x, bytes %x, want %x", s, fromString, fromBytes, want)
		}
	})
}
