package iptable

import (
	"math/rand"
	"net/netip"
	"testing"
)

func TestTable(t *testing.T) {
	var tb Table[string]
	for p, v := range map[string]string{
		"10.0.0.0/8": "ten", "10.1.0.0/16": "ten-one", "10.1.2.3/32": "host", "0.0.0.0/0": "any4",
		"2001:db8::/32": "doc6", "2001:db8::1/128": "doc6-host", "::ffff:192.0.2.0/120": "mapped",
	} {
		tb.Insert(netip.MustParsePrefix(p), v)
	}
	f := func(addr, want, prefix string) {
		t.Helper()
		v, p, ok := tb.Lookup(netip.MustParseAddr(addr))
		if want == "" {
			if ok {
				t.Errorf("Lookup(%s) = %q %v, want none", addr, v, p)
			}
			return
		}
		if !ok || v != want || p.String() != prefix {
			t.Errorf("Lookup(%s) = %q %v %v, want %q %s", addr, v, p, ok, want, prefix)
		}
	}
	f("10.1.2.3", "host", "10.1.2.3/32")
	f("10.1.2.4", "ten-one", "10.1.0.0/16")
	f("10.200.0.1", "ten", "10.0.0.0/8")
	f("8.8.8.8", "any4", "0.0.0.0/0")
	f("::ffff:10.1.2.3", "host", "10.1.2.3/32")
	f("192.0.2.77", "mapped", "192.0.2.0/24")
	f("2001:db8::1", "doc6-host", "2001:db8::1/128")
	f("2001:db8:ffff::1", "doc6", "2001:db8::/32")
	f("2001:db9::1", "", "")
	f("fe80::1%eth0", "", "")
	if tb.Len() != 7 {
		t.Errorf("Len = %d", tb.Len())
	}
	tb.Insert(netip.MustParsePrefix("10.1.2.3/32"), "again")
	if tb.Len() != 7 {
		t.Errorf("Len after replace = %d", tb.Len())
	}
	n := 0
	tb.Range(func(netip.Prefix, string) bool { n++; return true })
	if n != 7 {
		t.Errorf("Range saw %d", n)
	}
	var empty *Table[int]
	if _, _, ok := empty.Lookup(netip.MustParseAddr("1.2.3.4")); ok {
		t.Error("nil table matched")
	}
}

// TestTableAgainstLinear compares lookups with a linear scan of random prefixes.
func TestTableAgainstLinear(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var tb Table[int]
	var ps []netip.Prefix
	for i := 0; i < 500; i++ {
		var b [4]byte
		r.Read(b[:])
		p := netip.PrefixFrom(netip.AddrFrom4(b), 8+r.Intn(25)).Masked()
		tb.Insert(p, i)
		ps = append(ps, p)
	}
	best := map[netip.Prefix]int{}
	for i, p := range ps {
		best[p] = i
	}
	for i := 0; i < 5000; i++ {
		var b [4]byte
		r.Read(b[:])
		a := netip.AddrFrom4(b)
		want, wantBits := -1, -1
		for p, v := range best {
			if p.Contains(a) && p.Bits() > wantBits {
				want, wantBits = v, p.Bits()
			}
		}
		got, p, ok := tb.Lookup(a)
		if ok != (want >= 0) || ok && (got != want || p.Bits() != wantBits) {
			t.Fatalf("Lookup(%s) = %d %v %v, want %d /%d", a, got, p, ok, want, wantBits)
		}
	}
}
