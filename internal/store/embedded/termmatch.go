package embedded

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/query"
)

// textMatcher tests one full-text value (a bare word or phrase without
// wildcards) on one text as the DuckDB SQL of a search does
// (store/sqlgen fullText): the text contains the value, case-insensitively
// when the value has a character with another case, with a token boundary
// on each end of the value that is a token character. DuckDB runs a
// substring test first (contains(lower(col), lower(value)) for an ASCII
// value with case, contains(col, value) for a value without case, none for
// a non-ASCII value with case), then the regular expression
// `(?s)(?i)(?:^|NONTOKEN)VALUE(?:$|NONTOKEN)` on the rows that pass; a row
// matches when both do.
//
// match keeps exactly that: for a text of ASCII bytes alone (nearly every
// log line) it looks for the value byte by byte, ASCII letters folded,
// which is what the substring test and the expression both find there;
// any other text goes through the same two tests, Go's strings.ToLower
// for DuckDB's lower() (both apply Unicode's simple lower-case mapping)
// and Go's regexp (RE2's syntax and simple case folding) for DuckDB's RE2.
type textMatcher struct {
	value    string // as the query spells it
	lower    string // strings.ToLower(value): the fold test's needle
	caseless bool   // the value has no character with another case
	ascii    bool   // the value is ASCII
	// needStart and needEnd: a boundary is needed before (after) the value.
	needStart, needEnd bool
	re                 *regexp.Regexp
	// anchor is the index in lower of its rarest byte (byteRarity),
	// searched for first.
	anchor int
}

// nonTokenRE is sqlgen's class of the bytes that separate tokens.
const nonTokenRE = `[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]`

// newTextMatcher compiles the matcher of value, which is not empty.
func newTextMatcher(value string) (*textMatcher, error) {
	m := &textMatcher{
		value:     value,
		lower:     strings.ToLower(value),
		caseless:  !hasCase(value),
		ascii:     isASCIIText(value),
		needStart: query.IsTokenByte(value[0]),
		needEnd:   query.IsTokenByte(value[len(value)-1]),
	}
	var re strings.Builder
	re.WriteString("(?s)")
	if !m.caseless {
		re.WriteString("(?i)")
	}
	if m.needStart {
		re.WriteString("(?:^|" + nonTokenRE + ")")
	}
	re.WriteString(regexp.QuoteMeta(value))
	if m.needEnd {
		re.WriteString("(?:$|" + nonTokenRE + ")")
	}
	var err error
	if m.re, err = regexp.Compile(re.String()); err != nil {
		return nil, err
	}
	m.anchor = 0
	for i := 1; i < len(m.lower); i++ {
		if byteRarity[m.lower[i]] < byteRarity[m.lower[m.anchor]] {
			m.anchor = i
		}
	}
	return m, nil
}

// hasCase reports whether s has a character with another case (sqlgen's
// test for a case-insensitive comparison).
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

func isASCIIText[S ~string | ~[]byte](s S) bool {
	i := 0
	if b, ok := any(s).([]byte); ok {
		// Eight bytes at a time: a page's texts are checked at once.
		for ; i+8 <= len(b); i += 8 {
			if binary.LittleEndian.Uint64(b[i:])&0x8080808080808080 != 0 {
				return false
			}
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// match reports whether text matches (text is valid UTF-8, as DuckDB's
// VARCHAR is).
func (m *textMatcher) match(text []byte) bool {
	switch {
	case m.caseless:
		// contains(col, value) and the expression without (?i): an exact
		// search, whose boundary test by bytes is the expression's (a
		// byte of a non-ASCII character is a token byte, and no class
		// byte).
		return m.findBytes(text, false)
	case m.ascii && isASCIIText(text):
		return m.findBytes(text, true)
	case m.ascii:
		// lower() may turn a non-ASCII character into an ASCII one (the
		// Kelvin sign into k), and (?i) match one (ſ for s).
		return strings.Contains(strings.ToLower(string(text)), m.lower) && m.re.Match(text)
	default:
		// No substring test in DuckDB for a non-ASCII value with case.
		return m.re.Match(text)
	}
}

// matchAll appends to dst the indexes k of the texts
// data[offs[k]:offs[k+1]] that match, ascending. Where the texts are ASCII
// (or the value has no case) it searches all of them at once and checks
// each place found against the bounds of its text.
func (m *textMatcher) matchAll(data []byte, offs []uint32, dst []int) []int {
	n := len(offs) - 1
	if n <= 0 {
		return dst
	}
	all := data[:offs[n]]
	fold := !m.caseless
	if fold && (!m.ascii || !isASCIIText(all[offs[0]:])) {
		for k := range n {
			if m.match(data[offs[k]:offs[k+1]]) {
				dst = append(dst, k)
			}
		}
		return dst
	}
	size := len(m.value)
	for from := int(offs[0]); from+size <= len(all); {
		i := m.next(all, from, fold)
		if i < 0 {
			break
		}
		// The text holding i: the last k with offs[k] <= i.
		k := sort.Search(n, func(k int) bool { return int(offs[k+1]) > i })
		lo, hi, end := int(offs[k]), int(offs[k+1]), i+size
		if end > hi {
			// Across the end of the text: on in the next one.
			from = hi
			continue
		}
		if (!m.needStart || i == lo || !query.IsTokenByte(all[i-1])) &&
			(!m.needEnd || end == hi || !query.IsTokenByte(all[end])) {
			dst = append(dst, k)
			from = hi
			continue
		}
		from = i + 1
	}
	return dst
}

// findBytes reports whether the value occurs in text with the boundaries
// it needs; with fold, ASCII letters match in either case (text is then
// ASCII).
func (m *textMatcher) findBytes(text []byte, fold bool) bool {
	needle := m.value
	if fold {
		needle = m.lower
	}
	n := len(needle)
	for from := 0; from+n <= len(text); {
		i := m.next(text, from, fold)
		if i < 0 {
			return false
		}
		end := i + n
		if (!m.needStart || i == 0 || !query.IsTokenByte(text[i-1])) &&
			(!m.needEnd || end == len(text) || !query.IsTokenByte(text[end])) {
			return true
		}
		from = i + 1
	}
	return false
}

// next returns the first index at or after from where the value occurs in
// text (folded with fold), or -1. It looks for the value's rarest byte
// (anchor) first, in both cases for a letter, then compares the rest.
func (m *textMatcher) next(text []byte, from int, fold bool) int {
	n := len(m.value)
	if !fold {
		if i := bytes.Index(text[from:], []byte(m.value)); i >= 0 {
			return from + i
		}
		return -1
	}
	a := m.lower[m.anchor]
	b := a
	if a >= 'a' && a <= 'z' {
		b = a - ('a' - 'A')
	}
	// The anchor of a match at i is at i+anchor, within text[:lim].
	lim := len(text) - (n - m.anchor) + 1
	na, nb := -2, -2 // the next a and b at or after pos; -1: none; -2: not looked for
	for pos := from + m.anchor; pos < lim; {
		if na != -1 && na < pos {
			if na = bytes.IndexByte(text[pos:lim], a); na >= 0 {
				na += pos
			}
		}
		if b != a && nb != -1 && nb < pos {
			if nb = bytes.IndexByte(text[pos:lim], b); nb >= 0 {
				nb += pos
			}
		}
		at := na
		if b != a && nb >= 0 && (at < 0 || nb < at) {
			at = nb
		}
		if at < 0 {
			return -1
		}
		if i := at - m.anchor; equalFoldASCII(text[i:i+n], m.lower) {
			return i
		}
		pos = at + 1
	}
	return -1
}

// byteRarity ranks bytes by how often they appear in log text, rarest
// lowest: the anchor of a search is the value's rarest byte. Letters are
// ranked folded (both cases are searched), by English frequency; digits,
// spaces and common punctuation come last.
var byteRarity = func() (r [256]int) {
	for c := range r {
		r[c] = 10 // other punctuation and bytes
	}
	for i, c := range "zqxjkvbpygfwmucldrhsnioate" {
		r[c] = 20 + i
	}
	for c := '0'; c <= '9'; c++ {
		r[c] = 50
	}
	for _, c := range " .:-/=_,\"" {
		r[c] = 60
	}
	return r
}()

// equalFoldASCII reports whether ASCII s equals lower with its letters in
// either case.
func equalFoldASCII(s []byte, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}
