package embedded

import (
	"math/rand/v2"
	"testing"
)

// TestIDTableMatchesMap runs random writes and freezes against the table
// and a Go map keyed by the fingerprint: the same keys are found, and the
// same number remembered, after each step. Half the keys share a few home
// slots, so probe sequences are long, wrap around the table's end and get
// gaps at each freeze.
func TestIDTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tab idTable
	want := map[[2]uint64]uint64{} // fingerprint -> segment
	var all []idKey
	newKey := func() idKey {
		k := idKey{a: rng.Uint64(), b: rng.Uint64()}
		if rng.IntN(2) == 0 {
			// the same home in tables up to 2^20 slots, near the end
			k.a = k.a&^(1<<20-1) | (1<<20 - 1 - uint64(rng.IntN(4)))
		}
		return k
	}
	fp := func(k idKey) [2]uint64 { a, b := fingerprint(k); return [2]uint64{a, uint64(b)} }
	seq := uint64(100)
	frozen := uint64(0)
	for step := range 400 {
		// a batch into the open segment, some keys seen before
		for range rng.IntN(3000) {
			k := newKey()
			if len(all) > 0 && rng.IntN(5) == 0 {
				k = all[rng.IntN(len(all))]
			}
			all = append(all, k)
			if !tab.put(k, seq) {
				t.Fatalf("step %d: put refused", step)
			}
			want[fp(k)] = seq
		}
		// a write that raced a freeze: an older segment than the table holds
		if rng.IntN(10) == 0 && frozen > 0 {
			k := newKey()
			all = append(all, k)
			tab.put(k, frozen)
			want[fp(k)] = frozen // as a map would; the next freeze forgets it
		}
		if rng.IntN(3) == 0 {
			seq++
		}
		if last := seq - uint64(rng.IntN(3)); last > frozen && rng.IntN(4) == 0 {
			// freezes move forward: each freezes newer segments
			tab.removeUpTo(last)
			for k, s := range want {
				if s <= last {
					delete(want, k)
				}
			}
			frozen = max(frozen, last)
		}
		if tab.len() != len(want) {
			t.Fatalf("step %d: table holds %d keys, map %d", step, tab.len(), len(want))
		}
		for range 2000 {
			k := newKey()
			if rng.IntN(2) == 0 {
				k = all[rng.IntN(len(all))]
			}
			_, in := want[fp(k)]
			if got := tab.contains(k); got != in {
				t.Fatalf("step %d: contains = %v, map says %v", step, got, in)
			}
		}
		if n := len(tab.slots); n > minIDSlots && tab.n*4 > n*3 {
			t.Fatalf("step %d: %d keys in %d slots, over a load of 3/4", step, tab.n, n)
		}
	}
	tab.removeUpTo(seq)
	if tab.len() != 0 || len(tab.slots) != minIDSlots {
		t.Errorf("after the last freeze: %d keys in %d slots, want 0 in %d", tab.len(), len(tab.slots), minIDSlots)
	}
}

// TestHotIDsLimit fills the set past its bound: it holds the bound's keys
// and no more, answers for those it holds, and a freeze frees room again.
func TestHotIDsLimit(t *testing.T) {
	h := newHotIDs()
	h.limit = 5000
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]idKey, 8000)
	for i := range keys {
		keys[i] = idKey{a: rng.Uint64(), b: rng.Uint64()}
	}
	h.add(keys[:3000], 1)
	h.add(keys[3000:], 2)
	if h.len() != 5000 {
		t.Fatalf("%d keys remembered, want the limit, 5000", h.len())
	}
	if slots := len(h.keys.slots); slots > 8192 {
		t.Errorf("%d slots for 5000 keys, want at most 8192", slots)
	}
	b := getBatchKeys()
	defer putBatchKeys(b)
	for _, k := range keys {
		b.lines = append(b.lines, lineKey{key: k, ok: true})
	}
	if dups := h.markDuplicates(b); dups != 5000 {
		t.Errorf("%d of the batch found hot, want the 5000 remembered", dups)
	}
	h.frozen(1)
	if h.len() != 2000 {
		t.Fatalf("%d keys after freezing segment 1, want 2000", h.len())
	}
	h.add(keys[5000:], 3)
	if h.len() != 5000 {
		t.Errorf("%d keys after the freeze made room, want 5000", h.len())
	}
}

// TestIDKeyTellsApart checks the key hashes the time, the id and the
// tenant: a change of any gives another key.
func TestIDKeyTellsApart(t *testing.T) {
	base := newIDKey(1, []byte(`x","vigil.tenant":"acme`))
	for _, k := range []idKey{
		newIDKey(2, []byte(`x","vigil.tenant":"acme`)),
		newIDKey(1, []byte(`y","vigil.tenant":"acme`)),
		newIDKey(1, []byte(`x","vigil.tenant":"beta`)),
	} {
		if k == base {
			t.Errorf("two events got the key %v", k)
		}
	}
	if newIDKey(1, []byte(`x","vigil.tenant":"acme`)) != base {
		t.Error("the same event got two keys")
	}
}
