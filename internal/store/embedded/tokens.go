package embedded

import (
	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/query"
)

// The token filters of cold files (a file's or a block's) hold the hashes
// of the full-text tokens of their rows: those of query.AppendTokens
// (folded), hashed with tokenHash, over event.original and, when it is not
// part of the original, message. They are built at freeze (blockTokens,
// fileTokens), not on the write path.

// tokenHash is the hash of a folded token the filters hold.
func tokenHash(tok string) uint64 { return xxh3.HashString(tok) }

// tokenizer lists the hashes of texts' tokens. It keeps each hash once per
// run of rows with a small open-addressing set (cleared by bumping a
// generation), and allocates nothing for ASCII text.
type tokenizer struct {
	buf   []byte
	slots []tokenSlot
	gen   uint32
	used  int
}

// tokenSlot is one slot of the tokenizer's set: a hash and its run, side
// by side so that a probe reads one cache line.
type tokenSlot struct {
	key uint64
	gen uint32
}

const tokenSetSlots = 1 << 14

// reset starts a new run of rows.
func (tz *tokenizer) reset() {
	if tz.slots == nil {
		tz.slots = make([]tokenSlot, tokenSetSlots)
	}
	tz.gen++
	if tz.gen == 0 { // wrapped: clear for real
		clear(tz.slots)
		tz.gen = 1
	}
	tz.used = 0
}

// seen records h and reports whether it was already recorded this run.
// When the set is half full it stops recording: later tokens are appended
// again, which costs memory, not correctness.
func (tz *tokenizer) seen(h uint64) bool {
	mask := uint64(len(tz.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		sl := &tz.slots[i]
		if sl.gen != tz.gen {
			if tz.used >= len(tz.slots)/2 {
				return false
			}
			sl.gen, sl.key = tz.gen, h
			tz.used++
			return false
		}
		if sl.key == h {
			return true
		}
	}
}

// addText appends the hashes of the tokens of s not seen in this run:
// runs of query.IsTokenByte bytes, folded as query.Fold folds them (ASCII
// lower case inline, the rest through Fold).
func (tz *tokenizer) addText(list []uint64, s string) []uint64 { return addTokens(tz, list, s) }

// addTokens is addText for text as a string or as bytes (the cold writer's
// values, which it does not copy into strings). A token with no upper case
// and no byte above ASCII is hashed where it is.
func addTokens[S ~string | ~[]byte](tz *tokenizer, list []uint64, s S) []uint64 {
	for i := 0; i < len(s); {
		if !query.IsTokenByte(s[i]) {
			i++
			continue
		}
		j, folded, ascii := i, false, true
		for j < len(s) && query.IsTokenByte(s[j]) {
			c := s[j]
			if c >= 0x80 {
				ascii = false
			} else if c >= 'A' && c <= 'Z' {
				folded = true
			}
			j++
		}
		var h uint64
		switch {
		case !ascii:
			h = tokenHash(query.Fold(string(s[i:j])))
		case folded:
			tz.buf = tz.buf[:0]
			for k := i; k < j; k++ {
				c := s[k]
				if c >= 'A' && c <= 'Z' {
					c += 'a' - 'A'
				}
				tz.buf = append(tz.buf, c)
			}
			h = xxh3.Hash(tz.buf)
		default:
			h = hashToken(s[i:j])
		}
		if !tz.seen(h) {
			list = append(list, h)
		}
		i = j
	}
	return list
}

// hashToken is tokenHash of a token that needs no folding.
func hashToken[S ~string | ~[]byte](tok S) uint64 {
	switch t := any(tok).(type) {
	case string:
		return xxh3.HashString(t)
	case []byte:
		return xxh3.Hash(t)
	}
	return xxh3.HashString(string(tok))
}
