package netflow

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	nf "github.com/netsampler/goflow2/v2/decoders/netflow"
	"github.com/netsampler/goflow2/v2/decoders/netflowlegacy"

	"github.com/vigilsiem/vigil/internal/event"
)

// Information elements read from v9 and IPFIX records (RFC 3954 §8, IANA
// IPFIX registry; the numbers below 128 are shared).
const (
	ieOctets        = 1
	iePackets       = 2
	ieProtocol      = 4
	ieTCPFlags      = 6
	ieSrcPort       = 7
	ieSrcIPv4       = 8
	ieInputSNMP     = 10
	ieDstPort       = 11
	ieDstIPv4       = 12
	ieOutputSNMP    = 14
	ieLastSwitched  = 21
	ieFirstSwitched = 22
	ieSrcIPv6       = 27
	ieDstIPv6       = 28
	ieOctetsTotal   = 85
	iePacketsTotal  = 86
	ieStartSeconds  = 150
	ieEndSeconds    = 151
	ieStartMillis   = 152
	ieEndMillis     = 153
)

// maxFlowsPerPacket bounds the events one packet makes: a 64 KiB packet
// of real flow records (at least ~20 bytes each) holds about 3,000; a
// crafted template of tiny records must not turn one packet into tens of
// thousands of events.
const maxFlowsPerPacket = 4096

// flow is one decoded flow record.
type flow struct {
	src, dst           netip.Addr
	srcPort, dstPort   uint64
	proto              uint64
	hasProto, hasPorts bool
	bytes, packets     uint64
	tcpFlags           uint64
	hasFlags           bool
	inIf, outIf        uint64
	start, end         time.Time
	version            int
	domain             uint32
}

// decodePacket decodes one NetFlow v5/v9 or IPFIX packet from exporter
// into flows. It returns the flows decoded and an error for what could
// not be (a packet may yield both: flows of a known template, and a data
// set whose template has not arrived yet).
func decodePacket(pkt []byte, tmpl nf.NetFlowTemplateSystem) (flows []flow, err error) {
	// A panic in the decoder is a bug there; one packet must not stop the
	// listener, so it becomes this packet's error.
	defer func() {
		if r := recover(); r != nil {
			flows, err = nil, fmt.Errorf("decode netflow: decoder panicked: %v", r)
		}
	}()
	if len(pkt) < 2 {
		return nil, errors.New("decode netflow: packet shorter than its version")
	}
	switch v := binary.BigEndian.Uint16(pkt); v {
	case 5:
		if len(pkt) < 24 || len(pkt) != 24+48*int(binary.BigEndian.Uint16(pkt[2:])) {
			return nil, fmt.Errorf("decode netflow v5: %d bytes do not hold the header and its record count", len(pkt))
		}
		var p netflowlegacy.PacketNetFlowV5
		if err := netflowlegacy.DecodeMessageVersion(bytes.NewBuffer(pkt), &p); err != nil {
			return nil, fmt.Errorf("decode netflow v5: %w", err)
		}
		return v5Flows(&p), nil
	case 9, 10:
		if err := checkSets(pkt, v); err != nil {
			return nil, fmt.Errorf("decode %s: %w", versionName(int(v)), err)
		}
		var p9 nf.NFv9Packet
		var p10 nf.IPFIXPacket
		err := nf.DecodeMessageVersion(bytes.NewBuffer(pkt), tmpl, &p9, &p10)
		if v == 9 {
			base := time.Unix(int64(p9.UnixSeconds), 0).UTC()
			for _, fs := range p9.FlowSets {
				flows = appendDataFlows(flows, fs, 9, p9.SourceId, base, p9.SystemUptime)
			}
		} else {
			base := time.Unix(int64(p10.ExportTime), 0).UTC()
			for _, fs := range p10.FlowSets {
				flows = appendDataFlows(flows, fs, 10, p10.ObservationDomainId, base, 0)
			}
		}
		if len(flows) > maxFlowsPerPacket {
			flows = flows[:maxFlowsPerPacket]
			err = errors.Join(err, fmt.Errorf("more than %d flows in one packet: the rest dropped", maxFlowsPerPacket))
		}
		if err != nil {
			return flows, fmt.Errorf("decode %s: %w", versionName(int(v)), err)
		}
		return flows, nil
	default:
		return nil, fmt.Errorf("decode netflow: version %d unknown (want 5, 9 or 10)", v)
	}
}

// checkSets checks the framing of a v9 or IPFIX packet before decoding:
// the header is whole, IPFIX's length is the packet's, and every set
// header lies inside the packet with a length that does too.
func checkSets(pkt []byte, v uint16) error {
	hdr := 20
	if v == 10 {
		hdr = 16
		if len(pkt) >= 4 && int(binary.BigEndian.Uint16(pkt[2:])) != len(pkt) {
			return fmt.Errorf("message length %d, packet %d bytes", binary.BigEndian.Uint16(pkt[2:]), len(pkt))
		}
	}
	if len(pkt) < hdr {
		return fmt.Errorf("%d bytes, shorter than the header", len(pkt))
	}
	rest := pkt[hdr:]
	if len(rest) == 0 {
		return errors.New("no sets")
	}
	for len(rest) > 0 {
		if len(rest) < 4 {
			return errors.New("truncated set header")
		}
		n := int(binary.BigEndian.Uint16(rest[2:]))
		if n < 4 || n > len(rest) {
			return fmt.Errorf("set length %d, %d bytes left", n, len(rest))
		}
		rest = rest[n:]
	}
	return nil
}

func versionName(v int) string {
	switch v {
	case 5:
		return "netflow v5"
	case 9:
		return "netflow v9"
	case 10:
		return "ipfix"
	}
	return "netflow v" + strconv.Itoa(v)
}

func v5Flows(p *netflowlegacy.PacketNetFlowV5) []flow {
	// First and Last are sysUptime (ms) at the flow's first and last packet.
	export := time.Unix(int64(p.UnixSecs), int64(p.UnixNSecs)).UTC()
	at := func(up uint32) time.Time {
		return export.Add(-time.Duration(int64(p.SysUptime)-int64(up)) * time.Millisecond)
	}
	out := make([]flow, 0, len(p.Records))
	for _, r := range p.Records {
		out = append(out, flow{
			src: v4(uint32(r.SrcAddr)), dst: v4(uint32(r.DstAddr)),
			srcPort: uint64(r.SrcPort), dstPort: uint64(r.DstPort), hasPorts: true,
			proto: uint64(r.Proto), hasProto: true, tcpFlags: uint64(r.TCPFlags), hasFlags: true,
			bytes: uint64(r.DOctets), packets: uint64(r.DPkts), inIf: uint64(r.Input), outIf: uint64(r.Output),
			start: at(r.First), end: at(r.Last), version: 5, domain: uint32(p.EngineType)<<8 | uint32(p.EngineId),
		})
	}
	return out
}

func v4(a uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(a >> 24), byte(a >> 16), byte(a >> 8), byte(a)})
}

// appendDataFlows appends the flows of a data set; template and options
// sets carry none.
func appendDataFlows(out []flow, fs any, version int, domain uint32, export time.Time, uptime uint32) []flow {
	ds, ok := fs.(nf.DataFlowSet)
	if !ok {
		return out
	}
	for _, rec := range ds.Records {
		f := flow{version: version, domain: domain}
		var first, last uint64
		var hasFirst, hasLast bool
		for _, df := range rec.Values {
			if df.PenProvided {
				continue
			}
			b, ok := df.Value.([]byte)
			if !ok {
				continue
			}
			switch df.Type {
			case ieSrcIPv4, ieSrcIPv6:
				if a, ok := netip.AddrFromSlice(b); ok {
					f.src = a
				}
			case ieDstIPv4, ieDstIPv6:
				if a, ok := netip.AddrFromSlice(b); ok {
					f.dst = a
				}
			case ieSrcPort:
				f.srcPort, f.hasPorts = uintOf(b), true
			case ieDstPort:
				f.dstPort, f.hasPorts = uintOf(b), true
			case ieProtocol:
				f.proto, f.hasProto = uintOf(b), true
			case ieTCPFlags:
				f.tcpFlags, f.hasFlags = uintOf(b), true
			case ieOctets, ieOctetsTotal:
				f.bytes = uintOf(b)
			case iePackets, iePacketsTotal:
				f.packets = uintOf(b)
			case ieInputSNMP:
				f.inIf = uintOf(b)
			case ieOutputSNMP:
				f.outIf = uintOf(b)
			case ieFirstSwitched:
				first, hasFirst = uintOf(b), true
			case ieLastSwitched:
				last, hasLast = uintOf(b), true
			case ieStartSeconds:
				f.start = time.Unix(int64(uintOf(b)), 0).UTC()
			case ieEndSeconds:
				f.end = time.Unix(int64(uintOf(b)), 0).UTC()
			case ieStartMillis:
				f.start = time.UnixMilli(int64(uintOf(b))).UTC()
			case ieEndMillis:
				f.end = time.UnixMilli(int64(uintOf(b))).UTC()
			}
		}
		// v9's switched times are sysUptime (ms), relative to the header.
		if version == 9 {
			if hasFirst && f.start.IsZero() {
				f.start = export.Add(-time.Duration(int64(uptime)-int64(first)) * time.Millisecond)
			}
			if hasLast && f.end.IsZero() {
				f.end = export.Add(-time.Duration(int64(uptime)-int64(last)) * time.Millisecond)
			}
		}
		if !f.src.IsValid() && !f.dst.IsValid() {
			continue // not a flow (an exporter's statistics record, or junk)
		}
		if f.end.IsZero() {
			f.end = export
		}
		out = append(out, f)
	}
	return out
}

// uintOf reads a big-endian unsigned integer of 1 to 8 bytes (IPFIX
// reduced-size encoding, RFC 7011 §6.2); longer values read their last 8.
func uintOf(b []byte) uint64 {
	if len(b) > 8 {
		b = b[len(b)-8:]
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

var transports = map[uint64]string{1: "icmp", 2: "igmp", 6: "tcp", 17: "udp", 41: "ipv6", 47: "gre", 50: "esp", 51: "ah", 58: "ipv6-icmp", 132: "sctp"}

// toEvent fills e with the ECS form of f exported by exporter.
func (f *flow) toEvent(e *event.Event, exporter netip.Addr) {
	if !f.end.IsZero() {
		e.Timestamp = f.end
	}
	e.Set("event.kind", event.String("event"))
	e.Set("event.category", event.List([]string{"network"}))
	e.Set("event.type", event.List([]string{"connection"}))
	e.Set("event.action", event.String("network_flow"))
	e.Set("event.module", event.String("netflow"))
	e.Set("event.dataset", event.String("netflow.log"))
	if f.src.IsValid() {
		e.Set("source.ip", event.IP(f.src))
	}
	if f.dst.IsValid() {
		e.Set("destination.ip", event.IP(f.dst))
	}
	if f.hasPorts {
		e.Set("source.port", event.Int(int64(f.srcPort)))
		e.Set("destination.port", event.Int(int64(f.dstPort)))
	}
	if f.hasProto {
		e.Set("network.iana_number", event.String(strconv.FormatUint(f.proto, 10)))
		if t, ok := transports[f.proto]; ok {
			e.Set("network.transport", event.String(t))
		}
	}
	if f.src.IsValid() {
		if f.src.Unmap().Is4() {
			e.Set("network.type", event.String("ipv4"))
		} else {
			e.Set("network.type", event.String("ipv6"))
		}
	}
	e.Set("network.bytes", event.Int(int64(f.bytes)))
	e.Set("network.packets", event.Int(int64(f.packets)))
	e.Set("source.bytes", event.Int(int64(f.bytes)))
	e.Set("source.packets", event.Int(int64(f.packets)))
	if !f.start.IsZero() {
		e.Set("event.start", event.Time(f.start))
	}
	if !f.end.IsZero() {
		e.Set("event.end", event.Time(f.end))
	}
	if exporter.IsValid() {
		e.Set("observer.ip", event.IP(exporter))
	}
	if f.hasFlags {
		e.Set("netflow.tcp_control_bits", event.Int(int64(f.tcpFlags)))
	}
	e.Set("netflow.ingress_interface", event.Int(int64(f.inIf)))
	e.Set("netflow.egress_interface", event.Int(int64(f.outIf)))
	e.Set("netflow.exporter.version", event.Int(int64(f.version)))
	e.Set("netflow.exporter.source_id", event.Int(int64(f.domain)))
}
