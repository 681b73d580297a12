package incident

import (
	"hash/maphash"
)

// memberFilter is a Bloom filter of stored memberships (tenant and alert
// id): "absent" is certain, "present" wrong about once in 15,000. It costs
// 20 bits a membership where the exact map costs ~80 bytes. So rare a
// false "present" is needed because any asked id costs a scan of the
// whole table: a 1,000-alert batch should usually ask nothing.
type memberFilter struct {
	bits []uint64
	seed maphash.Seed
	n    int // keys added
	cap  int // keys it holds at the false positive rate above
}

const (
	filterBitsPerKey = 20
	filterHashes     = 14
)

func newMemberFilter(capacity int) *memberFilter {
	capacity = max(capacity, 1024)
	words := (capacity*filterBitsPerKey + 63) / 64
	return &memberFilter{bits: make([]uint64, words), seed: maphash.MakeSeed(), cap: capacity}
}

func (f *memberFilter) hashes(tenant, id string) (uint64, uint64) {
	var h maphash.Hash
	h.SetSeed(f.seed)
	h.WriteString(tenant)
	h.WriteByte(0)
	h.WriteString(id)
	x := h.Sum64()
	return x, (x >> 32) | (x << 32) | 1
}

func (f *memberFilter) add(tenant, id string) {
	h1, h2 := f.hashes(tenant, id)
	m := uint64(len(f.bits) * 64)
	for i := uint64(0); i < filterHashes; i++ {
		b := (h1 + i*h2) % m
		f.bits[b/64] |= 1 << (b % 64)
	}
	f.n++
}

func (f *memberFilter) mayHold(tenant, id string) bool {
	h1, h2 := f.hashes(tenant, id)
	m := uint64(len(f.bits) * 64)
	for i := uint64(0); i < filterHashes; i++ {
		b := (h1 + i*h2) % m
		if f.bits[b/64]&(1<<(b%64)) == 0 {
			return false
		}
	}
	return true
}

// full says the filter holds more keys than it was sized for.
func (f *memberFilter) full() bool { return f.n > f.cap }
