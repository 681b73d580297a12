package ingest

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
)

// backtracker is a regular expression compiled into Go closures, one per
// node of its syntax tree, each calling the next: a match of an ASCII
// text runs a few closure calls per byte, where Go's regexp package
// interprets its program instruction by instruction (and clears a bitmap
// of instructions × bytes per match). It finds what Go's regexp finds
// (the leftmost match, and of those the first in Perl's order of
// preference) and is used only where it is sure to:
//   - patterns whose every node it implements (compileBacktracker returns
//     nil otherwise), loops whose body cannot match the empty text;
//   - ASCII text: a class matches one byte where Go's matches one rune,
//     so a match that meets a byte over 0x7F where a class that holds
//     runes over 0x7F (\S, [^,], .) or a case-folded literal is tried
//     stops, and Go's regexp decides that text (a byte over 0x7F never
//     matches an ASCII literal or class, in either);
//   - within a step budget proportional to the text: a pattern that
//     backtracks more, on some text, is handed to Go's regexp for that
//     text, whose time is linear. So a hostile line costs at most the
//     budget more than before.
//
// FuzzBacktracker compares it with Go's regexp on random patterns and
// texts.
type backtracker struct {
	re     *regexp.Regexp // the reference, for the texts the matcher does not take
	start  btFrag
	ncap   int  // 2 × (groups + 1)
	anchor bool // the pattern starts with ^: only position 0 is tried
	// How the search skips to the next position a match can start at:
	// the literal every match starts with, else its one first byte, else
	// a table of its first bytes (when the pattern cannot match empty).
	prefix    string
	firstByte int // -1: none
	firstTab  *[256]bool
}

// btStates holds the states of matches, so a match allocates nothing.
var btStates = sync.Pool{New: func() any { return new(btState) }}

func getBtState() *btState { return btStates.Get().(*btState) }

func putBtState(m *btState) {
	m.s = ""
	btStates.Put(m)
}

// btState is the state of one match.
type btState struct {
	s       string
	caps    []int
	steps   int
	budget  int
	aborted bool
}

// btFn tries to match from pos on, and on success leaves the captures in
// m.caps.
type btFn func(m *btState, pos int) bool

// btFrag is a compiled node with what follows it: the function, the bytes
// a match from here can start with, and whether it can match the empty
// text (then first says nothing).
type btFrag struct {
	fn       btFn
	first    byteSet
	nullable bool
}

// Budget of one match: steps (loop turns and alternatives tried).
const (
	btBaseSteps    = 2048
	btStepsPerByte = 64
	maxBtUnroll    = 16   // copies of a counted repetition of a group
	maxBtNodes     = 4096 // closures of one pattern
)

// compileBacktracker compiles re, or returns nil when it uses what the
// matcher does not implement.
func compileBacktracker(re *regexp.Regexp) *backtracker {
	t, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	b := &backtracker{re: re, ncap: 2 * (re.NumSubexp() + 1)}
	accept := btFrag{fn: func(m *btState, pos int) bool {
		m.caps[1] = pos
		return true
	}, nullable: true}
	c := &btCompiler{}
	f, ok := c.compile(t, accept)
	if !ok {
		return nil
	}
	b.start = f
	b.anchor = startsWithBeginText(t)
	b.firstByte = -1
	if p, _ := re.LiteralPrefix(); p != "" && isASCII(p) {
		b.prefix = p
	} else if !f.nullable {
		var tab [256]bool
		n := 0
		for i := 0; i < 256; i++ {
			if f.first.has(byte(i)) {
				tab[i] = true
				n++
				b.firstByte = i
			}
		}
		if n != 1 {
			b.firstByte = -1
			b.firstTab = &tab
		}
	}
	return b
}

func startsWithBeginText(t *syntax.Regexp) bool {
	for {
		switch t.Op {
		case syntax.OpBeginText:
			return true
		case syntax.OpConcat:
			if len(t.Sub) == 0 {
				return false
			}
			t = t.Sub[0]
		case syntax.OpCapture:
			t = t.Sub[0]
		default:
			return false
		}
	}
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if (uint64(s[i])|uint64(s[i+1])|uint64(s[i+2])|uint64(s[i+3])|
			uint64(s[i+4])|uint64(s[i+5])|uint64(s[i+6])|uint64(s[i+7]))&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// exec runs the matcher on s with m; it returns false, with m.aborted,
// when the text is not one it takes or the budget ran out.
func (b *backtracker) exec(m *btState, s string) bool {
	m.s, m.steps, m.aborted = s, 0, false
	if cap(m.caps) < b.ncap {
		m.caps = make([]int, b.ncap)
	}
	m.caps = m.caps[:b.ncap]
	if b.start.nullable && !isASCII(s) {
		// A match may start anywhere: where Go's regexp tries rune by
		// rune, this would try the bytes within runes.
		m.aborted = true
		return false
	}
	m.budget = btBaseSteps + btStepsPerByte*len(s)
	last := len(s)
	if b.anchor {
		last = 0
	}
	for pos := 0; pos <= last; pos++ {
		if !b.anchor {
			// Skip to where a match can start.
			switch {
			case b.prefix != "":
				i := strings.Index(s[pos:], b.prefix)
				if i < 0 {
					return false
				}
				pos += i
			case b.firstByte >= 0:
				i := strings.IndexByte(s[pos:], byte(b.firstByte))
				if i < 0 {
					return false
				}
				pos += i
			case b.firstTab != nil:
				for pos < len(s) && !b.firstTab[s[pos]] {
					if s[pos] >= 0x80 {
						m.abort()
						return false
					}
					pos++
				}
				if pos >= len(s) {
					return false
				}
			}
		}
		for i := range m.caps {
			m.caps[i] = -1
		}
		m.caps[0] = pos
		if b.start.fn(m, pos) {
			return true
		}
		if m.aborted {
			return false
		}
		if m.steps++; m.steps > m.budget {
			m.aborted = true
			return false
		}
	}
	return false
}

// abort stops the match: every choice point fails from now on, and exec
// reports m.aborted.
func (m *btState) abort() {
	m.aborted = true
	m.steps = m.budget + 1
}

// FindStringSubmatchIndex is regexp's.
func (b *backtracker) FindStringSubmatchIndex(s string) []int {
	m := getBtState()
	defer putBtState(m)
	if b.exec(m, s) {
		return append([]int(nil), m.caps...)
	}
	if m.aborted {
		return b.re.FindStringSubmatchIndex(s)
	}
	return nil
}

// MatchString is regexp's.
func (b *backtracker) MatchString(s string) bool {
	m := getBtState()
	defer putBtState(m)
	if b.exec(m, s) {
		return true
	}
	if m.aborted {
		return b.re.MatchString(s)
	}
	return false
}

// btCompiler compiles a pattern; nodes counts the closures made, which
// counted repetitions multiply.
type btCompiler struct{ nodes int }

// compile returns re followed by next.
func (c *btCompiler) compile(re *syntax.Regexp, next btFrag) (btFrag, bool) {
	if c.nodes++; c.nodes > maxBtNodes {
		return btFrag{}, false
	}
	switch re.Op {
	case syntax.OpNoMatch:
		return btFrag{fn: func(*btState, int) bool { return false }}, true
	case syntax.OpEmptyMatch:
		return next, true
	case syntax.OpLiteral:
		return c.literal(re, next)
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		set, wide, ok := btByteClass(re)
		if !ok {
			return btFrag{}, false
		}
		return c.classRep(set, wide, 1, 1, false, next), true
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return c.assertion(re.Op, next), true
	case syntax.OpCapture:
		return c.capture(re, next)
	case syntax.OpStar:
		return c.repeat(re.Sub[0], 0, -1, re.Flags&syntax.NonGreedy != 0, next)
	case syntax.OpPlus:
		return c.repeat(re.Sub[0], 1, -1, re.Flags&syntax.NonGreedy != 0, next)
	case syntax.OpQuest:
		return c.repeat(re.Sub[0], 0, 1, re.Flags&syntax.NonGreedy != 0, next)
	case syntax.OpRepeat:
		if re.Max >= 0 && re.Max < re.Min {
			return btFrag{}, false
		}
		return c.repeat(re.Sub[0], re.Min, re.Max, re.Flags&syntax.NonGreedy != 0, next)
	case syntax.OpConcat:
		f := next
		for i := len(re.Sub) - 1; i >= 0; i-- {
			var ok bool
			if f, ok = c.compile(re.Sub[i], f); !ok {
				return btFrag{}, false
			}
		}
		return f, true
	case syntax.OpAlternate:
		return c.alternate(re, next)
	}
	return btFrag{}, false
}

// then is the frag of a node that consumes at least one byte of first
// before next.
func then(fn btFn, first byteSet) btFrag {
	return btFrag{fn: fn, first: first}
}

func (c *btCompiler) literal(re *syntax.Regexp, next btFrag) (btFrag, bool) {
	fold := re.Flags&syntax.FoldCase != 0
	var b strings.Builder
	for _, r := range re.Rune {
		if r >= 0x80 {
			return btFrag{}, false
		}
		b.WriteByte(byte(r))
	}
	lit := b.String()
	if lit == "" {
		return next, true
	}
	nf := next.fn
	var first byteSet
	first.add(lit[0])
	if fold {
		lit = strings.ToLower(lit)
		first.add(lit[0])
		first.add(upperASCII(lit[0]))
		return then(func(m *btState, pos int) bool {
			if len(m.s)-pos < len(lit) {
				return false
			}
			for i := 0; i < len(lit); i++ {
				if c := m.s[pos+i]; lowerASCII(c) != lit[i] {
					if c >= 0x80 {
						m.abort() // (?i)k matches the Kelvin sign
					}
					return false
				}
			}
			return nf(m, pos+len(lit))
		}, first), true
	}
	if len(lit) == 1 {
		ch := lit[0]
		return then(func(m *btState, pos int) bool {
			return pos < len(m.s) && m.s[pos] == ch && nf(m, pos+1)
		}, first), true
	}
	return then(func(m *btState, pos int) bool {
		return len(m.s)-pos >= len(lit) && m.s[pos:pos+len(lit)] == lit && nf(m, pos+len(lit))
	}, first), true
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

func upperASCII(b byte) byte {
	if 'a' <= b && b <= 'z' {
		return b - ('a' - 'A')
	}
	return b
}

// btByteClass is the set of ASCII bytes a one-character node matches (on
// ASCII text, what it matches), and whether it matches runes over 0x7F
// too (wide).
func btByteClass(re *syntax.Regexp) (set byteSet, wide, ok bool) {
	switch re.Op {
	case syntax.OpAnyChar:
		for b := 0; b < 0x80; b++ {
			set.add(byte(b))
		}
		wide = true
	case syntax.OpAnyCharNotNL:
		for b := 0; b < 0x80; b++ {
			if b != '\n' {
				set.add(byte(b))
			}
		}
		wide = true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for r := lo; r <= hi && r < 0x80; r++ {
				set.add(byte(r))
			}
			if hi >= 0x80 {
				wide = true
			}
		}
	case syntax.OpLiteral:
		if len(re.Rune) != 1 || re.Rune[0] >= 0x80 {
			return set, false, false
		}
		b := byte(re.Rune[0])
		set.add(b)
		if re.Flags&syntax.FoldCase != 0 {
			set.add(lowerASCII(b))
			set.add(upperASCII(b))
			wide = true // k and s fold to runes over 0x7F
		}
	default:
		return set, false, false
	}
	return set, wide, true
}

func isWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}

func (c *btCompiler) assertion(op syntax.Op, next btFrag) btFrag {
	nf := next.fn
	var test func(s string, pos int) bool
	switch op {
	case syntax.OpBeginLine:
		test = func(s string, pos int) bool { return pos == 0 || s[pos-1] == '\n' }
	case syntax.OpEndLine:
		test = func(s string, pos int) bool { return pos == len(s) || s[pos] == '\n' }
	case syntax.OpBeginText:
		test = func(_ string, pos int) bool { return pos == 0 }
	case syntax.OpEndText:
		return btFrag{fn: func(m *btState, pos int) bool { return pos == len(m.s) && nf(m, pos) }, nullable: true}
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		want := op == syntax.OpWordBoundary
		test = func(s string, pos int) bool {
			before := pos > 0 && isWordByte(s[pos-1])
			after := pos < len(s) && isWordByte(s[pos])
			return (before != after) == want
		}
	}
	return btFrag{fn: func(m *btState, pos int) bool { return test(m.s, pos) && nf(m, pos) }, first: next.first, nullable: next.nullable}
}

func (c *btCompiler) capture(re *syntax.Regexp, next btFrag) (btFrag, bool) {
	i := 2 * re.Cap
	nf := next.fn
	closeCap := btFrag{fn: func(m *btState, pos int) bool {
		old := m.caps[i+1]
		m.caps[i+1] = pos
		if nf(m, pos) {
			return true
		}
		m.caps[i+1] = old
		return false
	}, first: next.first, nullable: next.nullable}
	sub, ok := c.compile(re.Sub[0], closeCap)
	if !ok {
		return btFrag{}, false
	}
	sf := sub.fn
	return btFrag{fn: func(m *btState, pos int) bool {
		old := m.caps[i]
		m.caps[i] = pos
		if sf(m, pos) {
			return true
		}
		m.caps[i] = old
		return false
	}, first: sub.first, nullable: sub.nullable}, true
}

func (c *btCompiler) alternate(re *syntax.Regexp, next btFrag) (btFrag, bool) {
	fns := make([]btFn, len(re.Sub))
	var out btFrag
	for i, sub := range re.Sub {
		f, ok := c.compile(sub, next)
		if !ok {
			return btFrag{}, false
		}
		fns[i] = f.fn
		out.first.union(&f.first)
		out.nullable = out.nullable || f.nullable
	}
	out.fn = func(m *btState, pos int) bool {
		for _, f := range fns {
			if f(m, pos) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
		}
		return false
	}
	return out, true
}

// repeat compiles sub{min,max} (max -1: no bound) followed by next.
func (c *btCompiler) repeat(sub *syntax.Regexp, min, max int, lazy bool, next btFrag) (btFrag, bool) {
	if set, wide, ok := btByteClass(sub); ok {
		return c.classRep(set, wide, min, max, lazy, next), true
	}
	if max == 1 && min <= 1 {
		if min == 1 {
			return c.compile(sub, next)
		}
		return c.quest(sub, lazy, next)
	}
	if minLen(sub) == 0 {
		return btFrag{}, false // a loop of empty iterations: left to Go's regexp
	}
	// Unbounded: min copies, then a loop.
	if max < 0 {
		if min > maxBtUnroll {
			return btFrag{}, false
		}
		f, ok := c.star(sub, lazy, next)
		for i := 0; ok && i < min; i++ {
			f, ok = c.compile(sub, f)
		}
		return f, ok
	}
	if max > maxBtUnroll {
		return btFrag{}, false
	}
	// Bounded: min copies, then max-min nested optional ones, as Go's
	// simplifier writes x{2,4}: xx(x(x)?)?.
	f := next
	ok := true
	for i := 0; ok && i < max-min; i++ {
		f, ok = c.questThen(sub, lazy, f, next)
	}
	for i := 0; ok && i < min; i++ {
		f, ok = c.compile(sub, f)
	}
	return f, ok
}

// quest compiles sub? followed by next.
func (c *btCompiler) quest(sub *syntax.Regexp, lazy bool, next btFrag) (btFrag, bool) {
	return c.questThen(sub, lazy, next, next)
}

// questThen is (sub inner)? followed by next: with sub it continues with
// inner (the rest of a nested repetition), without it with next.
func (c *btCompiler) questThen(sub *syntax.Regexp, lazy bool, inner, next btFrag) (btFrag, bool) {
	f, ok := c.compile(sub, inner)
	if !ok {
		return btFrag{}, false
	}
	yes, no := f.fn, next.fn
	out := btFrag{first: f.first, nullable: f.nullable || next.nullable}
	out.first.union(&next.first)
	if lazy {
		out.fn = func(m *btState, pos int) bool {
			if no(m, pos) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
			return yes(m, pos)
		}
	} else {
		out.fn = func(m *btState, pos int) bool {
			if yes(m, pos) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
			return no(m, pos)
		}
	}
	return out, true
}

// star compiles sub* (sub cannot match the empty text) followed by next.
func (c *btCompiler) star(sub *syntax.Regexp, lazy bool, next btFrag) (btFrag, bool) {
	var loop btFn
	self := btFrag{fn: func(m *btState, pos int) bool { return loop(m, pos) }, nullable: true}
	body, ok := c.compile(sub, self)
	if !ok {
		return btFrag{}, false
	}
	bf, nf := body.fn, next.fn
	if lazy {
		loop = func(m *btState, pos int) bool {
			if nf(m, pos) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
			return bf(m, pos)
		}
	} else {
		loop = func(m *btState, pos int) bool {
			if bf(m, pos) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
			return nf(m, pos)
		}
	}
	out := btFrag{fn: loop, first: body.first, nullable: next.nullable}
	out.first.union(&next.first)
	return out, true
}

// classRep compiles a repetition of one byte class, set{min,max}, followed
// by next: it counts the run once, then tries next at each length, from
// the longest (greedy) or the shortest (lazy), skipping the positions
// next cannot start at.
func (c *btCompiler) classRep(set byteSet, wide bool, min, max int, lazy bool, next btFrag) btFrag {
	nf := next.fn
	nnull := next.nullable
	var tab, ntab [256]bool // the class; the bytes next can start with (and those over 0x7F)
	for b := 0; b < 256; b++ {
		tab[b] = set.has(byte(b))
		ntab[b] = b >= 0x80 || next.first.has(byte(b))
	}
	fn := func(m *btState, pos int) bool {
		s := m.s
		n := 0
		limit := len(s) - pos
		if max >= 0 && max < limit {
			limit = max
		}
		for n < limit {
			b := s[pos+n]
			if !tab[b] {
				if b >= 0x80 && wide {
					m.abort()
					return false
				}
				break
			}
			n++
		}
		if n < min {
			return false
		}
		if lazy {
			for i := min; i <= n; i++ {
				if p := pos + i; (nnull || p < len(s) && ntab[s[p]]) && nf(m, p) {
					return true
				}
				if m.steps++; m.steps > m.budget {
					m.aborted = true
					return false
				}
			}
			return false
		}
		for i := n; i >= min; i-- {
			if p := pos + i; (nnull || p < len(s) && ntab[s[p]]) && nf(m, p) {
				return true
			}
			if m.steps++; m.steps > m.budget {
				m.aborted = true
				return false
			}
		}
		return false
	}
	out := btFrag{fn: fn, first: set, nullable: min == 0 && next.nullable}
	if min == 0 {
		out.first.union(&next.first)
	}
	return out
}

// minLen is the length of the shortest text re matches.
func minLen(re *syntax.Regexp) int {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune)
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		return 1
	case syntax.OpCapture, syntax.OpPlus:
		return minLen(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min * minLen(re.Sub[0])
	case syntax.OpConcat:
		n := 0
		for _, s := range re.Sub {
			n += minLen(s)
		}
		return n
	case syntax.OpAlternate:
		n := -1
		for _, s := range re.Sub {
			if l := minLen(s); n < 0 || l < n {
				n = l
			}
		}
		return max(n, 0)
	}
	return 0
}
