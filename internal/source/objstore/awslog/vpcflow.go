package awslog

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// DefaultFlowFields are the fields of the default VPC Flow Log format
// (version 2), in order: what a file without a header line holds.
var DefaultFlowFields = []string{
	"version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
	"protocol", "packets", "bytes", "start", "end", "action", "log-status",
}

// knownFlowFields are the field names of flow log versions 2 to 8; a header
// line is recognised by them.
var knownFlowFields = map[string]bool{
	"version": true, "account-id": true, "interface-id": true, "srcaddr": true, "dstaddr": true,
	"srcport": true, "dstport": true, "protocol": true, "packets": true, "bytes": true,
	"start": true, "end": true, "action": true, "log-status": true,
	"vpc-id": true, "subnet-id": true, "instance-id": true, "tcp-flags": true, "type": true,
	"pkt-srcaddr": true, "pkt-dstaddr": true,
	"region": true, "az-id": true, "sublocation-type": true, "sublocation-id": true,
	"pkt-src-aws-service": true, "pkt-dst-aws-service": true, "flow-direction": true, "traffic-path": true,
	"ecs-cluster-arn": true, "ecs-cluster-name": true, "ecs-container-instance-arn": true,
	"ecs-container-instance-id": true, "ecs-container-id": true, "ecs-second-container-id": true,
	"ecs-service-name": true, "ecs-task-definition-arn": true, "ecs-task-arn": true, "ecs-task-id": true,
	"reject-reason": true, "resource-id": true,
}

// FlowFormat is the field layout of a VPC Flow Log file.
type FlowFormat struct {
	names []string
	apply []func(e *event.Event, v string) error
}

// DefaultFlowFormat returns the layout of the default format.
func DefaultFlowFormat() *FlowFormat {
	f, _ := NewFlowFormat(DefaultFlowFields)
	return f
}

// NewFlowFormat returns the layout with the given field names.
func NewFlowFormat(names []string) (*FlowFormat, error) {
	if len(names) == 0 {
		return nil, errors.New("flow log format: no fields")
	}
	f := &FlowFormat{names: append([]string(nil), names...)}
	seen := make(map[string]bool, len(names))
	for _, n := range names {
		if !validFlowName(n) {
			return nil, fmt.Errorf("flow log format: field name %q: want lower-case letters, digits and '-'", n)
		}
		if seen[n] {
			return nil, fmt.Errorf("flow log format: field %q named twice", n)
		}
		seen[n] = true
		f.apply = append(f.apply, flowSetter(n))
	}
	return f, nil
}

// Fields returns the field names, in order.
func (f *FlowFormat) Fields() []string { return append([]string(nil), f.names...) }

func validFlowName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsFlowHeader reports whether line is the header line of a flow log file:
// at least two space-separated names, all well-formed, two or more of them
// known flow log fields.
func IsFlowHeader(line string) bool {
	names := strings.Fields(line)
	if len(names) < 2 {
		return false
	}
	known := 0
	for _, n := range names {
		if !validFlowName(n) {
			return false
		}
		if knownFlowFields[n] {
			known++
		}
	}
	return known >= 2
}

// ParseFlowHeader reads the header line of a flow log file.
func ParseFlowHeader(line string) (*FlowFormat, error) {
	if !IsFlowHeader(line) {
		return nil, fmt.Errorf("flow log header %q: want the space-separated field names (version account-id …)", truncate(line, 80))
	}
	return NewFlowFormat(strings.Fields(line))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// Decode maps one flow record onto e. The line must have one value per
// field of the format; "-" values are absent. A value that does not have
// its field's type (a port that is not a number) is kept as text under
// aws.vpcflow.<name>.
func (f *FlowFormat) Decode(line string, e *event.Event) error {
	var vals [64]string
	vs := vals[:0]
	for i := 0; i < len(line); {
		for i < len(line) && flowSpace(line[i]) {
			i++
		}
		if i == len(line) {
			break
		}
		j := i
		for j < len(line) && !flowSpace(line[j]) {
			j++
		}
		vs = append(vs, line[i:j])
		i = j
	}
	if len(vs) != len(f.names) {
		return fmt.Errorf("decode flow log record: %d fields, the format has %d", len(vs), len(f.names))
	}
	e.Set("event.kind", event.String("event"))
	e.Set("event.category", event.List([]string{"network"}))
	e.Set("event.module", event.String("aws"))
	e.Set("event.dataset", event.String("aws.vpcflow"))
	e.Set("cloud.provider", event.String("aws"))
	for i, v := range vs {
		if v == "-" {
			continue
		}
		if err := f.apply[i](e, v); err != nil {
			e.Set("aws.vpcflow."+flowSnake(f.names[i]), event.String(v))
		}
	}
	var related []string
	for _, n := range [...]string{"source.ip", "destination.ip"} {
		if s := e.GetString(n); s != "" && (len(related) == 0 || related[0] != s) {
			related = append(related, s)
		}
	}
	if len(related) > 0 {
		e.Set("related.ip", event.List(related))
	}
	return nil
}

// flowSpace reports the ASCII white space that separates values.
func flowSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'
}

func flowSnake(n string) string { return strings.ReplaceAll(n, "-", "_") }

var errFlowValue = errors.New("bad flow log value")

// flowInt parses an unsigned decimal number, as flow logs write them.
func flowInt(v string) (int64, error) {
	if v == "" || v[0] < '0' || v[0] > '9' {
		return 0, errFlowValue
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errFlowValue
	}
	return n, nil
}

// flowSetter returns the function that maps one field.
func flowSetter(name string) func(e *event.Event, v string) error {
	ints := func(names ...string) func(*event.Event, string) error {
		return func(e *event.Event, v string) error {
			n, err := flowInt(v)
			if err != nil {
				return err
			}
			for _, f := range names {
				e.Set(f, event.Int(n))
			}
			return nil
		}
	}
	addr := func(side string) func(*event.Event, string) error {
		return func(e *event.Event, v string) error {
			e.Set(side+".address", event.String(v))
			if a, err := netip.ParseAddr(v); err == nil {
				e.Set(side+".ip", event.IP(a))
			}
			return nil
		}
	}
	epoch := func(field string, timestamp bool) func(*event.Event, string) error {
		return func(e *event.Event, v string) error {
			n, err := flowInt(v)
			if err != nil {
				return err
			}
			t := time.Unix(n, 0).UTC()
			e.Set(field, event.Time(t))
			if timestamp {
				e.Timestamp = t
			}
			return nil
		}
	}
	str := func(names ...string) func(*event.Event, string) error {
		return func(e *event.Event, v string) error {
			for _, f := range names {
				e.Set(f, event.String(v))
			}
			return nil
		}
	}
	switch name {
	case "srcaddr":
		return addr("source")
	case "dstaddr":
		return addr("destination")
	case "srcport":
		return ints("source.port")
	case "dstport":
		return ints("destination.port")
	case "packets":
		return ints("source.packets", "network.packets")
	case "bytes":
		return ints("source.bytes", "network.bytes")
	case "start":
		return epoch("event.start", false)
	case "end":
		return epoch("event.end", true)
	case "account-id":
		return str("cloud.account.id")
	case "instance-id":
		return str("cloud.instance.id")
	case "region":
		return str("cloud.region")
	case "protocol":
		return func(e *event.Event, v string) error {
			n, err := strconv.ParseUint(v, 10, 8)
			if err != nil {
				return errFlowValue
			}
			e.Set("network.iana_number", event.String(v))
			if t := transport[n]; t != "" {
				e.Set("network.transport", event.String(t))
			}
			return nil
		}
	case "action":
		return func(e *event.Event, v string) error {
			e.Set("event.action", event.String(v))
			switch v {
			case "ACCEPT":
				e.Set("event.type", event.List([]string{"connection", "allowed"}))
			case "REJECT":
				e.Set("event.type", event.List([]string{"connection", "denied"}))
			}
			return nil
		}
	case "type":
		return func(e *event.Event, v string) error {
			e.Set("network.type", event.String(strings.ToLower(v)))
			e.Set("aws.vpcflow.type", event.String(v))
			return nil
		}
	case "flow-direction":
		return str("network.direction", "aws.vpcflow.flow_direction")
	case "tcp-flags":
		return func(e *event.Event, v string) error {
			n, err := flowInt(v)
			if err != nil {
				return err
			}
			e.Set("aws.vpcflow.tcp_flags", event.Int(n))
			var names []string
			for bit, fl := range tcpFlags {
				if n&(1<<bit) != 0 {
					names = append(names, fl)
				}
			}
			if len(names) > 0 {
				e.Set("aws.vpcflow.tcp_flags_array", event.List(names))
			}
			return nil
		}
	case "pkt-srcaddr", "pkt-dstaddr":
		f := "aws.vpcflow." + flowSnake(name)
		return func(e *event.Event, v string) error {
			if a, err := netip.ParseAddr(v); err == nil {
				e.Set(f, event.IP(a))
			} else {
				e.Set(f, event.String(v))
			}
			return nil
		}
	case "version":
		return ints("aws.vpcflow.version")
	}
	f := "aws.vpcflow." + flowSnake(name)
	return func(e *event.Event, v string) error {
		e.Set(f, event.String(v))
		return nil
	}
}

// tcpFlags names the bits of the tcp-flags field, lowest first.
var tcpFlags = [...]string{"fin", "syn", "rst", "psh", "ack", "urg"}

// transport names the IANA protocol numbers seen in flow logs, as ECS
// network.transport writes them.
var transport = map[uint64]string{
	0: "hopopt", 1: "icmp", 2: "igmp", 4: "ipv4", 6: "tcp", 8: "egp", 17: "udp", 27: "rdp",
	41: "ipv6", 43: "ipv6-route", 44: "ipv6-frag", 46: "rsvp", 47: "gre", 50: "esp", 51: "ah",
	58: "ipv6-icmp", 59: "ipv6-nonxt", 60: "ipv6-opts", 88: "eigrp", 89: "ospf", 94: "ipip",
	103: "pim", 112: "vrrp", 115: "l2tp", 132: "sctp", 136: "udplite", 137: "mpls-in-ip",
}
