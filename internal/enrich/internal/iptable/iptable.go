// Package iptable owns the longest-prefix-match table the enrichers use
// to find an address among millions of indicator or inventory entries.
//
// The table is a hash map per prefix length ("binary search on prefix
// lengths" without the search: the lengths present are few, usually /32
// and a handful of CIDR sizes). A lookup masks the address to each length
// present, longest first, and probes one map each: a miss costs one probe
// per length. IPv4 keys are uint32 and IPv6 keys [16]byte, so a million
// /32 entries take about 40 MB rather than the ~100 MB of netip.Addr or
// string keys. A Table is built once and then only read: lookups are safe
// from any number of goroutines.
package iptable

import (
	"encoding/binary"
	"net/netip"
	"sort"
)

// Table maps IP prefixes to values.
type Table[V any] struct {
	v4     [33]map[uint32]V
	v6     [129]map[[16]byte]V
	lens4  []int // lengths present, longest first
	lens6  []int
	length int
}

// Insert adds or replaces the value of a prefix (an address is a /32 or
// /128). IPv4-mapped IPv6 prefixes are stored as IPv4.
func (t *Table[V]) Insert(p netip.Prefix, v V) {
	p = normalize(p)
	bits := p.Bits()
	if p.Addr().Is4() {
		m := t.v4[bits]
		if m == nil {
			m = map[uint32]V{}
			t.v4[bits] = m
			t.lens4 = insertLen(t.lens4, bits)
		}
		k := key4(p.Addr())
		if _, dup := m[k]; !dup {
			t.length++
		}
		m[k] = v
		return
	}
	m := t.v6[bits]
	if m == nil {
		m = map[[16]byte]V{}
		t.v6[bits] = m
		t.lens6 = insertLen(t.lens6, bits)
	}
	k := p.Addr().As16()
	if _, dup := m[k]; !dup {
		t.length++
	}
	m[k] = v
}

// Len is the number of prefixes in the table.
func (t *Table[V]) Len() int { return t.length }

// Lookup returns the value of the longest prefix that contains a.
func (t *Table[V]) Lookup(a netip.Addr) (V, netip.Prefix, bool) {
	var zero V
	if t == nil || t.length == 0 {
		return zero, netip.Prefix{}, false
	}
	a = a.Unmap().WithZone("")
	if a.Is4() {
		k := key4(a)
		for _, l := range t.lens4 {
			masked := k
			if l < 32 {
				masked &^= (1<<(32-l) - 1)
			}
			if v, ok := t.v4[l][masked]; ok {
				var b [4]byte
				binary.BigEndian.PutUint32(b[:], masked)
				return v, netip.PrefixFrom(netip.AddrFrom4(b), l), true
			}
		}
		return zero, netip.Prefix{}, false
	}
	if !a.Is6() {
		return zero, netip.Prefix{}, false
	}
	for _, l := range t.lens6 {
		p, err := a.Prefix(l)
		if err != nil {
			continue
		}
		if v, ok := t.v6[l][p.Addr().As16()]; ok {
			return v, p, true
		}
	}
	return zero, netip.Prefix{}, false
}

// Range calls fn for every prefix and value until fn returns false, in no
// particular order.
func (t *Table[V]) Range(fn func(netip.Prefix, V) bool) {
	for _, l := range t.lens4 {
		for k, v := range t.v4[l] {
			var b [4]byte
			binary.BigEndian.PutUint32(b[:], k)
			if !fn(netip.PrefixFrom(netip.AddrFrom4(b), l), v) {
				return
			}
		}
	}
	for _, l := range t.lens6 {
		for k, v := range t.v6[l] {
			if !fn(netip.PrefixFrom(netip.AddrFrom16(k), l), v) {
				return
			}
		}
	}
}

func normalize(p netip.Prefix) netip.Prefix {
	a := p.Addr()
	bits := p.Bits()
	if a.Is4In6() {
		a = a.Unmap()
		bits -= 96
		if bits < 0 {
			bits = 0
		}
	}
	return netip.PrefixFrom(a.WithZone(""), bits).Masked()
}

func key4(a netip.Addr) uint32 {
	b := a.As4()
	return binary.BigEndian.Uint32(b[:])
}

func insertLen(lens []int, l int) []int {
	lens = append(lens, l)
	sort.Sort(sort.Reverse(sort.IntSlice(lens)))
	return lens
}
