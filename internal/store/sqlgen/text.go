package sqlgen

import (
	"net/netip"
	"regexp"
	"strings"
	"unicode"

	"github.com/vigilsiem/vigil/internal/query"
)

// nonToken is a regular-expression class of the characters that separate
// full-text tokens: every ASCII character but letters, digits and '_'
// (query.IsTokenByte). Non-ASCII characters belong to tokens.
const nonToken = `[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]`

// fullText compiles a full-text match on one text column: the value (or
// pattern) occurs in the text, case-insensitively, with a token boundary
// before it when it starts with a token character and after it when it ends
// with one. So `fail` matches "Failed: fail." once, at the second word, and
// `fail*` matches both.
//
// The regular expression that checks the boundaries is slow (about 300 ms
// per million messages in DuckDB); a substring test that rejects most rows
// runs first: an exact one when the text has no letters, a
// case-insensitive one for ASCII text (Dialect.containsExact and
// containsFold).
func (c *compiler) fullText(col string, m *query.Match) pred {
	if !m.Wild && m.Value == "" {
		// `message:""`: the field is empty.
		return colPred(fragOf(col+" = ''"), col)
	}
	var segs []query.Segment
	if m.Wild {
		segs = query.Segments(m.Value)
	} else {
		segs = []query.Segment{{Text: m.Value}}
	}
	if len(segs) == 0 {
		return colPred(fragOf(col+" <> ''"), col)
	}
	// A boundary is needed at an end of the value that is a token character.
	first, last := segs[0], segs[len(segs)-1]
	needStart := first.Wild == 0 && query.IsTokenByte(first.Text[0])
	needEnd := last.Wild == 0 && query.IsTokenByte(last.Text[len(last.Text)-1])
	// Wildcards at the ends of the pattern add nothing to a search for it.
	for len(segs) > 0 && segs[0].Wild == '*' {
		segs = segs[1:]
	}
	for len(segs) > 0 && segs[len(segs)-1].Wild == '*' {
		segs = segs[:len(segs)-1]
	}
	if len(segs) == 0 {
		return rowPred(fragOf(col + " <> ''"))
	}
	caseless := !hasCase(m.Value)
	subject, lower := col, false
	var re strings.Builder
	re.WriteString("(?s)")
	if !caseless {
		var flag string
		subject, flag, lower = c.d.foldedText(col)
		re.WriteString(flag)
	}
	if needStart {
		re.WriteString("(?:^|" + nonToken + ")")
	}
	longest := ""
	for _, seg := range segs {
		switch seg.Wild {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			text := seg.Text
			if lower {
				text = strings.ToLower(text)
			}
			re.WriteString(regexp.QuoteMeta(text))
			if len(seg.Text) > len(longest) {
				longest = seg.Text
			}
		}
	}
	if needEnd {
		re.WriteString("(?:$|" + nonToken + ")")
	}
	var ps []pred
	switch {
	case longest == "":
	case caseless:
		ps = append(ps, colPred(c.d.containsExact(col, longest), col))
	case isASCII(longest):
		ps = append(ps, colPred(c.d.containsFold(col, longest), col))
	}
	// A single literal without boundaries to check is the substring test.
	exact := len(segs) == 1 && segs[0].Wild == 0 && !needStart && !needEnd && len(ps) == 1
	if !exact {
		ps = append(ps, colPred(fragOf(c.d.regexMatch(subject), re.String()), col))
	}
	return andPreds(ps...)
}

// stringMatch compiles `field:value` on a string column: equality with the
// whole value, or a pattern over it, case-insensitive. Values without
// letters compare exactly, which is faster.
func (c *compiler) stringMatch(col string, m *query.Match) pred {
	if m.Wild {
		return c.d.like(col, query.Segments(m.Value), hasCase(m.Value))
	}
	vals := []string{m.Value}
	// An IP address also matches its canonical form, the form the store keeps.
	if a, err := netip.ParseAddr(m.Value); err == nil {
		if canon := a.Unmap().String(); canon != m.Value {
			vals = append(vals, canon)
		}
	}
	var ps []pred
	for _, v := range vals {
		if hasCase(v) {
			ps = append(ps, c.d.equalFold(col, v))
		} else {
			ps = append(ps, colPred(fragOf(col+" = ?", v), col))
		}
	}
	return orPreds(ps...)
}

// hasCase reports whether s has a character with another case, so that a
// case-insensitive comparison differs from an exact one.
func hasCase(s string) bool {
	for _, r := range s {
		if unicode.SimpleFold(r) != r {
			return true
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
