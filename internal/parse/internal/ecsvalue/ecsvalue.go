// Package ecsvalue owns the conversions of vendor values into the forms
// ECS expects for a few fields the vendor formats share (CEF, LEEF):
// network.transport, event.outcome, network.direction, and typed ints and
// IPs that fall back to text when the vendor value is not one.
package ecsvalue

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// Transport returns network.transport for a protocol name or IANA number:
// lower case ("TCP" → "tcp"), with 1, 6, 17, 58 and 132 named.
func Transport(s string) (string, bool) {
	switch s {
	case "":
		return "", false
	case "1":
		return "icmp", true
	case "6":
		return "tcp", true
	case "17":
		return "udp", true
	case "58":
		return "ipv6-icmp", true
	case "132":
		return "sctp", true
	}
	return Lower(s), true
}

// Lower returns s in ASCII lower case, without allocating when it already is.
func Lower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// Outcome returns event.outcome (success, failure, unknown) for the forms
// devices write ("Success", "/Failure", "failed"). Verdicts such as
// "allow" or "deny" are not outcomes (a firewall that denies has
// succeeded at it), so they give false and stay vendor fields.
func Outcome(s string) (string, bool) {
	switch strings.ToLower(strings.TrimPrefix(s, "/")) {
	case "success", "succeeded", "successful":
		return "success", true
	case "failure", "failed", "fail":
		return "failure", true
	case "unknown":
		return "unknown", true
	}
	return "", false
}

// Int returns an int value for decimal text, and false for anything else.
func Int(s string) (event.Value, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return event.Value{}, false
	}
	return event.Int(n), true
}

// Float returns a float value for decimal text, and false for anything else.
func Float(s string) (event.Value, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return event.Value{}, false
	}
	return event.Float(f), true
}

// IP returns an IP value for an IPv4 or IPv6 address, and false for
// anything else (a host name where an address was expected).
func IP(s string) (event.Value, bool) {
	t := strings.TrimSpace(s)
	a, err := netip.ParseAddr(t)
	if err != nil {
		return event.Value{}, false
	}
	if a.Is4() {
		// ParseAddr takes only the dotted-decimal form of an IPv4 address
		// (no leading zeros), which is its text: keep it, unformatted.
		return event.IPText(a, t), true
	}
	return event.IP(a), true
}
