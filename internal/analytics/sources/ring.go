package sources

// ringSize is the number of slots of a ring: 60 seconds, 60 minutes or 60
// hours (a day needs 24; the rest lets the volume baseline look further).
const ringSize = 60

// ring counts per time unit (a second, minute or hour) over the last
// ringSize units. head is the unit number (Unix time / unit) of the newest
// slot; slots older than ringSize units are cleared as time moves on.
type ring struct {
	head int64
	c    [ringSize]uint32
}

// advance moves the ring to unit, clearing the slots it skips.
func (r *ring) advance(unit int64) {
	if unit <= r.head {
		return
	}
	if unit-r.head >= ringSize {
		r.c = [ringSize]uint32{}
	} else {
		for u := r.head + 1; u <= unit; u++ {
			r.c[u%ringSize] = 0
		}
	}
	r.head = unit
}

// add adds n to unit; a unit older than the ring holds is ignored.
func (r *ring) add(unit int64, n uint32) {
	r.advance(unit)
	if unit <= r.head-ringSize {
		return
	}
	r.c[unit%ringSize] += n
}

// max raises unit's slot to v.
func (r *ring) max(unit int64, v uint32) {
	r.advance(unit)
	if unit <= r.head-ringSize {
		return
	}
	if v > r.c[unit%ringSize] {
		r.c[unit%ringSize] = v
	}
}

// sum returns the total of the k units ending with unit (unit-k, unit].
func (r *ring) sum(unit int64, k int) uint64 {
	var s uint64
	for u := unit - int64(k) + 1; u <= unit; u++ {
		if u > r.head || u <= r.head-ringSize {
			continue
		}
		s += uint64(r.c[u%ringSize])
	}
	return s
}

// maxOf returns the largest value of the k units ending with unit.
func (r *ring) maxOf(unit int64, k int) uint32 {
	var m uint32
	for u := unit - int64(k) + 1; u <= unit; u++ {
		if u > r.head || u <= r.head-ringSize {
			continue
		}
		m = max(m, r.c[u%ringSize])
	}
	return m
}

// series returns the counts of the k units ending with unit, oldest first.
func (r *ring) series(unit int64, k int) []uint32 {
	out := make([]uint32, 0, k)
	for u := unit - int64(k) + 1; u <= unit; u++ {
		if u > r.head || u <= r.head-ringSize {
			out = append(out, 0)
			continue
		}
		out = append(out, r.c[u%ringSize])
	}
	return out
}
