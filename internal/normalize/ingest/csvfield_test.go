package ingest

import "testing"

// TestCSVFieldQuoted checks the quoted fields, with and without doubled
// quotes, that csvField returns as a substring or rebuilds.
func TestCSVFieldQuoted(t *testing.T) {
	for _, c := range []struct {
		in, v, rest string
		last        bool
	}{
		{`"a b",c`, "a b", "c", false},
		{`"a b"`, "a b", "", true},
		{`""`, "", "", true},
		{`"",x`, "", "x", false},
		{`"say ""hi""",x`, `say "hi"`, "x", false},
		{`""""`, `"`, "", true},
		{`"open`, "open", "", true},
		{`"a"junk,b`, "a", "b", false},
		{`"a""`, `a"`, "", true},
		{`plain,b`, "plain", "b", false},
	} {
		v, rest, last := csvField(c.in, ',', '"')
		if v != c.v || rest != c.rest || last != c.last {
			t.Errorf("csvField(%q) = %q, %q, %v; want %q, %q, %v", c.in, v, rest, last, c.v, c.rest, c.last)
		}
	}
}
