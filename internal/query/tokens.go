package query

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenByte marks the bytes that make up full-text tokens: ASCII letters and
// digits, '_', and every byte of a non-ASCII character (so words in any
// script are tokens). Every other ASCII byte separates tokens.
var tokenByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 0x80 || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	return t
}()

// IsTokenByte reports whether c belongs to a full-text token.
func IsTokenByte(c byte) bool { return tokenByte[c] }

// AppendTokens appends the full-text tokens of s to dst, folded (see Fold),
// in order and with repeats. It is the tokenizer of the full-text contract:
// a store that keeps a token index (a bloom filter per file) must index the
// tokens AppendTokens gives for message and event.original, and may then
// skip data that lacks any of Plan.Terms. Tokens that need no folding are
// substrings of s, so tokenizing lower-case text does not allocate.
func AppendTokens(dst []string, s string) []string {
	for i := 0; i < len(s); {
		if !tokenByte[s[i]] {
			i++
			continue
		}
		j, fold := i, false
		for j < len(s) && tokenByte[s[j]] {
			if c := s[j]; c >= 'A' && c <= 'Z' || c >= 0x80 {
				fold = true
			}
			j++
		}
		tok := s[i:j]
		if fold {
			tok = Fold(tok)
		}
		dst = append(dst, tok)
		i = j
	}
	return dst
}

// Fold maps s to a canonical case: two strings that match each other
// case-insensitively (by Unicode simple case folding, as the regular
// expressions of the compilers do) fold to the same string. ASCII letters
// fold to lower case; other characters to the lower case of the smallest
// character of their folding orbit. Invalid UTF-8 bytes are kept.
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 {
			ascii = false
			break
		} else if c >= 'A' && c <= 'Z' {
			ascii = false
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b.WriteByte(c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteByte(c)
			i++
			continue
		}
		b.WriteRune(foldRune(r))
		i += n
	}
	return b.String()
}

// foldRune returns the lower case of the smallest rune of r's case-folding
// orbit (the set of runes that match r case-insensitively).
func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return unicode.ToLower(least)
}
