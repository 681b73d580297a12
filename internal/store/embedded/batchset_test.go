package embedded

import (
	"math/rand/v2"
	"testing"
)

// TestBatchSetAsMap checks the write's scratch set against a Go map over
// batches of random sizes reused one after the other, with keys that
// share their low bits (long probes) and keys that differ only in b.
func TestBatchSetAsMap(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var s batchSet
	for batch := range 300 {
		n := r.IntN(3000)
		s.reset(n)
		m := map[idKey]bool{}
		for range n {
			k := idKey{a: uint64(r.IntN(n+1)) << 40, b: uint64(r.IntN(3))}
			if batch%3 == 0 {
				k.a = r.Uint64()
			}
			if got, want := s.add(k), m[k]; got != want {
				t.Fatalf("batch %d: add(%v) = %v, want %v", batch, k, got, want)
			}
			m[k] = true
		}
	}
}

// TestBatchSetGenerationWraps checks that no slot counts as taken once
// the generation counter wraps (a slot never used has generation 0).
func TestBatchSetGenerationWraps(t *testing.T) {
	var s batchSet
	s.reset(10)
	s.gen = ^uint32(0) // the next reset wraps
	s.reset(10)
	if s.add(idKey{}) {
		t.Fatal("the zero key was found in an empty set after the generation wrapped")
	}
}
