// Package nftest builds NetFlow v5, NetFlow v9 and IPFIX packets from the
// documented layouts, for tests: v5 after Cisco's published record format
// (24-byte header, 48-byte records), v9 after RFC 3954 §5 and §8, IPFIX
// after RFC 7011 §3.
package nftest

import (
	"encoding/binary"
	"net/netip"
	"time"
)

type be []byte

func (b be) u8(v uint8) be   { return append(b, v) }
func (b be) u16(v uint16) be { return binary.BigEndian.AppendUint16(b, v) }
func (b be) u32(v uint32) be { return binary.BigEndian.AppendUint32(b, v) }
func (b be) u64(v uint64) be { return binary.BigEndian.AppendUint64(b, v) }
func (b be) ip(s string) be  { return append(b, netip.MustParseAddr(s).AsSlice()...) }

// V5 is a NetFlow v5 packet exported at export (sysUptime 100 s) with
// one TCP flow 10.0.0.1:51000 → 192.0.2.7:443, 10 packets, 4200 bytes,
// first and last seen 10 s and 1 s before export.
func V5(export time.Time) []byte {
	b := be{}.u16(5).u16(1).u32(100000).u32(uint32(export.Unix())).u32(0).u32(1).u8(0).u8(0).u16(0)
	b = b.ip("10.0.0.1").ip("192.0.2.7").ip("0.0.0.0").u16(1).u16(2).u32(10).u32(4200).u32(90000).u32(99000)
	b = b.u16(51000).u16(443).u8(0).u8(0x1b).u8(6).u8(0).u16(0).u16(0).u8(24).u8(24).u16(0)
	return b
}

// V9TemplateID is the template of V9's data flowset.
const V9TemplateID = 256

// v9Fields are the template's (type, length) pairs (RFC 3954 §8):
// IPV4_SRC_ADDR, IPV4_DST_ADDR, L4_SRC_PORT, L4_DST_PORT, PROTOCOL,
// IN_BYTES, IN_PKTS, FIRST_SWITCHED, LAST_SWITCHED.
var v9Fields = [][2]uint16{{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {1, 4}, {2, 4}, {22, 4}, {21, 4}}

// V9 is a NetFlow v9 packet from source id 42 exported at export
// (sysUptime 100 s): the template flowset (id 0) when withTemplate, then a
// data flowset with one UDP flow 10.0.0.2:53000 → 198.51.100.9:53, 3
// packets, 300 bytes, seen from 5 s to 0.5 s before export.
func V9(export time.Time, withTemplate bool) []byte {
	count := uint16(1)
	if withTemplate {
		count = 2
	}
	b := be{}.u16(9).u16(count).u32(100000).u32(uint32(export.Unix())).u32(7).u32(42)
	if withTemplate {
		b = b.u16(0).u16(uint16(8 + 4*len(v9Fields))).u16(V9TemplateID).u16(uint16(len(v9Fields)))
		for _, f := range v9Fields {
			b = b.u16(f[0]).u16(f[1])
		}
	}
	rec := be{}.ip("10.0.0.2").ip("198.51.100.9").u16(53000).u16(53).u8(17).u32(300).u32(3).u32(95000).u32(99500)
	pad := (4 - (4+len(rec))%4) % 4
	b = b.u16(V9TemplateID).u16(uint16(4 + len(rec) + pad))
	b = append(b, rec...)
	return append(b, make([]byte, pad)...)
}

// IPFIX is an IPFIX message from observation domain 5 exported at export:
// a template set (id 2) for template 300 (sourceIPv6Address,
// destinationIPv6Address, sourceTransportPort, destinationTransportPort,
// protocolIdentifier, octetDeltaCount, packetDeltaCount,
// flowStartMilliseconds, flowEndMilliseconds) and a data set with one TCP
// flow [2001:db8::1]:40000 → [2001:db8::2]:22, 12 packets, 9000 bytes,
// from 5 s before export to export.
func IPFIX(export time.Time) []byte {
	fields := [][2]uint16{{27, 16}, {28, 16}, {7, 2}, {11, 2}, {4, 1}, {1, 8}, {2, 8}, {152, 8}, {153, 8}}
	body := be{}.u16(2).u16(uint16(8 + 4*len(fields))).u16(300).u16(uint16(len(fields)))
	for _, f := range fields {
		body = body.u16(f[0]).u16(f[1])
	}
	rec := be{}.ip("2001:db8::1").ip("2001:db8::2").u16(40000).u16(22).u8(6).
		u64(9000).u64(12).u64(uint64(export.Add(-5 * time.Second).UnixMilli())).u64(uint64(export.UnixMilli()))
	body = body.u16(300).u16(uint16(4 + len(rec)))
	body = append(body, rec...)
	b := be{}.u16(10).u16(uint16(16 + len(body))).u32(uint32(export.Unix())).u32(1).u32(5)
	return append(b, body...)
}
