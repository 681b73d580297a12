package intel

import (
	"net/netip"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/enrich/internal/iptable"
)

// Index finds the indicators an observed value matches. It is built once
// from the indicators of every feed and then only read, by any number of
// goroutines; a refresh builds a new one and swaps it in.
//
// Addresses and CIDRs sit in a prefix table (longest prefix wins: an
// address listed alone and inside a listed network matches the address's
// entry); domains, URLs and hashes in hash maps. An indicator listed by
// several feeds matches once per feed (a chain of entries per key).
type Index struct {
	inds    []Indicator
	next    []int32 // the next indicator with the same key, -1 for none
	ips     iptable.Table[int32]
	domains map[string]int32
	urls    map[string]int32
	hashes  map[string]int32
	tagged  map[string]int32 // id → indicator, for indicators with tags
}

// Build indexes indicators. The slice is kept: do not change it afterwards.
func Build(inds []Indicator) *Index {
	x := &Index{inds: inds, next: make([]int32, len(inds)),
		domains: map[string]int32{}, urls: map[string]int32{}, hashes: map[string]int32{}, tagged: map[string]int32{}}
	chain := func(m map[string]int32, k string, i int32) {
		if prev, ok := m[k]; ok {
			x.next[i] = prev
		} else {
			x.next[i] = -1
		}
		m[k] = i
	}
	seenIP := map[netip.Prefix]int32{} // for chaining duplicates while building
	for i := range inds {
		ind := &inds[i]
		n := int32(i)
		if len(ind.Tags) > 0 && ind.ID != "" {
			x.tagged[ind.ID] = n
		}
		switch ind.Type {
		case TypeIP:
			p, err := netip.ParsePrefix(ind.Value)
			if err != nil {
				a, err := netip.ParseAddr(ind.Value)
				if err != nil {
					x.next[n] = -1
					continue
				}
				p = netip.PrefixFrom(a, a.BitLen())
			}
			if prev, ok := seenIP[p]; ok {
				x.next[n] = prev
			} else {
				x.next[n] = -1
			}
			seenIP[p] = n
			x.ips.Insert(p, n)
		case TypeDomain:
			chain(x.domains, ind.Value, n)
		case TypeURL:
			chain(x.urls, urlKey(ind.Value), n)
		default:
			chain(x.hashes, ind.Value, n)
		}
	}
	return x
}

// Tags returns the tags of the indicator with the given id.
func (x *Index) Tags(id string) []string {
	if i, ok := x.tagged[id]; ok {
		return x.inds[i].Tags
	}
	return nil
}

// Len is the number of indicators.
func (x *Index) Len() int {
	if x == nil {
		return 0
	}
	return len(x.inds)
}

// Indicators returns the indexed indicators; do not change them.
func (x *Index) Indicators() []Indicator { return x.inds }

// HasIPs, HasDomains, HasURLs and HasHashes tell which lookups can match.
func (x *Index) HasIPs() bool     { return x.ips.Len() > 0 }
func (x *Index) HasDomains() bool { return len(x.domains) > 0 }
func (x *Index) HasURLs() bool    { return len(x.urls) > 0 }
func (x *Index) HasHashes() bool  { return len(x.hashes) > 0 }

func (x *Index) walk(i int32, now int64, fn func(*Indicator)) {
	for ; i >= 0; i = x.next[i] {
		ind := &x.inds[i]
		if ind.ValidUntil != 0 && ind.ValidUntil < now {
			continue
		}
		fn(ind)
	}
}

// MatchIP calls fn for each live indicator of the longest listed prefix
// holding a.
func (x *Index) MatchIP(a netip.Addr, now time.Time, fn func(*Indicator)) {
	if i, _, ok := x.ips.Lookup(a); ok {
		x.walk(i, now.Unix(), fn)
	}
}

// MatchDomain calls fn for the indicators of d and of each of its parent
// domains (an indicator evil.example matches www.evil.example).
func (x *Index) MatchDomain(d string, now time.Time, fn func(*Indicator)) {
	if len(x.domains) == 0 || len(d) < 3 {
		return
	}
	d = strings.TrimSuffix(d, ".")
	if hasUpper(d) {
		d = strings.ToLower(d)
	}
	for {
		if i, ok := x.domains[d]; ok {
			x.walk(i, now.Unix(), fn)
		}
		dot := strings.IndexByte(d, '.')
		if dot < 0 || strings.IndexByte(d[dot+1:], '.') < 0 {
			return // stop before the top-level domain
		}
		d = d[dot+1:]
	}
}

// MatchURL calls fn for the indicators of a URL (scheme ignored, host in
// any case).
func (x *Index) MatchURL(u string, now time.Time, fn func(*Indicator)) {
	if len(x.urls) == 0 {
		return
	}
	if k := urlKey(u); k != "" {
		if i, ok := x.urls[k]; ok {
			x.walk(i, now.Unix(), fn)
		}
	}
}

// MatchHash calls fn for the indicators of a hash (hex, any case).
func (x *Index) MatchHash(h string, now time.Time, fn func(*Indicator)) {
	if len(x.hashes) == 0 || hashType(strings.ToLower(h)) == 0 {
		return
	}
	if hasUpper(h) {
		h = strings.ToLower(h)
	}
	if i, ok := x.hashes[h]; ok {
		x.walk(i, now.Unix(), fn)
	}
}

func hasUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return true
		}
	}
	return false
}
