package embedded

import (
	"slices"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/query"
)

// tokenKey names the tenant and UTC day a cold file holds.
type tokenKey struct {
	tenant string
	day    int64 // Unix days
}

// tokenIndex holds the hashes of the full-text tokens of some events, per
// tenant and day: what the token filter of each cold file is built from.
// The tokens are those of query.AppendTokens (folded), hashed with
// tokenHash, over event.original and, when it is not part of the original,
// message. A list may repeat a hash; tokenFilter sorts and dedups.
type tokenIndex map[tokenKey][]uint64

// tokenHash is the hash of a folded token the filters hold.
func tokenHash(tok string) uint64 { return xxh3.HashString(tok) }

// tokenizer adds events' tokens to an index. It keeps each hash once per
// batch with a small open-addressing set (cleared by bumping a generation),
// and allocates nothing for ASCII text.
type tokenizer struct {
	buf  []byte
	keys []uint64
	gens []uint32
	gen  uint32
	used int
	// salt makes the batch set per tenant and day: a token seen for one
	// key must still be added for another.
	salt uint64
}

const tokenSetSlots = 1 << 14

// reset starts a new batch.
func (tz *tokenizer) reset() {
	if tz.keys == nil {
		tz.keys = make([]uint64, tokenSetSlots)
		tz.gens = make([]uint32, tokenSetSlots)
	}
	tz.gen++
	if tz.gen == 0 { // wrapped: clear for real
		clear(tz.gens)
		tz.gen = 1
	}
	tz.used = 0
}

// seen records h and reports whether it was already recorded this batch.
// When the set is half full it stops recording: later tokens are appended
// again, which costs memory, not correctness.
func (tz *tokenizer) seen(h uint64) bool {
	mask := uint64(len(tz.keys) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		if tz.gens[i] != tz.gen {
			if tz.used >= len(tz.keys)/2 {
				return false
			}
			tz.gens[i], tz.keys[i] = tz.gen, h
			tz.used++
			return false
		}
		if tz.keys[i] == h {
			return true
		}
	}
}

func (tz *tokenizer) addEvent(ti tokenIndex, e *event.Event, day int64) {
	key := tokenKey{e.Tenant, day}
	tz.salt = mix64(xxh3.HashString(e.Tenant) ^ uint64(day))
	list := ti[key]
	list = tz.addText(list, e.Original)
	if msg := e.Message(); msg != "" && !strings.Contains(e.Original, msg) {
		list = tz.addText(list, msg)
	}
	ti[key] = list
}

// addText appends the hashes of the tokens of s not seen in this batch:
// runs of query.IsTokenByte bytes, folded as query.Fold folds them (ASCII
// lower case inline, the rest through Fold).
func (tz *tokenizer) addText(list []uint64, s string) []uint64 {
	for i := 0; i < len(s); {
		if !query.IsTokenByte(s[i]) {
			i++
			continue
		}
		j, ascii := i, true
		tz.buf = tz.buf[:0]
		for j < len(s) && query.IsTokenByte(s[j]) {
			c := s[j]
			if c >= 0x80 {
				ascii = false
			} else if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			tz.buf = append(tz.buf, c)
			j++
		}
		var h uint64
		if ascii {
			h = xxh3.Hash(tz.buf)
		} else {
			h = tokenHash(query.Fold(s[i:j]))
		}
		if !tz.seen(h ^ tz.salt) {
			list = append(list, h)
		}
		i = j
	}
	return list
}

// merge adds o to ti.
func (ti tokenIndex) merge(o tokenIndex) {
	for k, list := range o {
		ti[k] = append(ti[k], list...)
	}
}

// compact sorts and dedups the lists, returning the number of hashes left.
func (ti tokenIndex) compact() {
	for k, list := range ti {
		slices.Sort(list)
		ti[k] = slices.Clip(slices.Compact(list))
	}
}
