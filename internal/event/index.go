package event

// A wide event (a FortiGate or PAN-OS line parses to 40–60 fields) keeps a
// small hash index of its field names, so that a pipeline's 30-odd reads
// and writes do not each scan every field.
//
// The index is allocated on the 17th write to a wide event, kept across
// Reset like the capacity of Fields, and only ever written by the writing
// methods (Set, Delete, Rename), never by Get, so concurrent readers of an
// event that nobody writes stay race-free. It names its owner: a copy of
// an Event (c := *e) ignores the original's index and builds its own. It describes Fields[:n] of the backing array it
// was built on: Get checks that before trusting it, scans Fields[n:]
// (fields added by Append or a direct append since), and verifies every
// hit by comparing the name. What it cannot see is a name changed in place
// in Fields[:n] or a removal followed by appends back to the same length:
// code that does that must call FieldsRewritten (see Event.Fields).

const (
	// indexMin is the field count from which writes build the index: below
	// it a scan of the names is as fast as hashing one.
	indexMin = 24
	// indexAfter is how many writes to a wide event without a valid index
	// scan before one builds it: building costs about as much as four
	// scans, and an event written a dozen times (a Go normaliser's) should
	// not pay for it.
	indexAfter = 16
	// indexSlots is the size of the open-addressed table; with at most
	// indexMax positions recorded it stays under 3/4 full.
	indexSlots = 128
	indexMax   = 96
	// maxDel bounds the removals an index absorbs: each widens a lookup by
	// one position.
	maxDel = 4
)

// nameIndex maps a field name to its position in Fields (slot value
// position+1 when it was recorded; 0 empty).
type nameIndex struct {
	owner *Event
	base  *Field // &Fields[0] when built; nil: no index
	n     uint16 // Fields[:n] are in slot
	used  uint16 // slots not empty
	del   uint8  // removals since it was built
	slot  [indexSlots]uint8
}

// nameHash hashes a field name from its length and its first and last
// eight bytes (names of one vendor share a prefix; they differ at the end).
func nameHash(s string) uint {
	n := len(s)
	h := uint64(n) * 0x9e3779b97f4a7c15
	if n >= 8 {
		h ^= load64(s[:8])
		h *= 0xff51afd7ed558ccd
		h ^= load64(s[n-8:])
	} else {
		for i := 0; i < n; i++ {
			h = (h ^ uint64(s[i])) * 0x100000001b3
		}
	}
	h *= 0xc4ceb9fe1a85ec53
	return uint(h >> 57) // 7 bits: indexSlots == 128
}

func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// valid reports whether the index describes fs (up to its n).
func (x *nameIndex) valid(fs []Field) bool {
	return x.base != nil && len(fs) > 0 && x.base == &fs[0] && int(x.n) <= len(fs)
}

// lookup returns the position of name among fs[:x.n], or -1. x must be
// valid. A field indexed at q has moved down by at most x.del places since
// (one per removal before it): positions q-x.del to q are checked. Names
// are unique, so whichever holds name is it.
func (x *nameIndex) lookup(fs []Field, name string) int {
	for h := nameHash(name); ; h = (h + 1) & (indexSlots - 1) {
		s := x.slot[h]
		if s == 0 {
			return -1
		}
		q := int(s) - 1
		for p := min(q, int(x.n)-1); p >= 0 && p >= q-int(x.del); p-- {
			if fs[p].Name == name {
				return p
			}
		}
	}
}

// insert records that fs[p] holds name; the caller keeps n up to date.
func (x *nameIndex) insert(name string, p int) {
	h := nameHash(name)
	for x.slot[h] != 0 {
		h = (h + 1) & (indexSlots - 1)
	}
	x.slot[h] = uint8(p + 1)
	x.used++
}

// syncIndex makes e's index describe all of e.Fields, building it when it
// is missing or stale, and returns it; nil while the event is too small or
// too large for one, or has not been written often enough to pay for it.
func (e *Event) syncIndex() *nameIndex {
	fs := e.Fields
	if len(fs) < indexMin {
		return nil
	}
	x := e.own()
	if len(fs) > indexMax {
		if x != nil {
			x.base = nil
		}
		return nil
	}
	if x == nil || !x.valid(fs) || int(x.used)+len(fs)-int(x.n) > indexSlots*3/4 {
		if e.writes < indexAfter {
			e.writes++
			return nil
		}
		e.writes = 0 // once stale, it waits for as many writes again
		if x == nil {
			x = &nameIndex{owner: e}
			e.idx = x
		}
		*x = nameIndex{owner: e, base: &fs[0]}
	}
	for p := int(x.n); p < len(fs); p++ {
		x.insert(fs[p].Name, p)
	}
	x.n = uint16(len(fs))
	return x
}

// own returns e's index, nil when it has none or holds a copy of another
// event's pointer (a copied Event must not write, or trust, the original's).
func (e *Event) own() *nameIndex {
	if x := e.idx; x != nil && x.owner == e {
		return x
	}
	return nil
}

// removed records that a field of fs[:x.n] was cut out and the fields
// after it moved down one place; after maxDel removals the index is
// dropped and the next write builds it anew.
func (x *nameIndex) removed() {
	x.n--
	if x.del++; x.del > maxDel {
		x.base = nil
	}
}

// FieldsRewritten tells e that code changed Fields other than by appending
// to it (renamed an entry in place, removed or reordered entries): the name
// index is dropped and rebuilt by the next write.
func (e *Event) FieldsRewritten() {
	if x := e.own(); x != nil {
		x.base = nil
	}
}

// indexed looks name up in the index: its position, or -1 and the number
// of leading fields the index has ruled out (0 when the index is stale).
func (e *Event) indexed(name string) (int, int) {
	x := e.own()
	if x == nil || !x.valid(e.Fields) {
		return -1, 0
	}
	if p := x.lookup(e.Fields, name); p >= 0 {
		return p, 0
	}
	return -1, int(x.n)
}

// find returns the position of name in e.Fields, or -1.
func (e *Event) find(name string) int {
	fs, from := e.Fields, 0
	if e.idx != nil {
		p, n := e.indexed(name)
		if p >= 0 {
			return p
		}
		from = n
	}
	for i := from; i < len(fs); i++ {
		if fs[i].Name == name {
			return i
		}
	}
	return -1
}
