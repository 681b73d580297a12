package sigma

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a Sigma string value: literal text with `*` and `?`
// wildcards. Modifiers transform patterns (base64, wide, windash, contains…)
// before they are compiled into a strMatcher.
type pattern []ptok

// ptok is one literal run or one wildcard.
type ptok struct {
	lit  string
	wild byte // 0 for a literal, '*' or '?'
}

// parsePattern reads a Sigma string: `*` and `?` are wildcards; a backslash
// escapes `*`, `?` and itself; a backslash before anything else is literal.
func parsePattern(s string) pattern {
	var p pattern
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p = append(p, ptok{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 < len(s) && (s[i+1] == '*' || s[i+1] == '?' || s[i+1] == '\\') {
				lit.WriteByte(s[i+1])
				i++
				continue
			}
			lit.WriteByte(c)
		case '*', '?':
			flush()
			p = append(p, ptok{wild: c})
		default:
			lit.WriteByte(c)
		}
	}
	flush()
	return p
}

// literalPattern is a pattern of plain text with no wildcards.
func literalPattern(s string) pattern {
	if s == "" {
		return pattern{}
	}
	return pattern{{lit: s}}
}

func (p pattern) hasWildcards() bool {
	for _, t := range p {
		if t.wild != 0 {
			return true
		}
	}
	return false
}

// plain returns the text of a pattern without wildcards.
func (p pattern) plain() string {
	var b strings.Builder
	for _, t := range p {
		b.WriteString(t.lit)
	}
	return b.String()
}

func (p pattern) String() string {
	var b strings.Builder
	for _, t := range p {
		if t.wild != 0 {
			b.WriteByte(t.wild)
			continue
		}
		for i := 0; i < len(t.lit); i++ {
			if c := t.lit[i]; c == '*' || c == '?' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(t.lit[i])
		}
	}
	return b.String()
}

// wrap adds `*` before and/or after, merging with wildcards already there.
func (p pattern) wrap(before, after bool) pattern {
	out := make(pattern, 0, len(p)+2)
	if before && (len(p) == 0 || p[0].wild != '*') {
		out = append(out, ptok{wild: '*'})
	}
	out = append(out, p...)
	if after && (len(out) == 0 || out[len(out)-1].wild != '*') {
		out = append(out, ptok{wild: '*'})
	}
	return out
}

// mapLiterals applies f to every literal run.
func (p pattern) mapLiterals(f func(string) string) pattern {
	out := make(pattern, len(p))
	for i, t := range p {
		if t.wild == 0 {
			t.lit = f(t.lit)
		}
		out[i] = t
	}
	return out
}

// strKind is the shape a pattern compiles to.
type strKind uint8

const (
	strEqual strKind = iota
	strPrefix
	strSuffix
	strContains
	strAny // `*`: any value, the field must be present
	strGlob
)

// strMatcher matches text against a compiled pattern. Unless cased, the
// pattern is lower-cased at compile time and compared with the lower-cased
// text.
type strMatcher struct {
	kind  strKind
	lit   string  // equal, prefix, suffix, contains
	toks  pattern // glob
	cased bool
}

func compilePattern(p pattern, cased bool) strMatcher {
	if !cased {
		p = p.mapLiterals(lower)
	}
	m := strMatcher{cased: cased}
	// merge adjacent literals and collapse runs of '*'
	var norm pattern
	for _, t := range p {
		n := len(norm)
		switch {
		case t.wild == 0 && t.lit == "":
			continue
		case t.wild == 0 && n > 0 && norm[n-1].wild == 0:
			norm[n-1].lit += t.lit
		case t.wild == '*' && n > 0 && norm[n-1].wild == '*':
		default:
			norm = append(norm, t)
		}
	}
	switch {
	case len(norm) == 0:
		m.kind = strEqual
	case len(norm) == 1 && norm[0].wild == 0:
		m.kind, m.lit = strEqual, norm[0].lit
	case len(norm) == 1 && norm[0].wild == '*':
		m.kind = strAny
	case len(norm) == 2 && norm[0].wild == '*' && norm[1].wild == 0:
		m.kind, m.lit = strSuffix, norm[1].lit
	case len(norm) == 2 && norm[0].wild == 0 && norm[1].wild == '*':
		m.kind, m.lit = strPrefix, norm[0].lit
	case len(norm) == 3 && norm[0].wild == '*' && norm[1].wild == 0 && norm[2].wild == '*':
		m.kind, m.lit = strContains, norm[1].lit
	default:
		m.kind, m.toks = strGlob, norm
	}
	return m
}

// match reports whether s (lower-cased by the caller unless m.cased)
// matches.
func (m *strMatcher) match(s string) bool {
	switch m.kind {
	case strEqual:
		return s == m.lit
	case strPrefix:
		return strings.HasPrefix(s, m.lit)
	case strSuffix:
		return strings.HasSuffix(s, m.lit)
	case strContains:
		return strings.Contains(s, m.lit)
	case strAny:
		return true
	}
	return globMatch(m.toks, s)
}

// longestLiteral is the longest literal run the text must contain: the
// prefilter's key for this matcher.
func (m *strMatcher) longestLiteral() string {
	switch m.kind {
	case strEqual, strPrefix, strSuffix, strContains:
		return m.lit
	case strGlob:
		best := ""
		for _, t := range m.toks {
			if t.wild == 0 && len(t.lit) > len(best) {
				best = t.lit
			}
		}
		return best
	}
	return ""
}

// globMatch matches s against toks, where '*' matches any run and '?' one
// character. It backtracks only to the last '*', so it runs in
// O(len(s)·len(toks)) at worst.
func globMatch(toks pattern, s string) bool {
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := toks[ti]
			switch t.wild {
			case '*':
				starTi, starSi = ti, si
				ti++
				continue
			case '?':
				if si < len(s) {
					_, size := utf8.DecodeRuneInString(s[si:])
					si += size
					ti++
					continue
				}
			default:
				if strings.HasPrefix(s[si:], t.lit) {
					// A literal right after a '*' can jump to its next
					// occurrence instead of stepping one byte at a time.
					si += len(t.lit)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		// retry: let the last '*' swallow one more character
		_, size := utf8.DecodeRuneInString(s[starSi:])
		starSi += size
		if next := starTi + 1; next < len(toks) && toks[next].wild == 0 {
			j := strings.Index(s[starSi:], toks[next].lit)
			if j < 0 {
				return false
			}
			starSi += j
		}
		ti, si = starTi+1, starSi
	}
}

// lower lower-cases s, without allocating when it has no upper-case ASCII
// letter and no non-ASCII byte.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			return lowerASCIIFrom(s, i)
		}
	}
	return s
}

func lowerASCIIFrom(s string, i int) string {
	b := make([]byte, len(s))
	copy(b, s[:i])
	for ; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b[i] = c
	}
	return string(b)
}
