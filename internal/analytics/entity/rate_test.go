package entity

import (
	"encoding/binary"
	"hash/maphash"
	"math/rand/v2"
	"testing"
)

var testSeed = maphash.MakeSeed()

// denseRate is the history as it was before the sparse form: allocated
// dense at the first hour closed.
func denseRate(h int64) *rateState {
	s := &rateState{Hour: h, Hist: make([]byte, rateCycle)}
	for i := range s.Hist {
		s.Hist[i] = qEmpty
	}
	return s
}

// checkSameRate fails unless the sparse and the dense histories read the
// same in every slot and give the same baseline.
func checkSameRate(t *testing.T, step int, sparse, dense *rateState) {
	t.Helper()
	if !sparse.hasHist() {
		// dense is preallocated: before any hour closed it is all empty
		for i := 0; i < rateCycle; i++ {
			if dense.Hist[i] != qEmpty {
				t.Fatalf("step %d: no sparse history, dense slot %d is %d", step, i, dense.Hist[i])
			}
		}
		return
	}
	for i := 0; i < rateCycle; i++ {
		if a, b := sparse.at(i), dense.Hist[i]; a != b {
			t.Fatalf("step %d (hour %d, from %d, %d entries): slot %d is %d sparse, %d dense", step, sparse.Hour, sparse.from, len(sparse.nz), i, a, b)
		}
	}
	if a, b := sparse.baseline(), dense.baseline(); a != b {
		t.Fatalf("step %d: baseline %+v sparse, %+v dense", step, a, b)
	}
	if a, b := sparse.dense(), dense.Hist; string(a) != string(b) {
		t.Fatalf("step %d: written history differs", step)
	}
}

// runRate feeds the same hours and counts to a sparse and a dense history
// and compares them after each step. steps: pairs of (hours forward, count).
func runRate(t *testing.T, start int64, steps [][2]int) {
	sparse := &rateState{Hour: start}
	dense := denseRate(start)
	for n, st := range steps {
		h := sparse.Hour + int64(st[0])
		sparse.advance(h)
		dense.advance(h)
		for i := 0; i < st[1]; i++ {
			sparse.add("count", 0, nil, testSeed)
			dense.add("count", 0, nil, testSeed)
		}
		checkSameRate(t, n, sparse, dense)
	}
}

// TestRateSparseMatchesDense: the sparse history reads as the dense one
// did, whatever the gaps between events (quiet hours, weeks away, before
// 1970) and however busy the entity (past maxSparseRate it turns dense).
func TestRateSparseMatchesDense(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for run := 0; run < 200; run++ {
		var steps [][2]int
		busy := run%4 == 0
		for i := 0; i < 600; i++ {
			gap := r.IntN(30)
			switch {
			case busy:
				gap = r.IntN(3)
			case r.IntN(50) == 0:
				gap = 600 + r.IntN(200) // about a cycle away: everything but a few slots quiet
			}
			steps = append(steps, [2]int{gap, r.IntN(40)})
		}
		start := int64(r.IntN(1_000_000)) - 500_000
		runRate(t, start, steps)
	}
	// a sparse history that turned dense
	s := &rateState{Hour: 1000}
	for h := int64(1001); h < 1400; h++ {
		s.add("count", 0, nil, testSeed)
		s.advance(h)
	}
	if s.Hist == nil || s.nz != nil {
		t.Fatalf("an hourly busy entity kept a sparse history of %d entries", len(s.nz))
	}
}

// FuzzRateSparse: any sequence of hours and counts reads the same sparse
// and dense.
func FuzzRateSparse(f *testing.F) {
	f.Add(int64(0), []byte{1, 2, 0, 0, 24, 5, 200, 1})
	f.Add(int64(-100), []byte{255, 1, 255, 1, 255, 1, 1, 30})
	f.Fuzz(func(t *testing.T, start int64, data []byte) {
		if start > 1<<40 || start < -(1<<40) {
			return
		}
		var steps [][2]int
		for len(data) >= 2 {
			gap := int(data[0])
			if gap >= 250 {
				gap = int(binary.LittleEndian.Uint16(append(data[1:2:2], data[0]))) % 2000
			}
			steps = append(steps, [2]int{gap, int(data[1] % 64)})
			data = data[2:]
		}
		runRate(t, start, steps)
	})
}
