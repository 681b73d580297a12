package entity

import (
	"fmt"
	"hash/maphash"
	"math"
)

// rateState is the baseline of a rate analytic for one entity: the
// measure of the current hour, and for each hour of week the measures of
// the last rateWeeks weeks, log-quantised (quantize) into a byte.
type rateState struct {
	Since   int64   `json:"since"`
	Hour    int64   `json:"hour"` // the current hour: Unix seconds / 3600
	Cur     float64 `json:"cur"`
	Alerted bool    `json:"alerted,omitempty"`
	// Hist holds hourOfWeek*rateWeeks + week; qEmpty where not watched.
	Hist []byte `json:"hist,omitempty"`

	distinct []uint64 // hashes of the distinct values of this hour (not kept across restarts)
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
	s.Hist[hourOfWeek(h)*rateWeeks+weekOf(h)] = quantize(x)
}

// advance closes the current hour when h is later: its measure is kept,
// the hours between get zero (the entity was watched and quiet), and h
// becomes the current hour.
func (s *rateState) advance(h int64) {
	if h <= s.Hour {
		return
	}
	if s.Hist == nil {
		s.Hist = make([]byte, 168*rateWeeks)
		for i := range s.Hist {
			s.Hist[i] = qEmpty
		}
	}
	s.record(s.Hour, s.Cur)
	for g := s.Hour + 1; g < h && g <= s.Hour+168*rateWeeks; g++ {
		s.record(g, 0)
	}
	s.Hour, s.Cur, s.Alerted = h, 0, false
	s.distinct = s.distinct[:0]
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
	if s.Hist == nil {
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
			if q := s.Hist[sl*rateWeeks+w]; q != qEmpty {
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
