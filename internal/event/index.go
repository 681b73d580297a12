package event

// A wide event (a FortiGate or PAN-OS line parses to 40–60 fields) keeps a
// small hash index of its field names, so that a pipeline's 30-odd reads
// and writes do not each scan every field.
//
// The index lives inline in Event (a copy of an Event copies it; nothing is
// shared) and is only ever written by the writing methods (Set, Delete,
// Rename), never by Get, so concurrent readers of an event that nobody
// writes stay race-free. It describes Fields[:n] of the backing array it
// was built on: Get checks that before trusting it, scans Fields[n:]
// (fields added by Append or a direct append since), and verifies every
// hit by comparing the name. What it cannot see is a name changed in place
// in Fields[:n] or a removal followed by appends back to the same length:
// code that does that must call FieldsRewritten (see Event.Fields).

const (
	// indexMin is the field count from which writes build the index: below
	// it a scan of the names is as fast as hashing one.
	indexMin = 24
	// indexAfter is how many writes to a wide event scan before one
	// builds the index: building costs about as much as four scans.
	indexAfter = 4
	// indexSlots is the size of the open-addressed table; with at most
	// indexMax live positions (plus tombstones) it stays under 3/4 full.
	indexSlots = 128
	indexMax   = 96
	tombstone  = 0xff
)

// nameIndex maps a field name to its position in Fields (slot value
// position+1; 0 empty, tombstone deleted).
type nameIndex struct {
	base *Field // &Fields[0] when built; nil: no index
	n    uint16 // Fields[:n] are in slot
	used uint16 // slots not empty (tombstones included)
	// writes counts the writes to a wide event without an index: a few
	// writes scan, so an event that is only touched by one or two Sets
	// (a Go normaliser, an enricher) never pays for building it.
	writes uint8
	slot [indexSlots]uint8
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

// lookup returns the position of name among fs[:x.n], or -1. x must be valid.
func (x *nameIndex) lookup(fs []Field, name string) int {
	for h := nameHash(name); ; h = (h + 1) & (indexSlots - 1) {
		s := x.slot[h]
		if s == 0 {
			return -1
		}
		if s != tombstone {
			if p := int(s) - 1; p < int(x.n) && fs[p].Name == name {
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

// sync makes the index describe all of fs, building it anew when it is
// stale, and reports whether there is one (fs may be too small or too
// large for it).
func (x *nameIndex) sync(fs []Field) bool {
	if len(fs) < indexMin || len(fs) > indexMax {
		x.base = nil
		return false
	}
	if !x.valid(fs) {
		if x.writes < indexAfter {
			x.writes++
			return false
		}
		*x = nameIndex{base: &fs[0], writes: x.writes}
	} else if int(x.used)+len(fs)-int(x.n) > indexSlots*3/4 {
		*x = nameIndex{base: &fs[0], writes: x.writes}
	}
	for p := int(x.n); p < len(fs); p++ {
		x.insert(fs[p].Name, p)
	}
	x.n = uint16(len(fs))
	return true
}

// removed records that fs[p] was cut out and the fields after it moved
// down one place.
func (x *nameIndex) removed(p int) {
	for i := range x.slot {
		switch s := int(x.slot[i]); {
		case s == p+1:
			x.slot[i] = tombstone
		case s > p+1 && s != tombstone:
			x.slot[i]--
		}
	}
	x.n--
}

// FieldsRewritten tells e that code changed Fields other than by appending
// to it (renamed an entry in place, removed or reordered entries): the name
// index is dropped and rebuilt by the next write.
func (e *Event) FieldsRewritten() { e.idx.base = nil }

// find returns the position of name in e.Fields, or -1.
func (e *Event) find(name string) int {
	fs := e.Fields
	from := 0
	if e.idx.base != nil && e.idx.valid(fs) {
		if p := e.idx.lookup(fs, name); p >= 0 {
			return p
		}
		from = int(e.idx.n)
	}
	for i := from; i < len(fs); i++ {
		if fs[i].Name == name {
			return i
		}
	}
	return -1
}
