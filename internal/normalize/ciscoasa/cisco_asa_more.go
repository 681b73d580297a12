package ciscoasa

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// The rest of the 106xxx denies, the 302xxx GRE and state-bypass
// connections, 305xxx address translation, 313xxx ICMP, 710xxx
// to-the-box access and 733xxx threat detection, from Cisco's "Cisco
// Secure Firewall ASA Series Syslog Messages". Like cisco_asa_messages.go,
// a message whose text does not fit its grammar keeps the common fields.
// (SCTP connections, 302035/302036, read like TCP ones: asaMessage gives
// them to the 302013/302014 parsers.)

// More ASA event.action values.
const (
	asaXlateBuilt    = "translation-built"
	asaXlateTeardown = "translation-teardown"
	asaXlateFailed   = "translation-failed"
)

// asaMoreMessage parses the messages above and reports whether id is one
// of them.
func asaMoreMessage(e *event.Event, id, s string) bool {
	switch id {
	case "106011":
		// Deny inbound (No xlate) PROTO src IF:A/p dst IF:B/q
		c := scan.New(s)
		c.Lit("Deny ")
		dir := c.Word()
		c.Lit("(No xlate) ")
		proto := c.Word()
		c.Lit("src ")
		src := c.Until(" dst ")
		dst := c.Rest()
		if c.OK() {
			asaDenied(e, proto, dir)
			asaIface(e, "source", src)
			asaIface(e, "destination", asaICMP(e, dst))
			e.Set("event.reason", event.String("No xlate"))
		}
	case "106012":
		// Deny IP from A to B, IP options hex.
		c := scan.New(s)
		c.Lit("Deny ")
		proto := c.Word()
		c.Lit("from ")
		src := c.Until(" to ")
		dst := c.Until(", IP options ")
		opts := strings.TrimSuffix(c.Rest(), ".")
		if c.OK() {
			asaDenied(e, proto, "")
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", dst)
			ecsfield.Str(e, "cisco.asa.ip_options", opts)
			e.Set("event.reason", event.String("IP options"))
		}
	case "106013":
		// Dropping echo request from A to PAT address B
		c := scan.New(s)
		c.Lit("Dropping echo request from ")
		src := c.Until(" to PAT address ")
		dst := strings.TrimSuffix(c.Rest(), ".")
		if c.OK() {
			asaDenied(e, "icmp", "")
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", dst)
			e.Set("event.reason", event.String("echo request to PAT address"))
		}
	case "106102", "106103":
		// access-list ACL {permitted|denied} PROTO for user U IF/A p IF/B q hit-cnt N {first hit|N-second interval} [h1, h2]
		c := scan.New(s)
		c.Lit("access-list ")
		acl := c.Word()
		verdict := c.Word()
		proto := c.Word()
		c.Lit("for user ")
		user := c.Word()
		src := c.Word()
		sport := c.Word()
		dst := c.Word()
		dport := c.Word()
		c.Lit("hit-cnt ")
		hits := c.UntilOrEnd(" ")
		if !c.OK() {
			return true
		}
		switch verdict {
		case "denied":
			asaDenied(e, proto, "")
		case "permitted":
			asaAllowed(e, proto, asaPermit)
		default:
			return true
		}
		ecsfield.Str(e, "cisco.asa.rule_name", acl)
		ecsfield.Int(e, "cisco.asa.hit_count", hits)
		if user != "" && !isMasked(user) {
			e.Set("user.name", event.String(user))
		}
		sIf, sAddr, _ := strings.Cut(src, "/")
		dIf, dAddr, _ := strings.Cut(dst, "/")
		endpoint{iface: sIf, addr: sAddr, port: sport}.set(e, "source")
		endpoint{iface: dIf, addr: dAddr, port: dport}.set(e, "destination")
	case "302017", "302018":
		asaGRE(e, s)
	case "302303", "302304", "302305", "302306":
		asaBypass(e, s)
	case "305005", "305006", "305013":
		asaXlateFail(e, id, s)
	case "305009", "305010", "305011", "305012":
		asaXlate(e, s)
	case "313001", "313008":
		// Denied ICMP type=N, code=M from A on interface IF
		// Denied IPv6-ICMP type=N , code=M from A on interface IF
		c := scan.New(s)
		c.Lit("Denied ")
		proto := c.Word()
		c.Lit("type=")
		typ := strings.TrimRight(c.Until("code="), " ,")
		code := strings.TrimSpace(c.Until("from "))
		src := c.Until(" on interface ")
		iface := c.Rest()
		if c.OK() {
			asaDenied(e, proto, "")
			ecsfield.Int(e, "cisco.asa.icmp_type", typ)
			ecsfield.Int(e, "cisco.asa.icmp_code", strings.TrimRight(code, " ,"))
			ecsfield.Addr(e, "source", src)
			ecsfield.Str(e, "cisco.asa.source_interface", iface)
		}
	case "313004":
		// Denied ICMP type=N, from laddr A on interface IF to B: no matching session
		c := scan.New(s)
		c.Lit("Denied ")
		proto := c.Word()
		c.Lit("type=")
		typ := strings.TrimRight(c.Until("from "), " ,")
		c.Maybe("laddr ")
		src := c.Until(" on interface ")
		iface := c.Until(" to ")
		dst, why, _ := strings.Cut(c.Rest(), ": ")
		if c.OK() {
			asaDenied(e, proto, "")
			ecsfield.Int(e, "cisco.asa.icmp_type", typ)
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", dst)
			ecsfield.Str(e, "cisco.asa.source_interface", iface)
			ecsfield.Str(e, "event.reason", why)
		}
	case "313005":
		// No matching connection for ICMP error message: icmp src IF:A dst IF:B (type N, code M) on IF interface.  Original IP payload: …
		c := scan.New(s)
		c.Lit("No matching connection for ICMP error message: ")
		proto := c.Word()
		c.Lit("src ")
		src := c.Until(" dst ")
		dst := c.Until(" on ")
		if c.OK() {
			asaDenied(e, proto, "")
			asaIface(e, "source", src)
			asaIface(e, "destination", asaICMP(e, dst))
			e.Set("event.reason", event.String("no matching connection"))
		}
	case "710001", "710004", "710006", "710007":
		asaToBox(e, id, s)
	case "733100":
		// [Object] drop rate-N exceeded. Current burst rate is N per second, max configured rate is N; …
		c := scan.New(s)
		c.Lit("[")
		obj := strings.TrimSpace(c.Until("]"))
		c.Lit(" drop ")
		rate := c.Word()
		if !c.OK() {
			return true
		}
		asaThreat(e, "threat-rate-exceeded")
		ecsfield.Str(e, "rule.name", obj)
		ecsfield.Str(e, "cisco.asa.threat_rate", rate)
	case "733102", "733103":
		// Threat-detection {adds host A to|removes host A from} shun list
		c := scan.New(s)
		c.Lit("Threat-detection ")
		verb := c.Word()
		c.Lit("host ")
		addr := c.Word()
		if !c.OK() {
			return true
		}
		action := "shun-added"
		if verb == "removes" {
			action = "shun-removed"
		}
		asaThreat(e, action)
		ecsfield.Addr(e, "source", addr)
	case "733104", "733105":
		// TD_SYSLOG_TCP_INTERCEPT_{AVERAGE|BURST}_RATE_EXCEED
		asaThreat(e, "tcp-intercept-rate-exceeded")
	default:
		return false
	}
	return true
}

// asaThreat categorises a threat-detection alert.
func asaThreat(e *event.Event, action string) {
	e.Set("event.action", event.String(action))
	e.Set("event.kind", event.String("alert"))
	ecsfield.Categorize(e, ecsfield.IntrusionDetection, ecsfield.TypeInfo, "")
}

// asaGRE parses 302017/302018:
// {Built {inbound|outbound}|Teardown} GRE connection ID from IF:A (MA) to IF:B/cid (MB/mcid) [duration H:MM:SS bytes N] [(user)]
func asaGRE(e *event.Event, s string) {
	c := scan.New(s)
	verb := c.Word()
	dir := ""
	if verb == "Built" {
		dir = c.Word()
	}
	proto := c.Word()
	c.Lit("connection ")
	id := c.Word()
	c.Lit("from ")
	first := c.Until(" to ")
	second := c.UntilOrEnd(" duration ")
	var dur, bytes string
	if !c.Empty() {
		dur = c.Word()
		c.Maybe("bytes ")
		bytes = c.UntilOrEnd(" ")
	}
	if !c.OK() {
		return
	}
	if verb == "Built" {
		asaAllowed(e, proto, asaBuilt)
		e.Set("event.type", ecsfield.TypeConnectionStart)
		asaDirection(e, dir)
	} else {
		e.Set("event.action", event.String(asaTeardown))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionEnd, "")
		ecsfield.SetTransport(e, proto)
	}
	ecsfield.Str(e, "cisco.asa.connection_id", id)
	src, dst := parseEndpoint(first, true), parseEndpoint(second, true)
	// The GRE call id is not a port.
	src.port, src.mappedPort, dst.port, dst.mappedPort = "", "", "", ""
	src.set(e, "source")
	dst.set(e, "destination")
	if d, ok := hmsDuration(dur); ok {
		e.Set("event.duration", event.Int(d))
	}
	ecsfield.Int(e, "network.bytes", bytes)
}

// asaBypass parses the TCP and SCTP state-bypass connections (302303–302306):
// Built TCP state-bypass connection ID from IF:A/p (MA/mp) to IF:B/q (MB/mq)
// Teardown TCP state-bypass connection ID from IF:A/p to IF:B/q duration H:MM:SS bytes N [REASON]
func asaBypass(e *event.Event, s string) {
	c := scan.New(s)
	verb := c.Word()
	proto := c.Word()
	c.Lit("state-bypass connection ")
	id := c.Word()
	c.Lit("from ")
	first := c.Until(" to ")
	second := c.UntilOrEnd(" duration ")
	var dur, bytes string
	if !c.Empty() {
		dur = c.Word()
		c.Maybe("bytes ")
		bytes = c.UntilOrEnd(" ")
	}
	reason := strings.TrimSpace(c.Rest())
	if !c.OK() {
		return
	}
	if verb == "Built" {
		asaAllowed(e, proto, asaBuilt)
		e.Set("event.type", ecsfield.TypeConnectionStart)
	} else {
		e.Set("event.action", event.String(asaTeardown))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionEnd, "")
		ecsfield.SetTransport(e, proto)
		ecsfield.Str(e, "event.reason", reason)
	}
	ecsfield.Str(e, "cisco.asa.connection_id", id)
	parseEndpoint(first, true).set(e, "source")
	parseEndpoint(second, true).set(e, "destination")
	if d, ok := hmsDuration(dur); ok {
		e.Set("event.duration", event.Int(d))
	}
	ecsfield.Int(e, "network.bytes", bytes)
}

// asaXlate parses the translation messages 305009–305012:
// Built {dynamic|static} [PROTO] translation from IF[(acl)]:A[/p] [(user)] to IF:MA[/mp] [duration H:MM:SS]
// Teardown {dynamic|static} [PROTO] translation from IF:A[/p] [(user)] to IF:MA[/mp] duration H:MM:SS
func asaXlate(e *event.Event, s string) {
	c := scan.New(s)
	verb := c.Word()
	kind := c.Word()
	proto := ""
	if !c.Peek("translation ") {
		proto = c.Word()
	}
	c.Lit("translation from ")
	real := c.Until(" to ")
	mapped := c.UntilOrEnd(" duration ")
	dur := c.Rest()
	if !c.OK() {
		return
	}
	if verb == "Built" {
		e.Set("event.action", event.String(asaXlateBuilt))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionStart, ecsfield.Success)
	} else {
		e.Set("event.action", event.String(asaXlateTeardown))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionEnd, "")
	}
	if proto != "" {
		ecsfield.SetTransport(e, proto)
	}
	ecsfield.Str(e, "cisco.asa.translation_type", kind)
	// "IF(acl):A" names the NAT rule's ACL before the address.
	if i := strings.IndexByte(real, '('); i > 0 && i < strings.IndexByte(real, ':') {
		if j := strings.IndexByte(real, ')'); j > i {
			ecsfield.Str(e, "cisco.asa.rule_name", real[i+1:j])
			real = real[:i] + real[j+1:]
		}
	}
	r, m := parseEndpoint(real, true), parseEndpoint(mapped, true)
	if proto == "" || strings.EqualFold(proto, "icmp") {
		r.port, m.port = "", ""
	}
	r.mappedAddr, r.mappedPort = m.addr, m.port
	r.set(e, "source")
	ecsfield.Str(e, "cisco.asa.destination_interface", m.iface)
	if d, ok := hmsDuration(dur); ok {
		e.Set("event.duration", event.Int(d))
	}
}

// asaXlateFail parses the translation failures:
// 305005: No translation group found for PROTO src IF:A/p dst IF:B/q
// 305006: {outbound static|identity|portmap|regular} translation creation failed for PROTO src IF:A/p dst IF:B/q
// 305013: Asymmetric NAT rules matched for forward and reverse flows; Connection PROTO src IF:A/p dst IF:B/q denied due to NAT reverse path failure.
func asaXlateFail(e *event.Event, id, s string) {
	c := scan.New(s)
	reason := "no translation group"
	switch id {
	case "305006":
		reason = strings.TrimSpace(c.Until(" for "))
	case "305013":
		c.Until("; Connection ")
		reason = "NAT reverse path failure"
	default:
		c.Until(" for ")
	}
	proto := c.Word()
	c.Lit("src ")
	src := c.Until(" dst ")
	dst := c.UntilOrEnd(" denied ")
	if !c.OK() {
		return
	}
	asaDenied(e, proto, "")
	e.Set("event.action", event.String(asaXlateFailed))
	asaIface(e, "source", src)
	asaIface(e, "destination", asaICMP(e, dst))
	e.Set("event.reason", event.String(reason))
}

// asaToBox parses the rest of the 710xxx to-the-box access messages:
// 710001: TCP access requested from A/p to IF:B/service
// 710004: TCP connection limit exceeded from A/p to IF:B/q (current connections/connection limit = N/M)
// 710006: PROTO request discarded from A to IF:B
// 710007: NAT-T keepalive received from A/p to IF:B/q
func asaToBox(e *event.Event, id, s string) {
	c := scan.New(s)
	proto := c.Word()
	c.Until("from ")
	src := c.Until(" to ")
	dst := c.UntilOrEnd(" (")
	if !c.OK() {
		return
	}
	switch id {
	case "710001":
		e.Set("event.action", event.String("access-requested"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionStart, "")
		ecsfield.SetTransport(e, proto)
	case "710007":
		e.Set("event.action", event.String("nat-t-keepalive"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnection, "")
		ecsfield.SetTransport(e, "udp")
	default:
		asaDenied(e, proto, "")
		if id == "710004" {
			e.Set("event.reason", event.String("connection limit exceeded"))
		}
	}
	e.Set("network.direction", event.String("inbound"))
	asaPlain(e, "source", src)
	asaIface(e, "destination", dst)
}
