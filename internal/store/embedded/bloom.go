package embedded

import (
	"encoding/base64"
	"errors"
	"math"

	"github.com/zeebo/xxh3"
)

// bloom is a bloom filter over tokens. Its serialised form is part of the
// .meta files (see doc.go): K hash functions derived from one 128-bit XXH3
// hash by double hashing (h1 + i*h2) over M bits, stored as base64 of the
// little-endian uint64 words. It is ours rather than a library's so that
// this on-disk form is defined here and stays stable.
type bloom struct {
	K    int    `json:"k"`
	M    uint64 `json:"m"`
	Bits string `json:"bits"`

	words []uint64
}

// newBloom sizes a filter for n items at a false-positive rate of ~1%.
func newBloom(n int) *bloom {
	if n < 1 {
		n = 1
	}
	m := uint64(math.Ceil(float64(n) * 9.6)) // -ln(0.01)/ln(2)^2 ≈ 9.6 bits per item
	m = (m + 63) &^ 63
	return &bloom{K: 7, M: m, words: make([]uint64, m/64)}
}

func (b *bloom) add(token string) {
	h := xxh3.HashString128(token)
	for i := 0; i < b.K; i++ {
		bit := (h.Lo + uint64(i)*h.Hi) % b.M
		b.words[bit/64] |= 1 << (bit % 64)
	}
}

func (b *bloom) mayContain(token string) bool {
	h := xxh3.HashString128(token)
	for i := 0; i < b.K; i++ {
		bit := (h.Lo + uint64(i)*h.Hi) % b.M
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
