package duckdbsql

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
// per million messages here); a substring test that rejects most rows runs
// first: contains() when the text has no letters, contains(lower()) for
// ASCII text, which measured 45 and 100 ms per million rows.
func fullText(col string, m *query.Match) pred {
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
	var re strings.Builder
	re.WriteString("(?s)")
	if !caseless {
		re.WriteString("(?i)")
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
			re.WriteString(regexp.QuoteMeta(seg.Text))
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
		ps = append(ps, colPred(fragOf("contains("+col+", ?)", longest), col))
	case isASCII(longest):
		ps = append(ps, colPred(fragOf("contains(lower("+col+"), ?)", strings.ToLower(longest)), col))
	}
	// A single literal without boundaries to check is the substring test.
	exact := len(segs) == 1 && segs[0].Wild == 0 && !needStart && !needEnd && len(ps) == 1
	if !exact {
		ps = append(ps, colPred(fragOf("regexp_matches("+col+", ?)", re.String()), col))
	}
	return andPreds(ps...)
}

// stringMatch compiles `field:value` on a string column: equality with the
// whole value, or a pattern over it, case-insensitive. Values without
// letters compare exactly, which is faster.
func stringMatch(col string, m *query.Match) pred {
	if m.Wild {
		return like(col, query.Segments(m.Value), hasCase(m.Value))
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
			ps = append(ps, like(col, []query.Segment{{Text: v}}, true))
		} else {
			ps = append(ps, colPred(fragOf(col+" = ?", v), col))
		}
	}
	return orPreds(ps...)
}

// like compiles a LIKE (or, with fold, ILIKE) of segments. DuckDB runs
// ILIKE with a constant pattern at 15-25 ms per million rows, but with an
// ESCAPE clause at 120-130 ms; so the pattern goes without one, its literal
// % and _ left as wildcards, and only when there are such characters does
// the exact pattern, with ESCAPE, check the rows the loose one let through.
func like(col string, segs []query.Segment, fold bool) pred {
	op := " LIKE "
	if fold {
		op = " ILIKE "
	}
	var loose, exact strings.Builder
	escaped := false
	for _, seg := range segs {
		switch seg.Wild {
		case '*':
			loose.WriteByte('%')
			exact.WriteByte('%')
		case '?':
			loose.WriteByte('_')
			exact.WriteByte('_')
		default:
			loose.WriteString(seg.Text)
			e := likeEscape(seg.Text)
			exact.WriteString(e)
			escaped = escaped || strings.ContainsAny(seg.Text, "%_")
		}
	}
	p := colPred(fragOf(col+op+"?", loose.String()), col)
	if !escaped {
		return p
	}
	return andPreds(p, colPred(fragOf(col+op+"? ESCAPE '\\'", exact.String()), col))
}

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func likeEscape(s string) string { return likeEscaper.Replace(s) }

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
