package query

import (
	"errors"
	"strings"
	"testing"
)

// TestTermLimit is issue 9 item 10: a 64 KiB OR of 13,000 words took 3.3
// CPU-seconds over 5 events. The parser refuses more than MaxTerms terms,
// pointing at the first one too many.
func TestTermLimit(t *testing.T) {
	words := make([]string, 13000)
	for i := range words {
		words[i] = string(rune('a' + i%26))
	}
	q := strings.Join(words, " OR ") // 64,996 bytes
	_, err := Parse(q)
	var pe *Error
	if !errors.As(err, &pe) {
		t.Fatalf("13,000 ORed words: %v, want a parse error", err)
	}
	want := MaxTerms * len("a OR ") // the first word too many
	if pe.Offset != want || !strings.Contains(pe.Msg, "more than 1000 terms") {
		t.Errorf("error %q at offset %d, want at %d", pe.Msg, pe.Offset, want)
	}
	if _, err := Parse(strings.Join(words[:MaxTerms], " OR ")); err != nil {
		t.Errorf("%d terms: %v", MaxTerms, err)
	}
	if _, err := Parse("user.name=alice AND NOT host.name=x | stats count() by host.name"); err != nil {
		t.Error(err)
	}
}

// TestControlCharacters: a NUL ends DuckDB's query text, so a query never
// carries one (or any other control character but tab and line breaks).
func TestControlCharacters(t *testing.T) {
	for _, q := range []string{"a\x00=1", "message:\"x\x01\"", "x\x7f"} {
		_, err := Parse(q)
		var pe *Error
		if !errors.As(err, &pe) || pe.Offset != strings.IndexAny(q, "\x00\x01\x7f") {
			t.Errorf("Parse(%q): %v, want an error at the control character", q, err)
		}
	}
	if _, err := Parse("a=1\tAND\r\nb=2"); err != nil {
		t.Errorf("tab and line breaks: %v", err)
	}
}
