package query

import "time"

// niceSpans are the spans AutoSpan chooses from.
var niceSpans = []time.Duration{
	time.Second, 5 * time.Second, 10 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 10 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
	24 * time.Hour, 7 * 24 * time.Hour, 30 * 24 * time.Hour,
}

// AutoBuckets is the most buckets AutoSpan gives a time range: enough for a
// chart as wide as a screen, few enough to read.
const AutoBuckets = 100

// DefaultSpan is the span of a timechart without a span over a time range
// that is open at either end.
const DefaultSpan = time.Hour

// AutoSpan chooses the span of a timechart that names none: the smallest
// nice span (1s, 5s, 10s, 30s, 1m, 5m, … 1d, 7d, 30d) that cuts the range
// into at most AutoBuckets buckets, or DefaultSpan when the range is open.
// Every compiler uses it so that a query gives the same buckets everywhere.
func AutoSpan(from, to time.Time) time.Duration {
	if from.IsZero() || to.IsZero() || !to.After(from) {
		return DefaultSpan
	}
	r := to.Sub(from)
	for _, s := range niceSpans {
		if r <= s*AutoBuckets {
			return s
		}
	}
	return niceSpans[len(niceSpans)-1]
}
