package entity

import (
	"bytes"
	"reflect"
	"sort"

	"github.com/vigilsiem/vigil/internal/config"
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

// checkCompact fails unless the dense history, read back from a snapshot
// and compacted, reads the same in every slot.
func checkCompact(t *testing.T, dense *rateState) {
	t.Helper()
	c := *dense
	c.Hist = append([]byte(nil), dense.Hist...)
	c.compact()
	for i := 0; i < rateCycle; i++ {
		if a, b := c.at(i), dense.Hist[i]; a != b {
			t.Fatalf("compacted (sparse %v, from %d, hour %d): slot %d is %d, was %d", c.Hist == nil, c.from, c.Hour, i, a, b)
		}
	}
	if a, b := c.baseline(), dense.baseline(); a != b {
		t.Fatalf("compacted: baseline %+v, was %+v", a, b)
	}
	// and it goes on as the dense one would
	d2 := *dense
	d2.Hist = append([]byte(nil), dense.Hist...)
	c.advance(c.Hour + 5)
	d2.advance(d2.Hour + 5)
	for i := 0; i < rateCycle; i++ {
		if a, b := c.at(i), d2.Hist[i]; a != b {
			t.Fatalf("compacted, 5 hours on: slot %d is %d, dense %d", i, a, b)
		}
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
		if n%16 == 0 || n == len(steps)-1 {
			checkCompact(t, dense)
		}
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
				gap = (gap - 249) * 300 // 300 to 1800 hours: weeks away
			}
			steps = append(steps, [2]int{gap, int(data[1] % 64)})
			data = data[2:]
		}
		runRate(t, start, steps)
	})
}

// FuzzRateCompact: any history read from a snapshot reads the same
// compacted (or is left dense).
func FuzzRateCompact(f *testing.F) {
	seed := make([]byte, rateCycle)
	for i := range seed {
		seed[i] = qEmpty
	}
	f.Add(int64(5000), seed)
	seed2 := append([]byte(nil), seed...)
	seed2[slotOf(4999)], seed2[slotOf(4998)] = 7, 0
	f.Add(int64(5000), seed2)
	f.Fuzz(func(t *testing.T, hour int64, data []byte) {
		if len(data) < rateCycle || hour > 1<<40 || hour < -(1<<40) {
			return
		}
		checkCompact(t, &rateState{Hour: hour, Hist: data[:rateCycle]})
	})
}

// TestSnapshotKeepsRateSparse: rate histories are written dense (the
// format is unchanged) and read back sparse, reading the same.
func TestSnapshotKeepsRateSparse(t *testing.T) {
	dir := t.TempDir()
	e, _ := newEngine(t, config.Analytics{}, dir)
	officeHistory(t, e, users, 14)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	e2, _ := newEngine(t, config.Analytics{}, dir)
	<-e2.Ready()
	rates := 0
	for i := range e.shards {
		for k, en := range e.shards[i].m {
			en2 := e2.shardOf([]byte(k)).m[k]
			if en2 == nil {
				t.Fatalf("%q not read back", k)
			}
			for _, sl := range en.states {
				s, ok := sl.st.(*rateState)
				if !ok {
					continue
				}
				s2 := en2.state(int(sl.a)).(*rateState)
				if s2.Hist != nil || !s2.rec {
					t.Errorf("%q: rate history read back dense", k)
				}
				if a, b := s.dense(), s2.dense(); !bytes.Equal(a, b) {
					t.Errorf("%q: rate history read back differs", k)
				}
				rates++
			}
		}
	}
	if rates == 0 {
		t.Fatal("no rate history written")
	}
	tenant, typ, name := splitKey(firstKey(e))
	d1, _ := e.Entity(tenant, typ, name)
	d2, _ := e2.Entity(tenant, typ, name)
	// the order of the baselines follows the snapshot's, not the engine's
	for _, d := range []*Detail{&d1, &d2} {
		sort.Slice(d.Baselines, func(i, j int) bool { return d.Baselines[i].Analytic < d.Baselines[j].Analytic })
	}
	if !reflect.DeepEqual(d1, d2) {
		t.Errorf("entity view after restart:\n%+v\nbefore:\n%+v", d2, d1)
	}
}

func firstKey(e *Engine) string {
	for i := range e.shards {
		for k := range e.shards[i].m {
			return k
		}
	}
	return ""
}
