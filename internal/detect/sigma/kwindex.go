package sigma

// The keyword prefilter, shared by the buckets. A keyword search looks at
// every field of the event, so each bucket with one used to scan all of
// the event's text with its own gram table; an event that several such
// buckets see (a web request meets the webserver and the proxy rules)
// was scanned once per bucket. The grams of every bucket's keyword
// literals are indexed once for the rule set instead: the event's text is
// scanned once, on the first bucket that needs it, and each bucket then
// takes from the grams found the entries that are its own. A bucket's
// candidates are the same as with its own scan, since each gram maps to
// the same variants of that bucket.

// kwIndex is the union of the buckets' keyword gram tables.
type kwIndex struct {
	bitmap  []uint64         // gram hash → may be in table
	table   map[uint32]int32 // gram → entry
	entries [][]kwRef
	grams3  bool // some entry is a 3-byte gram
}

// kwRef is the variants of one bucket whose keyword literal holds a gram.
type kwRef struct {
	bucket int32
	vs     []int32
}

// newKwIndex merges the keyword gram tables of buckets and drops theirs;
// nil when no bucket has keyword literals long enough for a gram.
func newKwIndex(buckets []*bucket) *kwIndex {
	x := &kwIndex{bitmap: make([]uint64, 1<<gramBits/64), table: map[uint32]int32{}}
	for _, b := range buckets {
		for _, fg := range b.fields {
			if fg.acc != keywordAcc {
				continue
			}
			grams := make([]uint32, 0, len(fg.table))
			for g := range fg.table {
				grams = append(grams, g)
			}
			sortedGrams(grams)
			for _, g := range grams {
				e, ok := x.table[g]
				if !ok {
					e = int32(len(x.entries))
					x.table[g] = e
					x.entries = append(x.entries, nil)
					h := gramHash(g)
					x.bitmap[h>>6] |= 1 << (h & 63)
				}
				x.entries[e] = append(x.entries[e], kwRef{bucket: int32(b.id), vs: fg.table[g]})
			}
			x.grams3 = x.grams3 || fg.grams3
			fg.table, fg.bitmap = nil, nil
		}
	}
	if len(x.entries) == 0 {
		return nil
	}
	return x
}

// kwHits returns the entries of the shared keyword index whose gram is in
// the text of the current event (ASCII letters folded), each once. It
// scans on the first call for an event.
func (v *view) kwHits() []int32 {
	if v.kwHitsOK {
		return v.kwHit
	}
	v.kwHitsOK = true
	x := v.rs.kw
	v.kwHit = v.kwHit[:0]
	if x == nil {
		return nil
	}
	if len(v.kwStamps) < len(x.entries) {
		v.kwStamps = make([]uint32, len(x.entries))
	}
	v.kwMark++
	if v.kwMark == 0 {
		clear(v.kwStamps)
		v.kwMark = 1
	}
	mark := v.kwMark
	look := func(g uint32) {
		if e, ok := x.table[g]; ok && v.kwStamps[e] != mark {
			v.kwStamps[e] = mark
			v.kwHit = append(v.kwHit, e)
		}
	}
	bm, g3 := x.bitmap, x.grams3
	v.rangeTexts(func(s string) {
		if len(s) < 3 {
			return
		}
		// the first two bytes start the gram; from the third on, a 3-byte
		// gram ends at each byte, and from the fourth a 4-byte one
		g := uint32(lowerTab[s[0]])<<16 | uint32(lowerTab[s[1]])<<24
		for i := 2; i < len(s); i++ {
			g = g>>8 | uint32(lowerTab[s[i]])<<24
			if i >= gramLen-1 {
				if h := gramHash(g); bm[h>>6]&(1<<(h&63)) != 0 {
					look(g)
				}
			}
			if g3 {
				t := g>>8 | 0xff<<24
				if h := gramHash(t); bm[h>>6]&(1<<(h&63)) != 0 {
					look(t)
				}
			}
		}
	})
	return v.kwHit
}

// keywordCandidates reports to hit the variants of bucket b that the
// current event's text may satisfy through a keyword gram.
func (v *view) keywordCandidates(b *bucket, hit func([]int32)) {
	x := v.rs.kw
	for _, e := range v.kwHits() {
		for _, r := range x.entries[e] {
			if r.bucket == int32(b.id) {
				hit(r.vs)
			}
		}
	}
}
