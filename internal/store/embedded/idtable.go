package embedded

import "math"

// idTable is the compact set behind hotIDs: each event's key (idKey)
// reduced to a 96-bit fingerprint, with the hot segment its line is in,
// in one open-addressing table (linear probing) of 16-byte slots. A Go map
// of the same keys took 56 bytes a key (BenchmarkHotIDsBytes); this takes
// 16 bytes a slot at a load of 3/8 to 3/4: 21 to 43 bytes a key, and at
// most 64 MiB for the 2²¹ keys hotIDLimit allows.
//
// Ninety-six bits of two seeded hashes: two different events share a
// fingerprint with probability about k²/2⁹⁷ for k keys in the table, below
// 10⁻¹⁶ for 2²¹ keys; a write that met such a collision would drop an event
// as a replay.
type idTable struct {
	slots []idSlot // a power of two of them; a == 0 marks an empty slot
	n     int
	// base is the segment a slot's seq 0 stands for: a slot holds its
	// segment less base in 32 bits, and each freeze moves base past the
	// segments it froze.
	base uint64
}

type idSlot struct {
	a   uint64
	b   uint32
	seq uint32
}

// minIDSlots is the smallest table: 16 KiB.
const minIDSlots = 1 << 10

func fingerprint(k idKey) (uint64, uint32) {
	a := k.a
	if a == 0 {
		a = 1 // 0 marks an empty slot
	}
	return a, uint32(k.b)
}

func (t *idTable) len() int { return t.n }

// find returns the slot holding the fingerprint, or the empty slot where
// it would go.
func (t *idTable) find(a uint64, b uint32) int {
	mask := len(t.slots) - 1
	i := int(a) & mask
	for {
		s := &t.slots[i]
		if s.a == 0 || (s.a == a && s.b == b) {
			return i
		}
		i = (i + 1) & mask
	}
}

func (t *idTable) contains(k idKey) bool {
	if t.n == 0 {
		return false
	}
	a, b := fingerprint(k)
	return t.slots[t.find(a, b)].a != 0
}

// put remembers k as written to segment seq (a later put of k replaces
// its segment, as a map would). A segment older than every one the table
// holds is remembered as the oldest, so the next freeze forgets it; put
// returns false, remembering nothing, for a segment 2³² past the oldest
// (about 4·10⁹ segments since the last freeze: never, in practice).
func (t *idTable) put(k idKey, seq uint64) bool {
	if t.n == 0 {
		t.base = seq
	}
	rel := uint64(0)
	if seq > t.base {
		rel = seq - t.base
	}
	if rel > math.MaxUint32 {
		return false
	}
	if (t.n+1)*4 > len(t.slots)*3 {
		t.resize(max(minIDSlots, 2*len(t.slots)))
	}
	a, b := fingerprint(k)
	i := t.find(a, b)
	if t.slots[i].a == 0 {
		t.n++
	}
	t.slots[i] = idSlot{a: a, b: b, seq: uint32(rel)}
	return true
}

// removeUpTo forgets the keys of segments up to last.
func (t *idTable) removeUpTo(last uint64) {
	if t.n == 0 || last < t.base {
		return
	}
	cut := last - t.base // slots with seq <= cut go
	// An empty slot of the table as it is: no probe sequence runs
	// through it, so none crosses the start of the pass below.
	start := -1
	for i := range t.slots {
		if t.slots[i].a == 0 {
			start = i
			break
		}
	}
	for i := range t.slots {
		s := &t.slots[i]
		if s.a == 0 {
			continue
		}
		if uint64(s.seq) <= cut {
			*s = idSlot{}
			t.n--
			continue
		}
		s.seq -= uint32(cut + 1)
	}
	t.base = last + 1
	if t.n*8 < len(t.slots) && len(t.slots) > minIDSlots {
		// the smallest table with a load of at most 3/8
		size := len(t.slots)
		for size/2 >= minIDSlots && t.n*8 <= size/2*3 {
			size /= 2
		}
		t.resize(size)
		return
	}
	// Close the gaps the removals left in probe sequences, in place: from
	// an empty slot on, each key moves to the first empty slot from its
	// home, which is its own slot or one before it, all visited already.
	mask := len(t.slots) - 1
	for j := 1; j <= len(t.slots); j++ {
		i := (start + j) & mask
		s := t.slots[i]
		if s.a == 0 {
			continue
		}
		t.slots[i] = idSlot{}
		t.slots[t.find(s.a, s.b)] = s
	}
}

// resize moves the keys to a table of size slots.
func (t *idTable) resize(size int) {
	old := t.slots
	t.slots = make([]idSlot, size)
	for _, s := range old {
		if s.a != 0 {
			t.slots[t.find(s.a, s.b)] = s
		}
	}
}
