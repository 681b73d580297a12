package filter

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/vigilsiem/vigil/internal/query"
)

// nonToken is the regular-expression class of the ASCII characters that
// separate full-text tokens (query.IsTokenByte); non-ASCII characters
// belong to tokens.
const nonToken = `[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]`

// fullText matches a term against a text the way full-text search does:
// the value (or pattern) occurs in the text, case-insensitively, with a
// token boundary before it when it starts with a token character and after
// it when it ends with one.
type fullText struct {
	any bool // the pattern is only wildcards: any non-empty text
	// lit is the lower-cased value of an ASCII literal term, searched
	// without a regular expression; re checks everything else, and the
	// texts with non-ASCII bytes in which lit was not found (a 'k' or 's'
	// folds to the Kelvin sign or the long s).
	lit                string
	needStart, needEnd bool
	re                 *regexp.Regexp
}

func newFullText(m *query.Match) (*fullText, error) {
	var segs []query.Segment
	if m.Wild {
		segs = query.Segments(m.Value)
	} else if m.Value != "" {
		segs = []query.Segment{{Text: m.Value}}
	}
	if len(segs) == 0 {
		return &fullText{any: true}, nil
	}
	first, last := segs[0], segs[len(segs)-1]
	ft := &fullText{
		needStart: first.Wild == 0 && query.IsTokenByte(first.Text[0]),
		needEnd:   last.Wild == 0 && query.IsTokenByte(last.Text[len(last.Text)-1]),
	}
	for len(segs) > 0 && segs[0].Wild == '*' {
		segs = segs[1:]
	}
	for len(segs) > 0 && segs[len(segs)-1].Wild == '*' {
		segs = segs[:len(segs)-1]
	}
	if len(segs) == 0 {
		ft.any = true
		return ft, nil
	}
	var re strings.Builder
	re.WriteString("(?s)(?i)")
	if ft.needStart {
		re.WriteString("(?:^|" + nonToken + ")")
	}
	re.WriteString(globRegexp(segs))
	if ft.needEnd {
		re.WriteString("(?:$|" + nonToken + ")")
	}
	var err error
	if ft.re, err = regexp.Compile(re.String()); err != nil {
		return nil, fmt.Errorf("compile full-text term %q: %w", m.Value, err)
	}
	if len(segs) == 1 && segs[0].Wild == 0 && isASCII(segs[0].Text) {
		ft.lit = strings.ToLower(segs[0].Text)
	}
	return ft, nil
}

func (ft *fullText) match(text string) bool {
	if ft.any {
		return text != ""
	}
	if ft.lit == "" {
		return ft.re.MatchString(text)
	}
	if ft.findASCII(text) {
		return true
	}
	return !isASCII(text) && ft.re.MatchString(text)
}

// findASCII looks for lit in text, ASCII case-insensitively, at a place
// with the boundaries the term needs. The places where the literal's
// first byte is, in either case, are found with the CPU's byte search
// (pipelines test conditions like message:*login* on every record).
func (ft *fullText) findASCII(text string) bool {
	v := ft.lit
	c0, c1 := v[0], v[0] // lit is lower case: c1 is c0's upper case
	if 'a' <= c0 && c0 <= 'z' {
		c1 = c0 - 'a' + 'A'
	}
	next0, next1 := -1, -1 // the next c0 and c1 at or after i (len(text): none)
	for i := 0; i+len(v) <= len(text); i++ {
		if next0 < i {
			next0 = indexFrom(text, c0, i)
		}
		if next1 < i {
			next1 = indexFrom(text, c1, i)
		}
		i = min(next0, next1)
		if i+len(v) > len(text) {
			return false
		}
		j := 1
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

// indexFrom is the index of the first c in text at or after from, or
// len(text).
func indexFrom(text string, c byte, from int) int {
	if k := strings.IndexByte(text[from:], c); k >= 0 {
		return from + k
	}
	return len(text)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
