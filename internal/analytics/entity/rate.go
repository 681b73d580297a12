package entity

import (
	"fmt"
	"hash/maphash"
	"math"
)

// rateState is the baseline of a rate analytic for one entity: the
// measure of the current hour, and for each hour of week the measures of
// the last rateWeeks weeks, log-quantised (quantize) into a byte.
//
// The history is kept sparse until it is dense enough: the hours closed
// since the first one (from) are contiguous, so a slot is empty when its
// latest hour is before from, zero when nz has no entry for it, else the
// byte in nz. Most entities are quiet most hours (a user logs in a few
// hours a day), so nz holds a few dozen entries where the dense history
// takes 168×rateWeeks bytes. Past maxSparseRate entries, or when read
// from a snapshot, the history is dense (Hist), as it is written.
type rateState struct {
	Since   int64   `json:"since"`
	Hour    int64   `json:"hour"` // the current hour: Unix seconds / 3600
	Cur     float64 `json:"cur"`
	Alerted bool    `json:"alerted,omitempty"`
	// rec is whether an hour was closed (the history exists) while it is
	// sparse; a dense history is always one.
	rec bool
	// Hist holds hourOfWeek*rateWeeks + week; qEmpty where not watched.
	// nil while the history is sparse.
	Hist []byte `json:"hist,omitempty"`

	from int64    // the first hour closed, while sparse
	nz   []uint32 // while sparse: slot<<8 | q of the slots whose latest hour was not zero

	distinct []uint64 // hashes of the distinct values of this hour (not kept across restarts)
}

// rateCycle is the hours of the history: one slot each.
const rateCycle = 168 * rateWeeks

// slotOf is the index in the history of hour h.
func slotOf(h int64) int { return hourOfWeek(h)*rateWeeks + weekOf(h) }

// latestHour is the latest hour not after last that lands in slot i.
func latestHour(i int, last int64) int64 {
	r := int64(i%rateWeeks)*168 + int64(i/rateWeeks) // (h+72) mod rateCycle of the slot
	return last - mod(mod(last+72, rateCycle)-r, rateCycle)
}

// hasHist is whether any hour was closed.
func (s *rateState) hasHist() bool { return s.Hist != nil || s.rec }

// at is the history byte of slot i (qEmpty where not watched).
func (s *rateState) at(i int) byte {
	if s.Hist != nil {
		return s.Hist[i]
	}
	if !s.rec || latestHour(i, s.Hour-1) < s.from {
		return qEmpty
	}
	for _, e := range s.nz {
		if int(e>>8) == i {
			return byte(e)
		}
	}
	return 0
}

// dense returns the history as it is written (nil before any hour closed).
func (s *rateState) dense() []byte {
	if s.Hist != nil || !s.rec {
		return s.Hist
	}
	return s.appendDense(nil)
}

// appendDense appends the dense form of a sparse history to dst: the
// slots of the hours from from to the current one zero, those before
// empty, then the entries of nz.
func (s *rateState) appendDense(dst []byte) []byte {
	n := len(dst)
	for range rateCycle {
		dst = append(dst, qEmpty)
	}
	h := dst[n:]
	for g := s.Hour - 1; g >= s.from && g >= s.Hour-rateCycle; g-- {
		h[slotOf(g)] = 0
	}
	for _, e := range s.nz {
		h[e>>8] = byte(e)
	}
	return dst
}

// rateBase is the baseline of an hour: the number of past samples and
// their median and MAD on the log scale. It is computed only for an hour
// whose measure reached min_value, so it is not cached.
type rateBase struct {
	n        int
	med, mad float64
}

// hourOfWeek numbers the hours of a week from Monday 00:00 UTC (Unix hour
// 0 is a Thursday); weekOf numbers weeks the same way.
func hourOfWeek(h int64) int { return int(mod(h+72, 168)) }
func weekOf(h int64) int     { return int(mod(floorDiv(h+72, 168), rateWeeks)) }

// floorDiv and mod round towards minus infinity, so times before 1970
// land in the right hour and week too.
func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && a < 0 {
		q--
	}
	return q
}

func mod(a, b int64) int64 { return a - floorDiv(a, b)*b }

func (s *rateState) record(h int64, x float64) {
	s.Hist[slotOf(h)] = quantize(x)
}

// advance closes the current hour when h is later: its measure is kept,
// the hours between get zero (the entity was watched and quiet), and h
// becomes the current hour.
func (s *rateState) advance(h int64) {
	if h <= s.Hour {
		return
	}
	switch {
	case s.Hist != nil:
		s.record(s.Hour, s.Cur)
		for g := s.Hour + 1; g < h && g <= s.Hour+rateCycle; g++ {
			s.record(g, 0)
		}
	default:
		if !s.rec {
			s.rec, s.from = true, s.Hour
		}
		s.advanceSparse(h)
	}
	s.Hour, s.Cur, s.Alerted = h, 0, false
	if cap(s.distinct) > 64 {
		s.distinct = nil // a busy hour's room is not kept for the quiet ones after it
	} else {
		s.distinct = s.distinct[:0]
	}
}

// compact turns a dense history read from a snapshot back into the
// sparse form when it is one: the watched hours end at the current hour,
// with no gap, and at most maxSparseRate of them are not zero. Any other
// history stays dense, as read.
func (s *rateState) compact() {
	if s.Hist == nil || len(s.Hist) != rateCycle {
		return
	}
	from := s.Hour - rateCycle // every slot watched, unless an empty one says otherwise
	empty := false
	nonZero := 0
	for g := s.Hour - 1; g >= s.Hour-rateCycle; g-- {
		q := s.Hist[slotOf(g)]
		switch {
		case q == qEmpty && !empty:
			empty, from = true, g+1
		case q != qEmpty && empty:
			return // a gap: not a history advance wrote
		case q != 0 && q != qEmpty:
			nonZero++
		}
	}
	if nonZero > maxSparseRate || from >= s.Hour {
		return // no hour watched: a history advance never writes
	}
	nz := make([]uint32, 0, nonZero)
	for i, q := range s.Hist {
		if q != 0 && q != qEmpty {
			nz = append(nz, uint32(i)<<8|uint32(q))
		}
	}
	s.Hist, s.nz, s.from, s.rec = nil, nz, from, true
}

// advanceSparse is advance of a sparse history: the slot of the current
// hour gets its measure, the slots of the quiet hours before h lose their
// entries; past maxSparseRate entries the history turns dense.
func (s *rateState) advanceSparse(h int64) {
	cur := slotOf(s.Hour)
	q := quantize(s.Cur)
	k := 0
	for _, e := range s.nz {
		i := int(e >> 8)
		if i == cur || latestHour(i, h-1) > s.Hour {
			continue // overwritten by this hour or by a quiet one since
		}
		s.nz[k] = e
		k++
	}
	s.nz = s.nz[:k]
	if q != 0 && h-1-s.Hour < rateCycle {
		s.nz = append(s.nz, uint32(cur)<<8|uint32(q))
	}
	if len(s.nz) > maxSparseRate {
		last := s.Hour
		s.Hour = h // at reads the slots as of the hour before h
		s.Hist = s.dense()
		s.Hour = last
		s.nz, s.rec = nil, false
	}
}

// add counts one event's contribution to the current hour.
func (s *rateState) add(measure string, v float64, distinct []byte, seed maphash.Seed) {
	switch measure {
	case "count":
		s.Cur++
	case "sum":
		if v > 0 && !math.IsInf(v, 0) && !math.IsNaN(v) {
			s.Cur += v
		}
	case "distinct":
		h := maphash.Bytes(seed, distinct)
		for _, d := range s.distinct {
			if d == h {
				return
			}
		}
		if len(s.distinct) < maxDistinct {
			s.distinct = append(s.distinct, h)
		}
		s.Cur = max(s.Cur, float64(len(s.distinct)))
	}
}

// baseline returns the median and MAD (log scale) of the samples of the
// current hour of week and the hours either side, in the past weeks.
func (s *rateState) baseline() rateBase {
	if !s.hasHist() {
		return rateBase{}
	}
	xs := make([]float64, 0, 3*rateWeeks)
	slot := hourOfWeek(s.Hour)
	cur := weekOf(s.Hour)
	for d := -1; d <= 1; d++ {
		sl := (slot + d + 168) % 168
		for w := 0; w < rateWeeks; w++ {
			if d == 0 && w == cur {
				continue // this very hour, a week ago ×rateWeeks: overwritten when it closes
			}
			if q := s.at(sl*rateWeeks + w); q != qEmpty {
				xs = append(xs, float64(q))
			}
		}
	}
	b := rateBase{n: len(xs)}
	b.med, b.mad = medianMAD(xs)
	return b
}

// score is how many robust standard deviations (1.4826·MAD, at least half
// a doubling) the current hour is above its baseline.
func (s *rateState) score() (float64, rateBase) {
	b := s.baseline()
	if b.n < rateMinSamples {
		return 0, b
	}
	spread := math.Max(1.4826*b.mad, 4)
	return (8*math.Log2(1+s.Cur) - b.med) / spread, b
}

func (b rateBase) describe() []string {
	return []string{fmt.Sprintf("median %.0f", dequantize(b.med)), fmt.Sprintf("MAD %.2g doublings", b.mad/8), fmt.Sprintf("%d past hours", b.n)}
}
