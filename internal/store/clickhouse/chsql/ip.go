package chsql

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// ipv4Octet is a regular expression of one decimal octet of an IPv4 address
// in canonical form (no leading zeros).
const ipv4Octet = `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`

// ipv6Pattern matches an IPv6 address in lower-case text form, with or
// without a "::" (the forms without an embedded IPv4 address or a zone).
const ipv6Pattern = `(?:` +
	`(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,7}:|` +
	`(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,5}(?::[0-9a-f]{1,4}){1,2}|` +
	`(?:[0-9a-f]{1,4}:){1,4}(?::[0-9a-f]{1,4}){1,3}|` +
	`(?:[0-9a-f]{1,4}:){1,3}(?::[0-9a-f]{1,4}){1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,2}(?::[0-9a-f]{1,4}){1,5}|` +
	`[0-9a-f]{1,4}:(?::[0-9a-f]{1,4}){1,6}|` +
	`:(?:(?::[0-9a-f]{1,4}){1,7}|:))`

// cidrPred compiles `field:prefix` on a string column.
//
// IPv4 compiles to a regular expression of the addresses in the prefix,
// after a startsWith on the octets the prefix fixes (the same form as the
// DuckDB compiler, which measured it). IPv6 converts the addresses with
// IPv6StringToNum and compares the hex; a prefix that fixes a non-zero first
// group first checks it with an anchored regular expression (any text form
// of such an address starts with it).
func cidrPred(col string, p netip.Prefix) pred {
	addr := p.Addr()
	if addr.Is4() {
		return cidr4(col, p)
	}
	if p.Bits() == 128 {
		return rowPred(fragOf(ip6Hex(col)+" = ?", ip6Value(addr)))
	}
	var ps []pred
	b := addr.As16()
	if g := int(b[0])<<8 | int(b[1]); p.Bits() >= 16 && g != 0 {
		h := strconv.FormatInt(int64(g), 16)
		// Lower-cased text: (?i) does not work in 18.16's match().
		re := "^" + strings.Repeat("0?", 4-len(h)) + h + ":"
		ps = append(ps, rowPred(fragOf("match(lowerUTF8("+col+"), ?)", re)))
	}
	ps = append(ps, rowPred(fragOf(ip6Hex(col)+" BETWEEN ? AND ?", ip6Value(addr), ip6Value(lastAddr(p)))))
	return andPreds(ps...)
}

func cidr4(col string, p netip.Prefix) pred {
	o := p.Addr().As4()
	full, rem := p.Bits()/8, p.Bits()%8
	if full == 4 {
		return colPred(fragOf(col+" = ?", p.Addr().String()), col)
	}
	var re strings.Builder
	re.WriteByte('^')
	for i := 0; i < 4; i++ {
		if i > 0 {
			re.WriteString(`\.`)
		}
		switch {
		case i < full:
			re.WriteString(strconv.Itoa(int(o[i])))
		case i == full && rem > 0:
			lo := int(o[i])
			hi := lo | (1<<(8-rem) - 1)
			re.WriteString("(?:")
			for v := lo; v <= hi; v++ {
				if v > lo {
					re.WriteByte('|')
				}
				re.WriteString(strconv.Itoa(v))
			}
			re.WriteString(")")
		default:
			re.WriteString(ipv4Octet)
		}
	}
	re.WriteByte('$')
	var ps []pred
	if full > 0 {
		var pre strings.Builder
		for i := 0; i < full; i++ {
			pre.WriteString(strconv.Itoa(int(o[i])))
			pre.WriteByte('.')
		}
		ps = append(ps, colPred(fragOf("startsWith("+col+", ?)", pre.String()), col))
	}
	ps = append(ps, colPred(fragOf("match("+col+", ?)", re.String()), col))
	return andPreds(ps...)
}

// lastAddr is the highest address of a prefix.
func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().As16()
	bits := p.Bits()
	if p.Addr().Is4() {
		bits += 96
	}
	for i := bits; i < 128; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	a := netip.AddrFrom16(b)
	if p.Addr().Is4() {
		return a.Unmap()
	}
	return a
}

// ip4Num is the SQL of the IPv4 address in a string column as a number, or
// NULL when the text is not one (IPv4StringToNum alone reads garbage as 0).
func ip4Num(col string) string {
	re := QuoteString(`^` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `$`)
	return "if(match(" + col + ", " + re + "), toNullable(toInt64(IPv4StringToNum(" + col + "))), NULL)"
}

// ip6Hex is the SQL of the IPv6 address in a string column as 32
// upper-case hex digits (which sort as the addresses do), or NULL when the
// text is not one: IPv6StringToNum reads an IPv4 address or garbage as ::.
func ip6Hex(col string) string {
	re := QuoteString("^" + ipv6Pattern + "$")
	return "if(match(lowerUTF8(" + col + "), " + re + "), toNullable(hex(IPv6StringToNum(" + col + "))), NULL)"
}

func ip4Value(a netip.Addr) int64 {
	b := a.As4()
	return int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
}

// ip6Value is an IPv6 address as ip6Hex writes it.
func ip6Value(a netip.Addr) string {
	b := a.As16()
	return strings.ToUpper(hex.EncodeToString(b[:]))
}
