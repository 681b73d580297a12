package ingest

import (
	"regexp/syntax"
	"unicode"
)

// Selection reads a regular expression once, at compile time, for what a
// match must contain, so that most records are turned away by a few table
// lookups instead of by starting the regexp engine (whose set-up costs
// more than a failed match):
//   - an anchored pattern (^…) gives the bytes each of its first positions
//     can hold (a fixed-width start: literals and ASCII classes);
//   - any pattern gives its longest literal that every match contains.

// maxPrefix bounds the positions a byte prefix checks.
const maxPrefix = 16

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) add(b byte)      { s[b>>6] |= 1 << (b & 63) }
func (s *byteSet) has(b byte) bool { return s[b>>6]&(1<<(b&63)) != 0 }
func (s *byteSet) union(t *byteSet) {
	for i := range s {
		s[i] |= t[i]
	}
}

// bytePrefix is the byte classes of the first positions of every match.
type bytePrefix []byteSet

// accepts reports whether t may start a match.
func (p bytePrefix) accepts(t string) bool {
	if len(t) < len(p) {
		return false
	}
	for i := range p {
		if !p[i].has(t[i]) {
			return false
		}
	}
	return true
}

// anchoredPrefix returns the byte classes of the fixed-width start of an
// anchored pattern; ok is false when the pattern is not anchored or its
// first position is not an ASCII literal or class.
func anchoredPrefix(pattern string) (p bytePrefix, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	re = re.Simplify()
	if re.Op != syntax.OpConcat || len(re.Sub) < 2 || re.Sub[0].Op != syntax.OpBeginText {
		return nil, false
	}
	for _, sub := range re.Sub[1:] {
		if !prefixOf(sub, &p) {
			break
		}
	}
	return p, len(p) > 0
}

// prefixOf appends the byte classes of re's fixed-width start to out. It
// returns true when re is fixed-width throughout (so what follows it
// starts at a known position), false when the positions stop here.
func prefixOf(re *syntax.Regexp, out *bytePrefix) bool {
	if len(*out) >= maxPrefix {
		return false
	}
	switch re.Op {
	case syntax.OpEmptyMatch:
		return true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			set, ok := asciiRune(r, re.Flags&syntax.FoldCase != 0)
			if !ok || len(*out) >= maxPrefix {
				return false
			}
			*out = append(*out, set)
		}
		return true
	case syntax.OpCharClass:
		set, ok := asciiClass(re.Rune)
		if !ok {
			return false
		}
		*out = append(*out, set)
		return true
	case syntax.OpCapture:
		return prefixOf(re.Sub[0], out)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !prefixOf(sub, out) {
				return false
			}
		}
		return true
	case syntax.OpPlus:
		prefixOf(re.Sub[0], out)
		return false
	case syntax.OpRepeat:
		if re.Min >= 1 {
			prefixOf(re.Sub[0], out)
		}
		return false
	case syntax.OpAlternate:
		// Each alternative's positions hold while all have them; the
		// alternatives continue together only when all are fixed-width
		// and of one length.
		var alts []bytePrefix
		fixed := true
		for _, sub := range re.Sub {
			var a bytePrefix
			if !prefixOf(sub, &a) {
				fixed = false
			}
			alts = append(alts, a)
		}
		n := len(alts[0])
		for _, a := range alts[1:] {
			if len(a) != n {
				fixed = false
			}
			n = min(n, len(a))
		}
		for i := 0; i < n && len(*out) < maxPrefix; i++ {
			var set byteSet
			for _, a := range alts {
				set.union(&a[i])
			}
			*out = append(*out, set)
		}
		return fixed && len(*out) < maxPrefix
	}
	return false
}

// asciiRune is the byte class of one rune of a literal; false when the
// rune (or, under (?i), one of its case folds) is not ASCII and so may
// take more than one byte.
func asciiRune(r rune, fold bool) (byteSet, bool) {
	var set byteSet
	if r > unicode.MaxASCII {
		return set, false
	}
	set.add(byte(r))
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f > unicode.MaxASCII {
				return set, false
			}
			set.add(byte(f))
		}
	}
	return set, true
}

// asciiClass is the byte class of a character class of ASCII runes.
func asciiClass(ranges []rune) (byteSet, bool) {
	var set byteSet
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if hi > unicode.MaxASCII {
			return set, false
		}
		for r := lo; r <= hi; r++ {
			set.add(byte(r))
		}
	}
	return set, true
}

// requiredLiteral returns the case-sensitive literal of two bytes or more
// that every match of the pattern contains and that is cheapest to look
// for ("" when it finds none): see bestLiteral.
func requiredLiteral(pattern string) string {
	return bestLiteral(requiredLiterals(pattern), 2)
}

// requiredLiterals returns the case-sensitive literals that every match
// of the pattern contains.
func requiredLiterals(pattern string) []string {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	return appendLiterals(nil, re.Simplify())
}

func appendLiterals(out []string, re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 {
			return out
		}
		return append(out, string(re.Rune))
	case syntax.OpCapture, syntax.OpPlus:
		return appendLiterals(out, re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return appendLiterals(out, re.Sub[0])
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			out = appendLiterals(out, sub)
		}
	}
	return out
}

// bestLiteral picks, of literals of at least minLen bytes, the one whose
// search stops least often: a search skips to the literal's rarest byte
// (rareByte) and compares there, so what it costs is how common that
// byte is in log lines. Of literals as rare, the longest (fewer false
// stops compared in full), then the first.
func bestLiteral(lits []string, minLen int) string {
	best, bestScore := "", 0
	for _, l := range lits {
		if len(l) < minLen {
			continue
		}
		s := byteScore(l[rareByte(l)])
		if best == "" || s < bestScore || s == bestScore && len(l) > len(best) {
			best, bestScore = l, s
		}
	}
	return best
}

// maxSelectPrefix bounds the positions a selector's prefix checks: long
// enough to pass a date and time ("2024-05-10 11:37:47") and reach what
// tells the dated formats apart.
const maxSelectPrefix = 32

// selectPrefix returns the byte classes of the first positions of every
// match of an anchored pattern, past what is fixed-width: position i
// holds every byte any path through the pattern can read at offset i, so
// an optional part or an alternation of different widths widens the
// classes after it instead of ending them (`(?:\.\d+)? [+-]` gives
// {. space} and then the digits, + and -). The positions end where a
// match may end, or where a path can read a rune of more than one byte.
// ok is false when the pattern is not anchored or gives no position.
func selectPrefix(pattern string) (p bytePrefix, ok bool) {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil, false
	}
	prog, err := syntax.Compile(re.Simplify())
	if err != nil || prog.StartCond()&syntax.EmptyBeginText == 0 {
		return nil, false
	}
	seen := make([]bool, len(prog.Inst))
	cur, end := closure(prog, []uint32{uint32(prog.Start)}, seen)
	for !end && len(cur) > 0 && len(p) < maxSelectPrefix {
		var set byteSet
		outs := make([]uint32, 0, len(cur))
		for _, pc := range cur {
			c, ok := instClass(&prog.Inst[pc])
			if !ok {
				return p, len(p) > 0
			}
			set.union(&c)
			outs = append(outs, prog.Inst[pc].Out)
		}
		p = append(p, set)
		clear(seen)
		cur, end = closure(prog, outs, seen)
	}
	return p, len(p) > 0
}

// closure returns the rune instructions reachable from pcs without
// reading, and whether a match may end there (the program's match or an
// end-of-text assertion is reachable). Other assertions are passed as if
// they held: the classes only grow.
func closure(prog *syntax.Prog, pcs []uint32, seen []bool) (runes []uint32, end bool) {
	stack := append([]uint32(nil), pcs...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		in := &prog.Inst[pc]
		switch in.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, in.Out, in.Arg)
		case syntax.InstCapture, syntax.InstNop:
			stack = append(stack, in.Out)
		case syntax.InstEmptyWidth:
			if syntax.EmptyOp(in.Arg)&(syntax.EmptyEndText|syntax.EmptyEndLine) != 0 {
				end = true
			}
			stack = append(stack, in.Out)
		case syntax.InstMatch:
			end = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runes = append(runes, pc)
		}
	}
	return runes, end
}

// instClass is the byte class of a rune instruction; false when it can
// read a rune of more than one byte.
func instClass(in *syntax.Inst) (byteSet, bool) {
	switch in.Op {
	case syntax.InstRune1:
		return asciiRune(in.Rune[0], false)
	case syntax.InstRune:
		if len(in.Rune) == 1 {
			return asciiRune(in.Rune[0], syntax.Flags(in.Arg)&syntax.FoldCase != 0)
		}
		return asciiClass(in.Rune)
	}
	return byteSet{}, false
}
