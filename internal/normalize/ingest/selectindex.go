package ingest

import (
	"math/bits"
	"sort"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// selectIndex finds the few selectors worth trying for an event. Every
// selector (one match entry of one pipeline) has a gate, a cheap
// necessary condition (compileSelector picks it): the CEF/LEEF vendor,
// the program name, a key, the prefix of an anchored regex's text, a
// literal the text must contain. The index computes each kind once per
// event for all selectors: a map lookup for the vendor and program, one
// pass over the fields for the keys, one table row per position of a
// text for the prefixes of all anchored regexes, one substring search per distinct literal (and only
// for literals of selectors before the first match). Only the selectors
// whose gate passed run their tests, in the set's order, so an event no
// pipeline takes costs a few lookups, not a test per pipeline.
type selectIndex struct {
	entries   []selEntry
	always    []int // selectors without a gate
	byVendor  map[string][]int
	byProduct map[string][]int
	anyCEF    []int
	byApp     map[string][]int
	// byKey gives, per key bit, the selectors gated by that key;
	// keyMask has the bits of the keys that gate some selector.
	byKey    [][]int
	keyMask  [maxKeyBits / 64]uint64
	prefixes []prefixGate
	// literals are the distinct literal gates; entryLit gives each
	// selector's (-1: not gated by a literal), litMask has a bit per
	// selector gated by one.
	literals []literalGate
	entryLit []int
	litMask  []uint64
}

// selEntry is one selector and the pipeline it belongs to.
type selEntry struct {
	pipe int
	sel  *selector
}

// prefixGate tests the prefixes of all the anchored regexes of one field
// at once: a bit set over them (entries gives each bit's selector) is
// narrowed by one table row per position of the text, the selectors whose
// prefix takes that byte there, so a text pays a few word ANDs per
// position, not a prefix test per selector.
type prefixGate struct {
	field   string
	entries []int
	words   int // of a bit set over entries
	depth   int // the longest prefix's positions
	// rows holds, for position i and byte b, at (i*256+b)*words, the bit
	// set of the selectors whose prefix takes b at i or is shorter.
	rows []uint64
	// short holds, for a text of n < depth bytes, at n*words, the
	// selectors whose prefix has at most n positions; long, at i*words,
	// those with more than i (the complement): once none of the
	// selectors left has a position i, the rows after it can only keep
	// them.
	short, long []uint64
}

func newPrefixGate(field string, entries []int, prefixes []bytePrefix) prefixGate {
	g := prefixGate{field: field, entries: entries, words: (len(entries) + 63) / 64}
	for _, p := range prefixes {
		g.depth = max(g.depth, len(p))
	}
	g.rows = make([]uint64, g.depth*256*g.words)
	g.short = make([]uint64, g.depth*g.words)
	g.long = make([]uint64, g.depth*g.words)
	for j, p := range prefixes {
		w, bit := j>>6, uint64(1)<<(j&63)
		for i := 0; i < g.depth; i++ {
			for b := 0; b < 256; b++ {
				if i >= len(p) || p[i].has(byte(b)) {
					g.rows[(i*256+b)*g.words+w] |= bit
				}
			}
		}
		for n := len(p); n < g.depth; n++ {
			g.short[n*g.words+w] |= bit
		}
		for n := 0; n < len(p); n++ {
			g.long[n*g.words+w] |= bit
		}
	}
	return g
}

// mark adds the selectors whose prefix accepts t to the candidates.
func (g *prefixGate) mark(t string, c *selCache) {
	var buf [4]uint64
	acc := buf[:0]
	for range g.words {
		acc = append(acc, ^uint64(0))
	}
	n := min(len(t), g.depth)
	i := 0
	for ; i < n; i++ {
		row := g.rows[(i*256+int(t[i]))*g.words:][:g.words]
		long := g.long[i*g.words:][:g.words]
		any, checked := uint64(0), uint64(0)
		for w := range acc {
			acc[w] &= row[w]
			any |= acc[w]
			checked |= acc[w] & long[w]
		}
		if any == 0 {
			return
		}
		if checked == 0 {
			i = g.depth // every prefix left is shorter than i+1: passed
			break
		}
	}
	if i < g.depth {
		row := g.short[n*g.words:][:g.words]
		for w := range acc {
			acc[w] &= row[w]
		}
	}
	for w, word := range acc {
		for word != 0 {
			j := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			i := g.entries[j]
			c.cand[i>>6] |= 1 << (i & 63)
		}
	}
}

// literalGate is a literal of one field that selectors need. It is
// looked for by its rarest bytes (searchPlan), which the CPU's byte search
// skips to: a literal that starts with a space or a common letter would
// stop the search at every word.
type literalGate struct {
	field, literal string
	plan           searchPlan
	// subs are the other literals of the field that this one contains
	// (the % of Cisco message ids in %ACLLOG-6-ACLLOG_), shortest first:
	// they are looked for first, and one absent rules this one out
	// without a search.
	subs []int
}

// searchPlan says which bytes of a literal a search skips to: the
// offsets of its rarest distinct bytes (rareByte's order), rarest first.
// A byte that is common in a record after all (the _ of Sophos's
// log_id=, log_type=… for the f5 literal unit_hostname=) would stop the
// search at every occurrence, each a call of the byte search: after
// falseStops stops without the literal, the search skips to the next
// byte of the plan instead.
type searchPlan struct {
	offs [3]int32
	n    int
}

// falseStops is how many places of one byte a search compares the literal
// at before it moves to the literal's next rarest byte.
const falseStops = 4

func planFor(lit string) searchPlan {
	var p searchPlan
	var used [256]bool
	for p.n < len(p.offs) {
		best, bestScore := -1, 100
		for i := 0; i < len(lit); i++ {
			if s := byteScore(lit[i]); !used[lit[i]] && s < bestScore {
				best, bestScore = i, s
			}
		}
		if best < 0 {
			break
		}
		used[lit[best]] = true
		p.offs[p.n] = int32(best)
		p.n++
	}
	return p
}

// containsPlan reports whether t contains lit (non-empty), skipping to the
// bytes of its plan.
func containsPlan(t, lit string, p *searchPlan) bool {
	// Every place before start where lit could begin is ruled out.
	start, o, stops := 0, 0, 0
	k := int(p.offs[0])
	for start+len(lit) <= len(t) {
		j := strings.IndexByte(t[start+k:], lit[k])
		if j < 0 {
			return false
		}
		at := start + j // lit[k] at at+k: the first place from start it can begin
		if at+len(lit) > len(t) {
			return false
		}
		if t[at:at+len(lit)] == lit {
			return true
		}
		start = at + 1
		if stops++; stops == falseStops && o+1 < p.n {
			o, stops = o+1, 0
			k = int(p.offs[o])
		}
	}
	return false
}

// rareByte returns the offset of the byte of lit least likely in a log
// line: upper case and most punctuation before digits and lower case,
// and the space, quote, colon, comma and equals sign last.
func rareByte(lit string) int {
	best, bestScore := 0, 100
	for i := 0; i < len(lit); i++ {
		if s := byteScore(lit[i]); s < bestScore {
			best, bestScore = i, s
		}
	}
	return best
}

func byteScore(b byte) int {
	switch {
	case b == ' ' || b == '"' || b == ':' || b == ',' || b == '=' || b == '.':
		return 6
	case strings.IndexByte("etaoinsr", b) >= 0:
		return 5
	case 'a' <= b && b <= 'z', '0' <= b && b <= '9':
		return 4
	case b == '-' || b == '/' || b == '_' || b == '\'':
		return 3
	case 'A' <= b && b <= 'Z':
		return 2
	}
	return 1
}

func buildIndex(pipelines []*Pipeline) selectIndex {
	ix := selectIndex{byVendor: map[string][]int{}, byProduct: map[string][]int{}, byApp: map[string][]int{}}
	byKey := map[int][]int{}
	type anchored struct {
		entries  []int
		prefixes []bytePrefix
	}
	first := map[string]*anchored{}
	literals := map[[2]string]int{}
	for pi, p := range pipelines {
		for si := range p.match {
			sel := &p.match[si]
			i := len(ix.entries)
			ix.entries = append(ix.entries, selEntry{pipe: pi, sel: sel})
			g := &sel.gate
			switch g.kind {
			case gateVendor:
				ix.byVendor[g.names[0]] = append(ix.byVendor[g.names[0]], i)
			case gateProduct:
				ix.byProduct[g.names[0]] = append(ix.byProduct[g.names[0]], i)
			case gateAnyCEF:
				ix.anyCEF = append(ix.anyCEF, i)
			case gateApp:
				for _, a := range dedupeNames(g.names) {
					ix.byApp[a] = append(ix.byApp[a], i)
				}
			case gateKey:
				if bit := keyBit(g.key); bit >= 0 {
					byKey[bit] = append(byKey[bit], i)
				} else {
					ix.always = append(ix.always, i)
				}
			case gateFirst:
				a := first[g.field]
				if a == nil {
					a = &anchored{}
					first[g.field] = a
				}
				a.entries = append(a.entries, i)
				a.prefixes = append(a.prefixes, g.prefix)
			case gateLiteral:
				k := [2]string{g.field, g.literal}
				li, ok := literals[k]
				if !ok {
					li = len(ix.literals)
					literals[k] = li
					ix.literals = append(ix.literals, literalGate{field: g.field, literal: g.literal, plan: planFor(g.literal)})
				}
				for len(ix.entryLit) < i {
					ix.entryLit = append(ix.entryLit, -1)
				}
				ix.entryLit = append(ix.entryLit, li)
			default:
				ix.always = append(ix.always, i)
			}
		}
	}
	for bit, entries := range byKey {
		for len(ix.byKey) <= bit {
			ix.byKey = append(ix.byKey, nil)
		}
		ix.byKey[bit] = entries
		ix.keyMask[bit>>6] |= 1 << (bit & 63)
	}
	for field, a := range first {
		ix.prefixes = append(ix.prefixes, newPrefixGate(field, a.entries, a.prefixes))
	}
	sort.Slice(ix.prefixes, func(i, j int) bool { return ix.prefixes[i].field < ix.prefixes[j].field })
	for len(ix.entryLit) < len(ix.entries) {
		ix.entryLit = append(ix.entryLit, -1)
	}
	for i := range ix.literals {
		g := &ix.literals[i]
		for j := range ix.literals {
			o := &ix.literals[j]
			if j != i && o.field == g.field && len(o.literal) < len(g.literal) && strings.Contains(g.literal, o.literal) {
				g.subs = append(g.subs, j)
			}
		}
		sort.SliceStable(g.subs, func(a, b int) bool {
			return len(ix.literals[g.subs[a]].literal) < len(ix.literals[g.subs[b]].literal)
		})
	}
	ix.litMask = make([]uint64, (len(ix.entries)+63)/64)
	for i, li := range ix.entryLit {
		if li >= 0 {
			ix.litMask[i>>6] |= 1 << (i & 63)
		}
	}
	return ix
}

func dedupeNames(names []string) []string {
	var out []string
	for _, n := range names {
		if !contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// selectFor returns the pipeline of the first selector that takes e, or -1.
// c must have been reset for e.
func (ix *selectIndex) selectFor(e *event.Event, c *selCache) int {
	c.mark(ix.always)
	var buf [64]byte
	if len(ix.byApp) > 0 {
		if prog, ok := c.program(e); ok {
			c.mark(ix.byApp[string(lowerKey(prog, buf[:0]))])
		}
	}
	if (len(ix.byVendor) > 0 || len(ix.byProduct) > 0 || len(ix.anyCEF) > 0) && c.isCEF(e) {
		c.mark(ix.anyCEF)
		if v := c.str(e, specVendor); v != "" {
			c.mark(ix.byVendor[string(lowerKey(v, buf[:0]))])
		}
		if p := c.str(e, specProduct); p != "" && len(ix.byProduct) > 0 {
			c.mark(ix.byProduct[string(lowerKey(p, buf[:0]))])
		}
	}
	if len(ix.byKey) > 0 {
		c.fillKeys(e)
		// The keys the event has, not every key gate: a record has few.
		for w := range ix.keyMask {
			word := c.keys[w] & ix.keyMask[w]
			for word != 0 {
				c.mark(ix.byKey[w<<6|bits.TrailingZeros64(word)])
				word &= word - 1
			}
		}
	}
	for i := range ix.prefixes {
		g := &ix.prefixes[i]
		if t, ok := c.text(e, g.field); ok && t != "" {
			g.mark(t, c)
		}
	}
	// The selectors gated by a literal are candidates too, but their
	// literal is looked for only when one comes before the first match:
	// a record a pipeline takes does not pay for the literals of the
	// pipelines after it.
	for w := range c.cand {
		word := c.cand[w] | ix.litMask[w]
		for word != 0 {
			i := w<<6 | bits.TrailingZeros64(word)
			word &= word - 1
			if c.cand[w]&(1<<(i&63)) == 0 && !c.hasLiteral(e, ix, ix.entryLit[i]) {
				continue
			}
			en := &ix.entries[i]
			if en.sel.matches(e, c) {
				return en.pipe
			}
		}
	}
	return -1
}

// hasLiteral reports whether e's text holds literal li, looking once per
// event.
func (c *selCache) hasLiteral(e *event.Event, ix *selectIndex, li int) bool {
	w, bit := li>>6, uint64(1)<<(li&63)
	if c.litDone[w]&bit == 0 {
		c.litDone[w] |= bit
		g := &ix.literals[li]
		for _, sub := range g.subs {
			if !c.hasLiteral(e, ix, sub) {
				return false
			}
		}
		if t, ok := c.text(e, g.field); ok && containsPlan(t, g.literal, &g.plan) {
			c.litFound[w] |= bit
		}
	}
	return c.litFound[w]&bit != 0
}

// mark adds selectors to the candidates.
func (c *selCache) mark(entries []int) {
	for _, i := range entries {
		c.cand[i>>6] |= 1 << (i & 63)
	}
}

// lowerKey appends s in lower case to buf, for a map lookup
// m[string(b)], which does not allocate.
func lowerKey(s string, buf []byte) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return append(buf, strings.ToLower(s)...)
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if 'A' <= ch && ch <= 'Z' {
			ch += 'a' - 'A'
		}
		buf = append(buf, ch)
	}
	return buf
}
