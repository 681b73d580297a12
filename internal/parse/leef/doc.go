// Package leef owns IBM's Log Event Extended Format (LEEF):
//
//	LEEF:1.0|Vendor|Product|Version|EventID|key=value<TAB>key=value…
//	LEEF:2.0|Vendor|Product|Version|EventID|Delimiter|key=value<Delimiter>…
//
// optionally behind an RFC 5424 or RFC 3164 syslog header (set as those
// packages set it). The LEEF 2.0 delimiter is one character or a hex code
// ("x09", "0x09", "^"); empty means tab. The delimiter field is optional
// (IBM's LEEF 2.0 spec; Trend Micro Deep Security leaves it out): when the
// field after EventID holds a '=' it is the attribute text, tab-separated. In LEEF 1.0, attributes are
// tab-separated; a 1.0 record without any tab but with " key=" in it
// (senders that replaced tabs with spaces) is split CEF-style: a value runs
// to the space before the next "key=". '\|' in the header and '\=' in
// values are unescaped. A key is the text before the first '='; empty
// values are absent.
//
// Mapping (docs/formats.md has the same table):
//
//	header Vendor/Product/Version  observer.vendor/product/version
//	header EventID                 event.code
//	src/dst                        source.ip/destination.ip
//	srcPort/dstPort                source.port/destination.port
//	srcMAC/dstMAC                  source.mac/destination.mac
//	srcPostNAT/dstPostNAT          source.nat.ip/destination.nat.ip
//	srcPostNATPort/dstPostNATPort  source.nat.port/destination.nat.port
//	srcBytes/dstBytes              source.bytes/destination.bytes
//	srcPackets/dstPackets          source.packets/destination.packets
//	usrName                        user.name
//	proto                          network.transport (lower case; 6 → tcp)
//	sev                            event.severity (int)
//	devTime (+ devTimeFormat)      @timestamp
//	url                            url.original
//	identHostName                  host.name
//	identSrc                       source.ip when src is absent
//
// devTimeFormat is a Java SimpleDateFormat pattern; without it devTime is
// epoch milliseconds or "MMM dd yyyy HH:mm:ss" (zone-less times are in
// Options.Location). Every other key — and a predefined one whose value
// does not convert — is kept as leef.<key> (text).
package leef
