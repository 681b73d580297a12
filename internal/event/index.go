package event

import "unsafe"

// nameIndex finds an event's fields by name without scanning them: a small
// open-addressing table over Fields[:n] that Get, Set and Delete probe
// instead of comparing every name. It lives inline in the Event (copying an
// Event copies it; Reset clears it), so it costs no allocation.
//
// The index is written only by Event's methods; Get only reads it, so
// concurrent readers stay safe. It is trusted for Fields[:n] while Fields
// still starts where it did when the index was written (base) and has at
// least n entries; fields appended behind it (Fields[n:]) are scanned. So
// code may append to Fields and change values in place directly; code that
// removes, reorders or renames entries of Fields directly must call
// Reindex after (the methods do it for themselves).
type nameIndex struct {
	base *Field // &Fields[0] when the index was written
	n    uint8  // Fields[:n] are indexed; 0: no index
	// slots hold tag<<8 | position+1 (0: empty); tag is 8 bits of the
	// name's hash, so a probe rarely compares a name that differs.
	slots [indexSlots]uint16
	// hashes holds the 16 hash bits the table uses of each of Fields[:n]
	// (home slot and tag), so the table is rebuilt after a removal without
	// reading or hashing a name.
	hashes [indexMax]uint16
}

const (
	// indexSlots is the size of the table (a power of two).
	indexSlots = 128
	// indexMax is the number of fields indexed at most (three quarters of
	// the slots, so probes stay short; positions fit in a byte); fields
	// beyond it are scanned.
	indexMax = 96
	// indexMin is the number of fields below which there is no index:
	// comparing a few names (lengths first) costs less than hashing one.
	indexMin = 10
)

// nameHash hashes a field name to the 16 bits the index uses: the home
// slot in the low 7 bits, the tag in the high 8. It reads the name's
// length, its first 8 and its last 16 bytes (vendor fields share long
// prefixes and differ near the end: fortinet.firewall.srcintfrole,
// fortinet.firewall.dstintfrole). The loads are unaligned 8-byte reads
// inside the string (amd64 and arm64 take them; checkptr checks only the
// alignment of pointer-holding types).
func nameHash(s string) uint16 {
	n := len(s)
	var a, b, c uint64
	p := unsafe.Pointer(unsafe.StringData(s))
	switch {
	case n >= 16:
		a = *(*uint64)(p)
		b = *(*uint64)(unsafe.Add(p, n-16))
		c = *(*uint64)(unsafe.Add(p, n-8))
	case n >= 8:
		a = *(*uint64)(p)
		c = *(*uint64)(unsafe.Add(p, n-8))
	case n >= 4:
		a = uint64(*(*uint32)(p))
		c = uint64(*(*uint32)(unsafe.Add(p, n-4)))
	case n > 0:
		a = uint64(s[0]) | uint64(s[n/2])<<8 | uint64(s[n-1])<<16
	}
	h := a*0x9E3779B97F4A7C15 ^ (b^uint64(n))*0xC2B2AE3D27D4EB4F ^ c*0x165667B19E3779F9
	h ^= h >> 31
	h *= 0xBF58476D1CE4E5B9
	return uint16(h >> 48)
}

func slotOf(h uint16) uint16 { return h & (indexSlots - 1) }
func tagOf(h uint16) uint16  { return h & 0xff00 }

// readable reports whether Get may trust the index for Fields[:n].
func (x *nameIndex) readable(fs []Field) bool {
	return x.n > 0 && x.base == unsafe.SliceData(fs) && int(x.n) <= len(fs)
}

// lookup returns the position of the first field of Fields[:n] named
// name, or -1.
func (x *nameIndex) lookup(fs []Field, name string) int {
	return x.lookupHash(fs, name, nameHash(name))
}

// lookupHash is lookup for a name whose hash the caller has.
func (x *nameIndex) lookupHash(fs []Field, name string, h uint16) int {
	tag := tagOf(h)
	for i := slotOf(h); ; i = (i + 1) & (indexSlots - 1) {
		s := x.slots[i]
		if s == 0 {
			return -1
		}
		if s&0xff00 == tag {
			if p := int(s&0xff) - 1; fs[p].Name == name {
				return p
			}
		}
	}
}

// insert indexes position pos, whose name hashes to h. Positions are
// inserted in ascending order, so of two fields of one name the first is
// found first (as a scan finds it), and the second once the first is
// removed.
func (x *nameIndex) insert(h uint16, pos int) {
	i := slotOf(h)
	for x.slots[i] != 0 {
		i = (i + 1) & (indexSlots - 1)
	}
	x.slots[i] = tagOf(h) | uint16(pos+1)
	x.hashes[pos] = h
}

// rehash rebuilds the table from hashes[:n].
func (x *nameIndex) rehash() {
	clear(x.slots[:])
	for i := 0; i < int(x.n); i++ {
		x.insert(x.hashes[i], i)
	}
}

// sync brings the index of e up to date before a method reads or writes
// e's fields through it, and reports whether there is one.
func (e *Event) sync() bool {
	x := &e.ix
	fs := e.Fields
	if len(fs) < indexMin {
		if x.n != 0 {
			x.drop()
		}
		return false
	}
	if x.n == 0 || x.base != unsafe.SliceData(fs) || int(x.n) > len(fs) {
		x.drop()
		x.base = unsafe.SliceData(fs)
	}
	for i := int(x.n); i < len(fs) && i < indexMax; i++ {
		x.insert(nameHash(fs[i].Name), i)
		x.n = uint8(i + 1)
	}
	return true
}

func (x *nameIndex) drop() {
	clear(x.slots[:])
	x.n, x.base = 0, nil
}

// Reindex tells e that its Fields were changed directly in a way the
// index of names cannot see: entries removed, reordered or renamed, or
// Fields replaced by another slice of as many fields. Appending to Fields
// and changing values in place need no call. An index there was is
// rebuilt now; otherwise the next write builds one.
func (e *Event) Reindex() {
	if e.ix.n != 0 {
		e.ix.drop()
		e.sync()
	}
}

// find returns the position of the first field named name, or -1.
func (e *Event) find(name string) int {
	fs := e.Fields
	from := 0
	if x := &e.ix; x.readable(fs) {
		if p := x.lookup(fs, name); p >= 0 {
			return p
		}
		from = int(x.n)
	}
	for i := from; i < len(fs); i++ {
		if fs[i].Name == name {
			return i
		}
	}
	return -1
}

// removeAt removes Fields[pos], keeping the order of the others and the
// index right: its slot is emptied (later entries of its probe run move
// back into the hole when their home allows), and the slots of the fields
// after it, found by their stored hashes, take their new positions. The
// cost grows with the fields after pos (a removal is usually of a field
// set a few steps before).
func (e *Event) removeAt(pos int) {
	fs := e.Fields
	copy(fs[pos:], fs[pos+1:])
	fs[len(fs)-1] = Field{}
	e.Fields = fs[:len(fs)-1]
	x := &e.ix
	if !x.readable(fs) || pos >= int(x.n) {
		return // not indexed: nothing moved in the index
	}
	if len(e.Fields) < indexMin {
		x.drop()
		return
	}
	hole := x.slotOfPos(pos)
	for i := (hole + 1) & (indexSlots - 1); x.slots[i] != 0; i = (i + 1) & (indexSlots - 1) {
		s := x.slots[i]
		home := slotOf(x.hashes[int(s&0xff)-1])
		// s may move into the hole when its home is not in (hole, i].
		if (i-home)&(indexSlots-1) >= (i-hole)&(indexSlots-1) {
			x.slots[hole] = s
			hole = i
		}
	}
	x.slots[hole] = 0
	n := int(x.n)
	for q := pos + 1; q < n; q++ {
		x.slots[x.slotOfPos(q)]--
	}
	copy(x.hashes[pos:n], x.hashes[pos+1:n])
	x.n--
}

// slotOfPos returns the slot that holds position pos.
func (x *nameIndex) slotOfPos(pos int) uint16 {
	i := slotOf(x.hashes[pos])
	for int(x.slots[i]&0xff) != pos+1 {
		i = (i + 1) & (indexSlots - 1)
	}
	return i
}

// RemoveFunc removes the fields whose name drop takes, keeping the order
// of the others, and keeps the index of names right without hashing a
// name again. The fields before the first removed one stay where they
// are, and each run of kept fields after it moves with one copy (a
// field-by-field loop writes every field, and pays a write-barrier check
// for each, most of them onto themselves).
func (e *Event) RemoveFunc(drop func(name string) bool) {
	fs := e.Fields
	w := -1
	for i := range fs {
		if drop(fs[i].Name) {
			w = i
			break
		}
	}
	if w < 0 {
		return
	}
	x := &e.ix
	indexed := x.readable(fs)
	n := int(x.n)
	hw := w // next position of hashes to write
	for i := w + 1; i < len(fs); {
		if drop(fs[i].Name) {
			i++
			continue
		}
		k := i + 1
		for k < len(fs) && !drop(fs[k].Name) {
			k++
		}
		if indexed && i < n {
			hw += copy(x.hashes[hw:], x.hashes[i:min(k, n)])
		}
		w += copy(fs[w:], fs[i:k])
		i = k
	}
	clear(fs[w:])
	e.Fields = fs[:w]
	if !indexed {
		return
	}
	if w < indexMin {
		x.drop()
		return
	}
	x.n = uint8(min(hw, n))
	x.rehash()
}
