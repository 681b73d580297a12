package ingest

import (
	"testing"
	"time"
)

var numericLayouts = []string{
	"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05 Z07:00", "2006-01-02T15:04:05Z07:00", "01/02/2006 15:04:05", "2006-01-02", "02/01/2006 15:04",
}

// checkNumericLayout fails when the fast path answers where
// time.ParseInLocation gives another answer.
func checkNumericLayout(t *testing.T, layout, s string) {
	t.Helper()
	l := newNumericLayout(layout)
	if l == nil {
		return
	}
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("X", 3600)} {
		got, ok, sure := l.parse(s, loc)
		if !sure {
			continue
		}
		want, err := time.ParseInLocation(layout, s, loc)
		// Equal instants: date keeps the UTC time, not the location
		// (of a numeric zone, Go's fixed zone or the local one).
		if ok != (err == nil) || ok && !got.Equal(want) {
			t.Fatalf("layout %q text %q: %v %v, want %v %v", layout, s, got, ok, want, err)
		}
	}
}

func TestNumericLayout(t *testing.T) {
	for _, l := range []string{"2006-01-02 15:04:05", "2006/01/02 15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02T15:04:05Z07:00"} {
		if newNumericLayout(l) == nil {
			t.Errorf("%q has no fast path", l)
		}
	}
	for _, l := range []string{"Jan _2 15:04:05", "2006-01-02 15:04:05.000", "06-01-02", "2006-1-2 3:04:05 PM", "15:04:05"} {
		if newNumericLayout(l) != nil {
			t.Errorf("%q has a fast path", l)
		}
	}
	for _, layout := range numericLayouts {
		for _, s := range []string{"2024-05-10 11:37:47", "2024/05/10 11:37:47", "2024-02-30 11:37:47", "2024-13-10 11:37:47",
			"2024-05-10 24:00:00", "2024-05-10 23:60:00", "2024-05-10 23:59:60", "2024-05-10T11:37:47", "2024-05-10 11:37:47 +0200",
			"2024-05-10T1:37:47Z", "2024-05-10 1:37:47Z", "10/05/2024 11:37:47", "2024-05-10", "0000-01-01 00:00:00", "2023-02-29 00:00:00",
			"2024-02-29 00:00:00", "2024-05-10 11:37:4a", "2024-05-10 11:37:47 ", "2024-05-10 11:37:47 -0700", "2024-05-10 11:37:47 +2460",
			"2024-05-10 11:37:47 +2500", "2024-05-10 11:37:47 +0061", "2024-05-10 11:37:47 *0100", "2024-05-10 11:37:47-0100", "2024-05-10 11:37:47 -07:00"} {
			checkNumericLayout(t, layout, s)
		}
	}
}

// FuzzNumericLayout: where the fast path is sure, it gives what
// time.ParseInLocation gives.
func FuzzNumericLayout(f *testing.F) {
	for i, l := range numericLayouts {
		f.Add(i, "2024-05-10 11:37:47")
		f.Add(i, l)
	}
	f.Fuzz(func(t *testing.T, i int, s string) {
		if i < 0 {
			i = -i
		}
		checkNumericLayout(t, numericLayouts[i%len(numericLayouts)], s)
	})
}
