// Package ecsfield owns the small typed setters the vendor normalisers
// share: addresses that are IPs or host names, ports, transports, and the
// ECS categorisation arrays.
//
// The categorisation lists (Network, Denied, …) are shared by every event
// that carries them: they are read-only, and a stage that wants to change
// one must replace the value, never write into the slice.
package ecsfield

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// ECS categorisation values (event.category and event.type), shared and read-only.
var (
	Network            = event.List([]string{"network"})
	Authentication     = event.List([]string{"authentication"})
	Session            = event.List([]string{"session"})
	Web                = event.List([]string{"web"})
	Process            = event.List([]string{"process"})
	IAM                = event.List([]string{"iam"})
	AuthSession        = event.List([]string{"authentication", "session"})
	Configuration      = event.List([]string{"configuration"})
	IntrusionDetection = event.List([]string{"intrusion_detection"})

	TypeConnection        = event.List([]string{"connection"})
	TypeConnectionStart   = event.List([]string{"connection", "start"})
	TypeConnectionEnd     = event.List([]string{"connection", "end"})
	TypeConnectionDenied  = event.List([]string{"connection", "denied"})
	TypeConnectionAllowed = event.List([]string{"connection", "allowed"})
	TypeStart             = event.List([]string{"start"})
	TypeEnd               = event.List([]string{"end"})
	TypeInfo              = event.List([]string{"info"})
	TypeAccess            = event.List([]string{"access"})
	TypeError             = event.List([]string{"error"})
	TypeChange            = event.List([]string{"change"})
	TypeUser              = event.List([]string{"user"})
)

// Outcomes (event.outcome).
const (
	Success = "success"
	Failure = "failure"
	Unknown = "unknown"
)

// Categorize sets event.category, event.type and, when outcome is not
// empty, event.outcome.
func Categorize(e *event.Event, category, typ event.Value, outcome string) {
	e.Set("event.category", category)
	e.Set("event.type", typ)
	if outcome != "" {
		e.Set("event.outcome", event.String(outcome))
	}
}

// Addr sets prefix.ip when s is an IP address and prefix.domain when it is
// a host name; "-", "" and "?" set nothing. It reports whether it set an IP.
func Addr(e *event.Event, prefix, s string) bool {
	if s == "" || s == "-" || s == "?" {
		return false
	}
	n := NamesOf(prefix)
	if a, err := netip.ParseAddr(s); err == nil {
		e.Set(n.IP, event.IP(a))
		return true
	}
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil {
			e.Set(n.IP, event.IP(a))
			return true
		}
	}
	e.Set(n.Domain, event.String(s))
	return false
}

// Names are the field names under one endpoint prefix (source,
// destination, client, server), built once so the hot path does not
// concatenate strings per event.
type Names struct {
	IP, Domain, Port, NATIP, NATPort, UserName string
}

var (
	sourceNames      = newNames("source")
	destinationNames = newNames("destination")
	clientNames      = newNames("client")
	serverNames      = newNames("server")
)

func newNames(p string) *Names {
	return &Names{IP: p + ".ip", Domain: p + ".domain", Port: p + ".port", NATIP: p + ".nat.ip",
		NATPort: p + ".nat.port", UserName: p + ".user.name"}
}

// NamesOf returns the names under prefix.
func NamesOf(prefix string) *Names {
	switch prefix {
	case "source":
		return sourceNames
	case "destination":
		return destinationNames
	case "client":
		return clientNames
	case "server":
		return serverNames
	}
	return newNames(prefix)
}

// IP sets name to the IP address s, and reports whether s was one.
func IP(e *event.Event, name, s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	e.Set(name, event.IP(a))
	return true
}

// Port sets name to s as an int when it is a port number (0–65535), and
// reports whether it was.
func Port(e *event.Event, name, s string) bool {
	n, ok := scan.Atoi(s)
	if !ok || n > 65535 {
		return false
	}
	e.Set(name, event.Int(n))
	return true
}

// Int sets name to s as an int when it is a non-negative decimal.
func Int(e *event.Event, name, s string) bool {
	n, ok := scan.Atoi(s)
	if !ok {
		return false
	}
	e.Set(name, event.Int(n))
	return true
}

// Str sets name to s unless s is empty or "-".
func Str(e *event.Event, name, s string) {
	if s == "" || s == "-" {
		return
	}
	e.Set(name, event.String(s))
}

// Transport returns the ECS network.transport of a protocol name or IANA
// number as vendors write them ("TCP", "6", "icmp6" …): lower case, and
// the IANA names for the numbers.
func Transport(s string) string {
	switch strings.ToLower(s) {
	case "tcp", "6":
		return "tcp"
	case "udp", "17":
		return "udp"
	case "icmp", "1":
		return "icmp"
	case "icmp6", "icmpv6", "ipv6-icmp", "58":
		return "ipv6-icmp"
	case "gre", "47":
		return "gre"
	case "esp", "50":
		return "esp"
	case "ah", "51":
		return "ah"
	case "sctp", "132":
		return "sctp"
	case "igmp", "2":
		return "igmp"
	case "ip", "0":
		return "ip"
	}
	return strings.ToLower(s)
}

// IANANumber returns the IANA protocol number of an ECS transport, or -1.
func IANANumber(transport string) int64 {
	switch transport {
	case "tcp":
		return 6
	case "udp":
		return 17
	case "icmp":
		return 1
	case "ipv6-icmp":
		return 58
	case "gre":
		return 47
	case "esp":
		return 50
	case "ah":
		return 51
	case "sctp":
		return 132
	case "igmp":
		return 2
	}
	return -1
}

// SetTransport sets network.transport and network.iana_number (a keyword
// in ECS, so text) from a vendor's protocol name or number.
func SetTransport(e *event.Event, proto string) {
	if proto == "" {
		return
	}
	t := Transport(proto)
	e.Set("network.transport", event.String(t))
	if n := IANANumber(t); n >= 0 {
		e.Set("network.iana_number", event.String(strconv.FormatInt(n, 10)))
	}
}

// Text is Value.Text without a copy for the string and IP values most
// fields hold.
func Text(v event.Value) string {
	if k := v.Kind(); k == event.KindString || k == event.KindIP {
		return v.Str()
	}
	return v.Text()
}
