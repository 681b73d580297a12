package sigma

import (
	"sort"
	"strings"
)

// The literal prefilter. Most rules can only match when some field holds
// some literal: `Image|endswith: '\whoami.exe'` needs "\whoami.exe" in
// Image, and an OR of such tests needs one of their literals. For every
// rule variant we derive such a requirement (a disjunction of field/literal
// pairs, requirementOf); a bucket indexes the literals by a 4-byte gram
// taken from each (the gram that fewest literals of the bucket share), and
// at match time scans the lower-cased text of the fields it needs once,
// looking every gram of the text up in a bitmap and then a hash table. Only
// the variants some of whose grams occur — plus those without a
// requirement — are evaluated. A gram hit is necessary, not sufficient, so
// the full matcher still decides.

const (
	gramLen     = 4
	gramBits    = 16   // bitmap of 64Ki bits per bucket and field
	minLitLen   = 3    // shorter literals are checked with strings.Contains
	maxReqPairs = 4096 // more alternatives than this: not worth indexing
)

// litReq is one field/literal pair of a requirement; lit is lower-cased.
type litReq struct {
	acc int32
	lit string
}

// requirementOf returns the pairs one of which must hold for n to match,
// or nil when there is no such requirement.
func requirementOf(n node) []litReq {
	switch x := n.(type) {
	case *strNode:
		if x.absent || len(x.ms) == 0 {
			return nil
		}
		if x.all {
			best := ""
			for i := range x.ms {
				if l := x.ms[i].longestLiteral(); len(l) > len(best) {
					best = l
				}
			}
			if best == "" {
				return nil
			}
			return []litReq{{acc: x.acc, lit: lowerLit(best, x.cased)}}
		}
		out := make([]litReq, 0, len(x.ms))
		for i := range x.ms {
			l := x.ms[i].longestLiteral()
			if l == "" {
				return nil
			}
			out = append(out, litReq{acc: x.acc, lit: lowerLit(l, x.cased)})
		}
		return dedupReqs(out)
	case *fieldNode:
		if x.absent || len(x.ms) == 0 {
			return nil
		}
		var per [][]litReq
		for _, m := range x.ms {
			rm, ok := m.(reMatcher)
			if !ok || len(rm.lits) == 0 {
				if x.all {
					continue
				}
				return nil
			}
			r := make([]litReq, len(rm.lits))
			for i, l := range rm.lits {
				r[i] = litReq{acc: x.acc, lit: l}
			}
			per = append(per, r)
		}
		return combine(per, x.all)
	case *keywordNode:
		var per [][]litReq
		for i := range x.ms {
			l := x.ms[i].longestLiteral()
			if l == "" {
				if x.all {
					continue
				}
				return nil
			}
			per = append(per, []litReq{{acc: keywordAcc, lit: lowerLit(l, x.ms[i].cased)}})
		}
		for _, re := range x.res {
			lits := regexLiterals(re.String())
			if len(lits) == 0 {
				if x.all {
					continue
				}
				return nil
			}
			r := make([]litReq, len(lits))
			for i, l := range lits {
				r[i] = litReq{acc: keywordAcc, lit: l}
			}
			per = append(per, r)
		}
		return combine(per, x.all)
	case andNode:
		var best []litReq
		for _, c := range x {
			r := requirementOf(c)
			if r != nil && (best == nil || betterReq(r, best)) {
				best = r
			}
		}
		return best
	case orNode:
		return unionReqs(x)
	case atLeastNode:
		return unionReqs(x.children)
	}
	return nil
}

// keywordAcc stands for "any field of the event" in a requirement of a
// keyword search.
const keywordAcc = -1

// combine joins the requirements of the parts of one test: with all, any
// part's requirement holds for the whole (the best is kept); otherwise
// their union.
func combine(per [][]litReq, all bool) []litReq {
	if len(per) == 0 {
		return nil
	}
	if all {
		best := per[0]
		for _, r := range per[1:] {
			if betterReq(r, best) {
				best = r
			}
		}
		return best
	}
	var out []litReq
	for _, r := range per {
		out = append(out, r...)
		if len(out) > maxReqPairs {
			return nil
		}
	}
	return dedupReqs(out)
}

func unionReqs(kids []node) []litReq {
	var out []litReq
	for _, c := range kids {
		r := requirementOf(c)
		if r == nil {
			return nil
		}
		out = append(out, r...)
		if len(out) > maxReqPairs {
			return nil
		}
	}
	return dedupReqs(out)
}

func lowerLit(l string, cased bool) string {
	if cased {
		return lower(l)
	}
	return l
}

// betterReq prefers requirements whose shortest literal is longer (rarer in
// event text), then fewer pairs.
func betterReq(a, b []litReq) bool {
	ma, mb := minLen(a), minLen(b)
	if ma != mb {
		return ma > mb
	}
	return len(a) < len(b)
}

func minLen(r []litReq) int {
	m := -1
	for _, p := range r {
		if m < 0 || len(p.lit) < m {
			m = len(p.lit)
		}
	}
	return m
}

func dedupReqs(r []litReq) []litReq {
	sort.Slice(r, func(i, j int) bool {
		if r[i].acc != r[j].acc {
			return r[i].acc < r[j].acc
		}
		return r[i].lit < r[j].lit
	})
	out := r[:0]
	for i, p := range r {
		if i > 0 && p == r[i-1] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// bucket is a set of variants evaluated together, with their prefilter.
type bucket struct {
	id     int
	vs     []*variant
	always []int32 // variants with no requirement
	fields []*fieldGrams
}

// fieldGrams indexes the literals required of one field in a bucket.
type fieldGrams struct {
	acc    int32
	bitmap []uint64           // gram hash → may be in table
	table  map[uint32][]int32 // gram → variants
	short  []shortLit         // literals too short for a gram
	grams3 bool               // some literals index a 3-byte gram
}

type shortLit struct {
	lit string
	vs  []int32
}

func (rs *RuleSet) newBucket(vs []*variant) *bucket {
	b := &bucket{id: rs.buckets, vs: vs}
	rs.buckets++
	rs.all = append(rs.all, b)
	byField := map[int32]*fieldGrams{}
	var order []int32
	// gram frequency over the bucket's literals, to pick rare grams
	type pair struct {
		v   int32
		req litReq
	}
	var pairs []pair
	freq := map[uint32]int{}
	for i, v := range vs {
		if v.req == nil {
			v.req = requirementOf(v.root)
		}
		if v.req == nil {
			b.always = append(b.always, int32(i))
			continue
		}
		for _, r := range v.req {
			pairs = append(pairs, pair{int32(i), r})
			seen := map[uint32]bool{}
			for _, g := range gramsOf(r.lit) {
				if !seen[g] {
					freq[g]++
					seen[g] = true
				}
			}
		}
	}
	for _, p := range pairs {
		fg := byField[p.req.acc]
		if fg == nil {
			fg = &fieldGrams{acc: p.req.acc, bitmap: make([]uint64, 1<<gramBits/64), table: map[uint32][]int32{}}
			byField[p.req.acc] = fg
			order = append(order, p.req.acc)
		}
		if len(p.req.lit) < minLitLen {
			fg.addShort(p.req.lit, p.v)
			continue
		}
		best, bestN := uint32(0), -1
		for _, g := range gramsOf(p.req.lit) {
			if p.req.acc == keywordAcc && !asciiGram(g) {
				continue // raw text is only ASCII-folded when scanned
			}
			if n := freq[g]; bestN < 0 || n < bestN {
				best, bestN = g, n
			}
		}
		if bestN < 0 {
			fg.addShort(p.req.lit, p.v)
			continue
		}
		if len(p.req.lit) < gramLen {
			fg.grams3 = true
		}
		if list := fg.table[best]; len(list) == 0 || list[len(list)-1] != p.v {
			fg.table[best] = append(list, p.v)
		}
		h := gramHash(best)
		fg.bitmap[h>>6] |= 1 << (h & 63)
	}
	sortedInts(order)
	for _, acc := range order {
		b.fields = append(b.fields, byField[acc])
	}
	return b
}

func (fg *fieldGrams) addShort(lit string, v int32) {
	for i := range fg.short {
		if fg.short[i].lit == lit {
			fg.short[i].vs = append(fg.short[i].vs, v)
			return
		}
	}
	fg.short = append(fg.short, shortLit{lit: lit, vs: []int32{v}})
}

// gramsOf returns the 4-byte grams of lit, or its one 3-byte gram.
func gramsOf(lit string) []uint32 {
	if len(lit) < gramLen {
		if len(lit) == 3 {
			return []uint32{gram3(lit, 0)}
		}
		return nil
	}
	out := make([]uint32, 0, len(lit)-gramLen+1)
	for i := 0; i+gramLen <= len(lit); i++ {
		out = append(out, gram4(lit, i))
	}
	return out
}

// lowerTab lower-cases ASCII letters and leaves every other byte alone.
var lowerTab = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] = byte(i + 'a' - 'A')
		}
	}
	return t
}()

func gram4(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

// gram3 keys a 3-byte gram apart from every 4-byte one: 0xff never starts a
// valid UTF-8 sequence, so no lower-cased text holds it.
func gram3(s string, i int) uint32 {
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | 0xff<<24
}

func asciiGram(g uint32) bool {
	for i := 0; i < 4; i++ {
		if b := byte(g >> (8 * i)); b >= 0x80 && !(i == 3 && b == 0xff) {
			return false
		}
	}
	return true
}

func gramHash(g uint32) uint32 {
	return (g * 0x9E3779B1) >> (32 - gramBits)
}

// candidates returns the indexes of the variants of b to evaluate for the
// current event, in rule order.
func (v *view) candidates(b *bucket) []int32 {
	if len(b.fields) == 0 {
		return b.always
	}
	for len(v.stamps) <= b.id {
		v.stamps = append(v.stamps, nil)
	}
	st := v.stamps[b.id]
	if st == nil {
		st = make([]uint32, len(b.vs))
		v.stamps[b.id] = st
	}
	v.mark++
	if v.mark == 0 {
		for _, s := range v.stamps {
			clear(s)
		}
		v.mark = 1
	}
	mark := v.mark
	cands := append(v.cands[:0], b.always...)
	hit := func(list []int32) {
		for _, i := range list {
			if st[i] != mark {
				st[i] = mark
				cands = append(cands, i)
			}
		}
	}
	for _, fg := range b.fields {
		if fg.acc == keywordAcc {
			if len(fg.short) > 0 {
				for _, s := range v.keywordTexts() {
					fg.scanShort(s, hit)
				}
			}
			v.keywordCandidates(b, hit)
			continue
		}
		a := v.get(fg.acc)
		if !a.present {
			continue
		}
		fg.scan(a.lowerOf(), hit)
	}
	if len(cands) > len(b.always) {
		sortedInts(cands)
	}
	v.cands = cands
	return cands
}

// scan looks the grams of lower-cased text s up and reports the variants
// whose literal may be in it.
func (fg *fieldGrams) scan(s string, hit func([]int32)) {
	fg.scanShort(s, hit)
	fg.scanGrams(s, hit)
}

func (fg *fieldGrams) scanShort(s string, hit func([]int32)) {
	for i := range fg.short {
		if strings.Contains(s, fg.short[i].lit) {
			hit(fg.short[i].vs)
		}
	}
}

// scanGrams looks up every gram of lower-cased text s. The gram rolls one
// byte at a time, and the bitmap (8 KiB, in L1) answers most positions
// alone. Keyword literals are looked up by the shared index (kwindex.go),
// which scans raw text with its ASCII letters folded (they index only
// ASCII grams, so that finds all of theirs).
func (fg *fieldGrams) scanGrams(s string, hit func([]int32)) {
	if len(s) < 3 {
		return
	}
	bm := fg.bitmap
	var g uint32
	for i := 0; i < len(s); i++ {
		g = g>>8 | uint32(s[i])<<24
		if i >= gramLen-1 {
			if h := gramHash(g); bm[h>>6]&(1<<(h&63)) != 0 {
				if list, ok := fg.table[g]; ok {
					hit(list)
				}
			}
		}
		if fg.grams3 && i >= 2 {
			g3 := g>>8 | 0xff<<24
			if h := gramHash(g3); bm[h>>6]&(1<<(h&63)) != 0 {
				if list, ok := fg.table[g3]; ok {
					hit(list)
				}
			}
		}
	}
}

// Literal is a text that one of Fields holds, lower-cased, in every event
// a rule of a rule set matches (one of several: see Requirement).
type Literal struct {
	Fields []string
	Text   string
}

// Requirement returns literals one of which every event a rule of rs
// matches holds: the same necessary condition the prefilter checks, for a
// store to filter on before the events reach the matcher (a backtest).
// ok is false when some rule may match an event holding none (a rule
// without a literal to require): every event must then be evaluated.
func (rs *RuleSet) Requirement() (lits []Literal, ok bool) {
	for _, c := range rs.rules {
		for _, v := range c.variants {
			req := v.req
			if req == nil {
				req = requirementOf(v.root)
			}
			if req == nil {
				return nil, false
			}
			for _, r := range req {
				if r.acc == keywordAcc {
					return nil, false // any field: nothing to filter on
				}
				lits = append(lits, Literal{Fields: append([]string(nil), rs.accs[r.acc].names...), Text: r.lit})
			}
		}
	}
	return lits, len(lits) > 0
}
