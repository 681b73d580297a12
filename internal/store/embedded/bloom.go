package embedded

import (
	"encoding/base64"
	"errors"
	"math"
)

// bloom is a bloom filter over token hashes (tokenHash: 64-bit XXH3 of the
// folded token). Its serialised form is part of the .meta files (see
// doc.go): K probes by double hashing, bit_i = (h + i*h2) mod M with
// h2 = mix(h)|1, over M bits, stored as base64 of the little-endian uint64
// words. It is ours rather than a library's so that this on-disk form is
// defined here and stays stable.
type bloom struct {
	K    int    `json:"k"`
	M    uint64 `json:"m"`
	Bits string `json:"bits"`

	words []uint64
	n     int // items added (not serialised; see coldFile.TokenCount)
}

// newBloom sizes a filter for n items at a false-positive rate of ~1%.
func newBloom(n int) *bloom {
	return newBloomBits(n, 9.6, 7) // -ln(0.01)/ln(2)^2 ≈ 9.6 bits per item
}

// newBloomBits sizes a filter for n items at bits bits per item and k
// probes: a false-positive rate of about (1-e^(-k/bits))^k.
func newBloomBits(n int, bits float64, k int) *bloom {
	if n < 1 {
		n = 1
	}
	m := uint64(math.Ceil(float64(n) * bits))
	m = (m + 63) &^ 63
	return &bloom{K: k, M: m, words: make([]uint64, m/64)}
}

// mix64 is the finaliser of MurmurHash3: a second hash from the first.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

func (b *bloom) add(h uint64) {
	h2 := mix64(h) | 1
	for i := 0; i < b.K; i++ {
		bit := (h + uint64(i)*h2) % b.M
		b.words[bit/64] |= 1 << (bit % 64)
	}
}

func (b *bloom) mayContain(h uint64) bool {
	h2 := mix64(h) | 1
	for i := 0; i < b.K; i++ {
		bit := (h + uint64(i)*h2) % b.M
		if b.words[bit/64]&(1<<(bit%64)) == 0 {
			return false
		}
	}
	return true
}

func (b *bloom) encode() {
	raw := make([]byte, 8*len(b.words))
	for i, w := range b.words {
		for j := 0; j < 8; j++ {
			raw[8*i+j] = byte(w >> (8 * j))
		}
	}
	b.Bits = base64.StdEncoding.EncodeToString(raw)
}

var errBadBloom = errors.New("bad bloom filter")

func (b *bloom) decode() error {
	raw, err := base64.StdEncoding.DecodeString(b.Bits)
	if err != nil || b.M == 0 || b.M%64 != 0 || uint64(len(raw))*8 != b.M || b.K < 1 || b.K > 32 {
		return errBadBloom
	}
	b.words = make([]uint64, b.M/64)
	for i := range b.words {
		var w uint64
		for j := 0; j < 8; j++ {
			w |= uint64(raw[8*i+j]) << (8 * j)
		}
		b.words[i] = w
	}
	b.Bits = ""
	return nil
}
