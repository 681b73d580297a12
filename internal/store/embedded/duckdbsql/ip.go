package duckdbsql

import (
	"encoding/hex"
	"net/netip"
	"strconv"
	"strings"
)

// ipv4Octet is a regular expression of one decimal octet of an IPv4 address
// in canonical form (no leading zeros).
const ipv4Octet = `(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])`

// ipv6Pattern matches an IPv6 address in text form, any case, with or
// without a "::" (the forms without an embedded IPv4 address or a zone).
const ipv6Pattern = `(?i)(?:` +
	`(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,7}:|` +
	`(?:[0-9a-f]{1,4}:){1,6}:[0-9a-f]{1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,5}(?::[0-9a-f]{1,4}){1,2}|` +
	`(?:[0-9a-f]{1,4}:){1,4}(?::[0-9a-f]{1,4}){1,3}|` +
	`(?:[0-9a-f]{1,4}:){1,3}(?::[0-9a-f]{1,4}){1,4}|` +
	`(?:[0-9a-f]{1,4}:){1,2}(?::[0-9a-f]{1,4}){1,5}|` +
	`[0-9a-f]{1,4}:(?::[0-9a-f]{1,4}){1,6}|` +
	`:(?:(?::[0-9a-f]{1,4}){1,7}|:))`

// Setup are the statements a store runs on every new DuckDB connection
// before it runs compiled queries (in the connector's init function): the
// macros the SQL uses. DuckDB's inet extension would do this work, but
// nothing may be downloaded, so IP addresses, which the store keeps as
// canonical text, are handled by these macros and by regular expressions.
// They are temporary (per connection) so that they never enter a database
// file.
//
//   - vigil_ip4(s): the IPv4 address in s as a BIGINT, or NULL.
//   - vigil_ip6(s): the IPv6 address in s as 32 lower-case hex digits
//     (which sort as the addresses do), or NULL.
var Setup = []string{
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip4(s) AS CASE WHEN regexp_matches(s, '^` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `\.` + ipv4Octet + `$') ` +
		`THEN (CAST(split_part(s, '.', 1) AS BIGINT) << 24) + (CAST(split_part(s, '.', 2) AS BIGINT) << 16) + (CAST(split_part(s, '.', 3) AS BIGINT) << 8) + CAST(split_part(s, '.', 4) AS BIGINT) END`,
	// The steps of vigil_ip6: make a leading or trailing "::" inner,
	// replace "::" by the zero groups it stands for, pad every group to
	// four digits and drop the colons.
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_inner(s) AS ` +
		`CASE WHEN starts_with(s, '::') THEN '0' || s ELSE s END || CASE WHEN ends_with(s, '::') THEN '0' ELSE '' END`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_expand(s) AS ` +
		`replace(s, '::', ':' || repeat('0:', 8 - (length(s) - length(replace(s, ':', '')))))`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6_pad(s) AS ` +
		`replace(regexp_replace(regexp_replace(regexp_replace(s, '\b([0-9a-f]{3})\b', '0\1', 'g'), '\b([0-9a-f]{2})\b', '00\1', 'g'), '\b([0-9a-f])\b', '000\1', 'g'), ':', '')`,
	`CREATE OR REPLACE TEMPORARY MACRO vigil_ip6(s) AS CASE WHEN contains(s, ':') AND regexp_full_match(s, '` + ipv6Pattern + `') ` +
		`THEN vigil_ip6_pad(vigil_ip6_expand(vigil_ip6_inner(lower(s)))) END`,
}

// cidrPred compiles `field:prefix` on a string column.
//
// IPv4 compiles to a regular expression of the addresses in the prefix,
// after a starts_with on the octets the prefix fixes: 50 ms per million
// rows for a /8, where converting every address to a number took 550 ms.
// IPv6 converts the addresses with vigil_ip6 and compares the hex; a prefix
// that fixes a non-zero first group first checks it with an anchored
// regular expression (any text form of such an address starts with it).
func cidrPred(col string, p netip.Prefix) pred {
	addr := p.Addr()
	if addr.Is4() {
		return cidr4(col, p)
	}
	if p.Bits() == 128 {
		return rowPred(fragOf("vigil_ip6("+col+") = ?", ip6Hex(addr)))
	}
	var ps []pred
	b := addr.As16()
	if g := int(b[0])<<8 | int(b[1]); p.Bits() >= 16 && g != 0 {
		h := strconv.FormatInt(int64(g), 16)
		re := "(?i)^" + strings.Repeat("0?", 4-len(h)) + h + ":"
		ps = append(ps, rowPred(fragOf("regexp_matches("+col+", ?)", re)))
	}
	ps = append(ps, rowPred(fragOf("vigil_ip6("+col+") BETWEEN ? AND ?", ip6Hex(addr), ip6Hex(lastAddr(p)))))
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
		ps = append(ps, colPred(fragOf("starts_with("+col+", ?)", pre.String()), col))
	}
	ps = append(ps, colPred(fragOf("regexp_matches("+col+", ?)", re.String()), col))
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

// ip4Num is the SQL of the IPv4 address in a string column as a number.
func ip4Num(col string) string { return "vigil_ip4(" + col + ")" }

func ip4Value(a netip.Addr) int64 {
	b := a.As4()
	return int64(b[0])<<24 | int64(b[1])<<16 | int64(b[2])<<8 | int64(b[3])
}

// ip6Hex is an IPv6 address as vigil_ip6 writes it.
func ip6Hex(a netip.Addr) string {
	b := a.As16()
	return hex.EncodeToString(b[:])
}
