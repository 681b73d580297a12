package embedded

import (
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
// message.
type tokenIndex map[tokenKey]map[uint64]struct{}

// tokenHash is the hash of a folded token the filters hold.
func tokenHash(tok string) uint64 { return xxh3.HashString(tok) }

// tokenizer adds events' tokens to an index without allocating for ASCII
// text.
type tokenizer struct {
	buf []byte
}

func (tz *tokenizer) addEvent(ti tokenIndex, e *event.Event, day int64) {
	key := tokenKey{e.Tenant, day}
	set := ti[key]
	if set == nil {
		set = make(map[uint64]struct{}, 1024)
		ti[key] = set
	}
	tz.addText(set, e.Original)
	if msg := e.Message(); msg != "" && !strings.Contains(e.Original, msg) {
		tz.addText(set, msg)
	}
}

// addText adds the tokens of s: runs of query.IsTokenByte bytes, folded as
// query.Fold folds them (ASCII lower case inline, the rest through Fold).
func (tz *tokenizer) addText(set map[uint64]struct{}, s string) {
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
		if ascii {
			set[xxh3.Hash(tz.buf)] = struct{}{}
		} else {
			set[tokenHash(query.Fold(s[i:j]))] = struct{}{}
		}
		i = j
	}
}

// merge adds o to ti.
func (ti tokenIndex) merge(o tokenIndex) {
	for k, set := range o {
		dst := ti[k]
		if dst == nil {
			ti[k] = set
			continue
		}
		for h := range set {
			dst[h] = struct{}{}
		}
	}
}
