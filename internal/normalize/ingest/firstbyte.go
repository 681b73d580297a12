package ingest

import (
	"regexp/syntax"
	"unicode"
)

// firstBytes returns the bytes a match of an anchored pattern (^…) can
// start with, so selection rejects most records with one lookup instead of
// starting the regexp engine (whose set-up costs more than the match).
// ok is false when the pattern is not anchored or its start is not a
// simple ASCII literal or class.
func firstBytes(pattern string) (set *[256]bool, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return nil, false
	}
	set = &[256]bool{}
	if !addFirst(re.Sub[1], set) {
		return nil, false
	}
	return set, true
}

func addFirst(re *syntax.Regexp, set *[256]bool) bool {
	switch re.Op {
	case syntax.OpLiteral:
		if len(re.Rune) == 0 || re.Rune[0] > unicode.MaxASCII {
			return false
		}
		r := re.Rune[0]
		set[r] = true
		if re.Flags&syntax.FoldCase != 0 {
			set[unicode.ToLower(r)] = true
			set[unicode.ToUpper(r)] = true
		}
		return true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi > unicode.MaxASCII {
				return false
			}
			for r := lo; r <= hi; r++ {
				set[r] = true
			}
		}
		return true
	case syntax.OpCapture:
		return addFirst(re.Sub[0], set)
	case syntax.OpPlus:
		return addFirst(re.Sub[0], set)
	case syntax.OpRepeat:
		return re.Min >= 1 && addFirst(re.Sub[0], set)
	case syntax.OpConcat:
		return len(re.Sub) > 0 && addFirst(re.Sub[0], set)
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if !addFirst(s, set) {
				return false
			}
		}
		return true
	}
	return false
}
