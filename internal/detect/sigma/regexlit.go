package sigma

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// regexLiterals returns literals one of which every match of expr
// contains, lower-cased; nil when expr requires none that is worth
// checking. The prefilter indexes them, and reMatcher checks them before
// running the expression.
func regexLiterals(expr string) []string {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	lits := reqLits(re.Simplify())
	for _, l := range lits {
		if len(l) < 1 {
			return nil
		}
	}
	return lits
}

// maxRegexLits bounds the alternatives kept for one expression.
const maxRegexLits = 32

func reqLits(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{lower(string(re.Rune))}
	case syntax.OpCapture:
		return reqLits(re.Sub[0])
	case syntax.OpPlus:
		return reqLits(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return reqLits(re.Sub[0])
		}
		return nil
	case syntax.OpCharClass:
		// a small class of letters that differ only in case is a literal
		if len(re.Rune) == 4 && re.Rune[0] == re.Rune[1] && re.Rune[2] == re.Rune[3] &&
			strings.EqualFold(string(re.Rune[0]), string(re.Rune[2])) {
			return []string{lower(string(re.Rune[0]))}
		}
		return nil
	case syntax.OpAlternate:
		var out []string
		for _, s := range re.Sub {
			l := reqLits(s)
			if l == nil {
				return nil
			}
			out = append(out, l...)
			if len(out) > maxRegexLits {
				return nil
			}
		}
		return out
	case syntax.OpConcat:
		// runs of single-literal children join into longer literals; the
		// best requirement among runs and other children wins
		var best []string
		consider := func(c []string) {
			if c != nil && (best == nil || betterLits(c, best)) {
				best = c
			}
		}
		var run strings.Builder
		flush := func() {
			if run.Len() > 0 {
				consider([]string{run.String()})
				run.Reset()
			}
		}
		for _, s := range re.Sub {
			l := reqLits(s)
			if len(l) == 1 && (s.Op == syntax.OpLiteral || s.Op == syntax.OpCharClass || s.Op == syntax.OpCapture && len(s.Sub) == 1 && s.Sub[0].Op == syntax.OpLiteral) {
				run.WriteString(l[0])
				continue
			}
			flush()
			consider(l)
		}
		flush()
		return best
	}
	return nil
}

func betterLits(a, b []string) bool {
	ma, mb := minLitLen2(a), minLitLen2(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLitLen2(l []string) int {
	m := -1
	for _, s := range l {
		if n := utf8.RuneCountInString(s); m < 0 || n < m {
			m = n
		}
	}
	return m
}

// longRun recognises expressions that only ask for a long line: `.{N,}`
// unanchored. It returns N and whether '.' also matches newlines.
func longRun(expr, flags string) (int, bool, bool) {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return 0, false, false
	}
	if re.Op != syntax.OpRepeat || re.Max != -1 || re.Min < 1 || len(re.Sub) != 1 {
		return 0, false, false
	}
	switch re.Sub[0].Op {
	case syntax.OpAnyCharNotNL:
		return re.Min, strings.Contains(flags, "s"), true
	case syntax.OpAnyChar:
		return re.Min, true, true
	}
	return 0, false, false
}
