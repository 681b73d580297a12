package entity

import (
	"math"
	"sort"
)

// medianMAD returns the median of xs and their median absolute deviation
// from it: statistics a few outliers in the history cannot move, unlike
// the mean and standard deviation. xs is reordered.
func medianMAD(xs []float64) (med, mad float64) {
	if len(xs) == 0 {
		return 0, 0
	}
	med = median(xs)
	dev := make([]float64, len(xs))
	for i, x := range xs {
		dev[i] = math.Abs(x - med)
	}
	return med, median(dev)
}

func median(xs []float64) float64 {
	sort.Float64s(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// Log quantisation of hourly measures into a byte: q = round(8·log2(1+x)),
// 9% steps, up to about 2³¹. Robust statistics of counts are computed on
// this scale, where a doubling is the same distance at any volume.
const (
	qEmpty = 0xFF // no sample: the entity was not watched that hour
	qMax   = 0xFE
)

func quantize(x float64) uint8 {
	if x <= 0 {
		return 0
	}
	q := math.Round(8 * math.Log2(1+x))
	if q > qMax {
		return qMax
	}
	return uint8(q)
}

func dequantize(q float64) float64 { return math.Exp2(q/8) - 1 }
