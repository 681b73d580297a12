package sqlgen

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/query"
)

// The pattern is RE2 (both engines), for lower-case text; DuckDB's macro
// adds (?i).
func TestIPv6PatternIsRE2(t *testing.T) {
	re := regexp.MustCompile(`^(?i)` + ipv6Pattern + `$`)
	for _, s := range []string{"::", "::1", "1::", "2001:db8::1", "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "ABCD::ef"} {
		if !re.MatchString(s) {
			t.Errorf("ipv6Pattern rejects %q", s)
		}
	}
	for _, s := range []string{"", ":", ":::", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "g::1", "1.2.3.4", "::ffff:1.2.3.4"} {
		if re.MatchString(s) {
			t.Errorf("ipv6Pattern accepts %q", s)
		}
	}
}

// TestMacros checks vigil_ip4 and vigil_ip6 against Go's netip on fixed
// and random addresses written in every text form.
func TestMacros(t *testing.T) {
	db := openDB(t)
	r := rand.New(rand.NewPCG(1, 2))
	var inputs []string
	inputs = append(inputs, "", "x", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4 ", "::", "::1", "1::", "::ffff:1.2.3.4",
		"fe80::1%eth0", "1:2:3:4:5:6:7:8:9", "1::2::3", "2001:DB8::1", "2001:0db8:0000:0000:0000:0000:0000:0001", ":::", "1:2:3:4:5:6:7::")
	for range 300 {
		var b [16]byte
		for i := range b {
			if r.IntN(3) > 0 { // many zero bytes, so "::" happens
				b[i] = byte(r.IntN(256))
			}
		}
		a := netip.AddrFrom16(b)
		inputs = append(inputs, a.String(), strings.ToUpper(a.String()), a.StringExpanded())
		inputs = append(inputs, netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]}).String())
	}
	for _, s := range inputs {
		var got4 *int64
		var got6 *string
		if err := db.QueryRow("SELECT vigil_ip4(?), vigil_ip6(?)", s, s).Scan(&got4, &got6); err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		a, err := netip.ParseAddr(s)
		var want4 *int64
		var want6 *string
		if err == nil && a.Is4() {
			v := ip4Value(a)
			want4 = &v
		}
		if err == nil && a.Is6() && a.Zone() == "" && !strings.Contains(s, ".") {
			v := ip6Hex(a)
			want6 = &v
		}
		if fmt.Sprint(deref(got4)) != fmt.Sprint(deref(want4)) || fmt.Sprint(deref(got6)) != fmt.Sprint(deref(want6)) {
			t.Errorf("%q: vigil_ip4 %v vigil_ip6 %v, want %v and %v", s, deref(got4), deref(got6), deref(want4), deref(want6))
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestCIDRAgainstNetip runs random prefixes over random addresses and
// compares what the SQL matches with netip.Prefix.Contains.
func TestCIDRAgainstNetip(t *testing.T) {
	db := openDB(t)
	if _, err := db.Exec(`CREATE TABLE ips ("ip" VARCHAR, "ips" VARCHAR[])`); err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	var addrs []netip.Addr
	// Addresses clustered near a few bases, so prefixes of every length
	// match some and miss others.
	bases4 := []netip.Addr{netip.MustParseAddr("10.0.0.0"), netip.MustParseAddr("172.16.0.0"), netip.MustParseAddr("192.168.200.0")}
	bases6 := []netip.Addr{netip.MustParseAddr("2001:db8::"), netip.MustParseAddr("fe80::"), netip.MustParseAddr("::")}
	jitter := func(a netip.Addr) netip.Addr {
		b := a.AsSlice()
		for i := len(b) - 1; i >= 0 && r.IntN(4) > 0; i-- {
			b[i] ^= byte(r.IntN(256))
		}
		out, _ := netip.AddrFromSlice(b)
		return out
	}
	for len(addrs) < 400 {
		a := jitter(bases4[r.IntN(len(bases4))])
		if r.IntN(2) == 0 {
			a = jitter(bases6[r.IntN(len(bases6))])
		}
		if !a.Is4In6() { // Go writes those with a dotted tail, a form the store never keeps
			addrs = append(addrs, a)
		}
	}
	ins, err := db.Prepare(`INSERT INTO ips VALUES (?, ?)`)
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range addrs {
		text := a.String()
		if a.Is6() && i%3 == 0 {
			text = strings.ToUpper(a.StringExpanded()) // non-canonical text still matches
		}
		if _, err := ins.Exec(text, []string{"x", text}); err != nil {
			t.Fatal(err)
		}
	}
	ins.Close()
	cat := query.MapCatalog{"ip": query.TypeString, "ips": query.TypeList}
	for range 150 {
		a := addrs[r.IntN(len(addrs))]
		bits := r.IntN(a.BitLen() + 1)
		p := netip.PrefixFrom(a, bits).Masked()
		for _, field := range []string{"ip", "ips"} {
			plan := &query.Plan{Filter: &query.CIDR{Field: field, Prefix: p}}
			s := &stmt{limit: -1}
			c := &compiler{d: DuckDB, cat: cat}
			pr := c.expr(plan.Filter, s)
			rows, err := db.Query(`SELECT "ip" FROM ips WHERE `+pr.sql, pr.args...)
			if err != nil {
				t.Fatalf("%s:%s: %v", field, p, err)
			}
			var got []string
			for rows.Next() {
				var ip string
				rows.Scan(&ip)
				got = append(got, strings.ToLower(ip))
			}
			rows.Close()
			var want []string
			for _, x := range addrs {
				if p.Contains(x) {
					want = append(want, x.String())
				}
			}
			for i := range got {
				got[i] = netip.MustParseAddr(got[i]).String()
			}
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("%s:%s matched %d addresses, netip %d\n got %q\nwant %q", field, p, len(got), len(want), got, want)
			}
		}
	}
}

func TestLastAddr(t *testing.T) {
	f := func(prefix, want string) {
		t.Helper()
		if got := lastAddr(netip.MustParsePrefix(prefix)).String(); got != want {
			t.Errorf("lastAddr(%s) = %s, want %s", prefix, got, want)
		}
	}
	f("10.0.0.0/8", "10.255.255.255")
	f("10.1.2.3/32", "10.1.2.3")
	f("0.0.0.0/0", "255.255.255.255")
	f("2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")
	f("::/0", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")
}
