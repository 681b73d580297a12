package normalize

import (
	"context"
	"net/netip"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// CommonFields fills the core ECS fields from the names applications and
// devices commonly give them when no vendor normaliser did: key=value
// messages (`user=alice src=10.0.0.1`, netfilter's `SRC= DST= SPT= DPT=
// PROTO=`), flat JSON keys, and RFC 5424 structured-data parameters
// (log.syslog.structured_data.<SD-ID>.<name>). The table is commonKeys.
//
// A field already set is never overwritten, and a value of the wrong type
// (an address that is not an IP, a port out of range, an outcome that is
// not one of ECS's) is left where it is: the original keys always stay.
// CEF's suser (source.user.name) also gives user.name. It runs after the
// vendor normalisers; an event with none of the keys costs one pass over
// its field names.
type CommonFields struct{}

// NewCommonFields returns the common-fields normaliser.
func NewCommonFields() *CommonFields { return &CommonFields{} }

// Name implements pipeline.Processor.
func (*CommonFields) Name() string { return "normalize_common_fields" }

// Process implements pipeline.Processor. It never drops an event.
func (c *CommonFields) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		c.Normalize(e)
	}
	return events
}

// common targets, in the order of commonTargets.
const (
	cSourceIP = iota
	cDestinationIP
	cSourcePort
	cDestinationPort
	cUserName
	cTransport
	cAction
	cOutcome
	numCommon
)

var commonTargets = [numCommon]string{"source.ip", "destination.ip", "source.port", "destination.port",
	"user.name", "network.transport", "event.action", "event.outcome"}

// commonKeys maps the raw names to their ECS target.
var commonKeys = map[string]int{
	"src": cSourceIP, "src_ip": cSourceIP, "srcip": cSourceIP, "source_ip": cSourceIP, "sourceip": cSourceIP,
	"src_addr": cSourceIP, "srcaddr": cSourceIP, "client_ip": cSourceIP, "clientip": cSourceIP,
	"remote_ip": cSourceIP, "SRC": cSourceIP, "SourceIp": cSourceIP, "SourceAddress": cSourceIP,
	"dst": cDestinationIP, "dst_ip": cDestinationIP, "dstip": cDestinationIP, "dest_ip": cDestinationIP,
	"destination_ip": cDestinationIP, "dst_addr": cDestinationIP, "dstaddr": cDestinationIP,
	"DST": cDestinationIP, "DestinationIp": cDestinationIP, "DestAddress": cDestinationIP,
	"spt": cSourcePort, "sport": cSourcePort, "src_port": cSourcePort, "srcport": cSourcePort,
	"source_port": cSourcePort, "SPT": cSourcePort, "SourcePort": cSourcePort,
	"dpt": cDestinationPort, "dport": cDestinationPort, "dst_port": cDestinationPort, "dstport": cDestinationPort,
	"dest_port": cDestinationPort, "destination_port": cDestinationPort, "DPT": cDestinationPort,
	"DestinationPort": cDestinationPort, "DestPort": cDestinationPort,
	"user": cUserName, "username": cUserName, "user_name": cUserName, "usr": cUserName, "uname": cUserName,
	"suser": cUserName, "UserName": cUserName, "source.user.name": cUserName,
	"proto": cTransport, "protocol": cTransport, "PROTO": cTransport,
	"action": cAction, "act": cAction,
	"outcome": cOutcome, "result": cOutcome,
}

// sdPrefix is where the RFC 5424 parser puts structured-data parameters.
const sdPrefix = "log.syslog.structured_data."

// Normalize fills e's missing core fields from its common keys and reports
// whether it set any.
func (*CommonFields) Normalize(e *event.Event) bool {
	var from [numCommon]int
	var have [numCommon]bool
	found := false
	for i := range e.Fields {
		n := e.Fields[i].Name
		key := n
		if strings.IndexByte(n, '.') >= 0 {
			switch {
			case strings.HasPrefix(n, sdPrefix):
				key = n[strings.LastIndexByte(n, '.')+1:]
			case n == "source.user.name":
			default:
				if t := commonTarget(n); t >= 0 {
					have[t] = true
				}
				continue
			}
		}
		t, ok := commonKeys[key]
		if !ok || from[t] != 0 {
			continue
		}
		from[t] = i + 1
		found = true
	}
	if !found {
		return false
	}
	set := false
	for t, i := range from {
		if i == 0 || have[t] {
			continue
		}
		if v, ok := commonValue(t, e.Fields[i-1].Value); ok {
			e.Fields = append(e.Fields, event.Field{Name: commonTargets[t], Value: v})
			set = true
		}
	}
	return set
}

// commonTarget returns the index of an ECS target name, or -1.
func commonTarget(name string) int {
	switch name[0] {
	case 's', 'd', 'u', 'n', 'e':
		for t, n := range commonTargets {
			if n == name {
				return t
			}
		}
	}
	return -1
}

// commonValue converts a raw value to the type of target t.
func commonValue(t int, v event.Value) (event.Value, bool) {
	switch t {
	case cSourceIP, cDestinationIP:
		if v.Kind() == event.KindIP {
			return v, true
		}
		if v.Kind() != event.KindString {
			return v, false
		}
		a, err := netip.ParseAddr(v.Str())
		if err != nil {
			return v, false
		}
		return event.IP(a), true
	case cSourcePort, cDestinationPort:
		if v.Kind() == event.KindInt {
			return v, v.Int() >= 0 && v.Int() <= 65535
		}
		n, ok := scan.Atoi(ecsfield.Text(v))
		return event.Int(n), ok && n <= 65535
	case cTransport:
		s := ecsfield.Text(v)
		if s == "" {
			return v, false
		}
		t := ecsfield.Transport(s)
		return event.String(t), ecsfield.IANANumber(t) >= 0
	case cOutcome:
		switch strings.ToLower(ecsfield.Text(v)) {
		case "success", "succeeded", "successful", "ok":
			return event.String("success"), true
		case "failure", "failed", "fail", "error":
			return event.String("failure"), true
		case "unknown":
			return event.String("unknown"), true
		}
		return v, false
	}
	if v.Kind() != event.KindString {
		return v, false
	}
	s := v.Str()
	return v, s != "" && s != "-"
}
