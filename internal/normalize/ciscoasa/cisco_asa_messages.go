package ciscoasa

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// The grammars of the ASA messages Vigil parses, from Cisco's "Cisco
// Secure Firewall ASA Series Syslog Messages" reference. A message whose
// text does not fit its grammar keeps the common fields only (the text is
// still the message): a new ASA release that rewords a message degrades to
// less detail, never to a wrong field.

// ASA event.action values.
const (
	asaDeny     = "deny"
	asaPermit   = "permit"
	asaBuilt    = "connection-built"
	asaTeardown = "connection-teardown"
)

func asaMessage(e *event.Event, id, s string, conns *outboundConns) {
	switch id {
	case "106001":
		// Inbound TCP connection denied from IP/port to IP/port flags FLAGS on interface IF
		c := scan.New(s)
		dir := strings.ToLower(c.Word())
		proto := c.Word()
		c.Lit("connection denied from ")
		src := c.Until(" to ")
		dst := c.Until(" flags ")
		flags := c.Until(" on interface ")
		iface := c.Rest()
		if c.OK() {
			asaDenied(e, proto, dir)
			asaPlain(e, "source", src)
			asaPlain(e, "destination", dst)
			ecsfield.Str(e, "cisco.asa.tcp_flags", flags)
			ecsfield.Str(e, "cisco.asa.source_interface", iface)
		}
	case "106002":
		// PROTO Connection denied by outbound list ACL src ADDR dest ADDR
		c := scan.New(s)
		proto := c.Word()
		c.Lit("Connection denied by ")
		dir := c.Word()
		c.Lit("list ")
		acl := c.Word()
		c.Lit("src ")
		src := c.Word()
		c.Lit("dest ")
		dst := c.Word()
		if c.OK() {
			asaDenied(e, proto, dir)
			ecsfield.Str(e, "cisco.asa.rule_name", acl)
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", dst)
		}
	case "106006", "106007":
		// Deny inbound UDP from A/p to B/q on interface IF.
		// Deny inbound UDP from A/p to B/q due to DNS {Response|Query}.
		c := scan.New(s)
		c.Lit("Deny ")
		dir := c.Word()
		proto := c.Word()
		c.Lit("from ")
		src := c.Until(" to ")
		dst := c.Word()
		rest := strings.TrimSuffix(c.Rest(), ".")
		if c.OK() {
			asaDenied(e, proto, dir)
			asaPlain(e, "source", src)
			asaPlain(e, "destination", dst)
			if iface, ok := strings.CutPrefix(rest, "on interface "); ok {
				ecsfield.Str(e, "cisco.asa.source_interface", iface)
			} else if why, ok := strings.CutPrefix(rest, "due to "); ok {
				e.Set("event.reason", event.String(why))
				if strings.HasPrefix(why, "DNS") {
					e.Set("network.protocol", event.String("dns"))
				}
			}
		}
	case "106010":
		// Deny inbound PROTO src IF:A/p dst IF:B/q
		c := scan.New(s)
		c.Lit("Deny ")
		dir := c.Word()
		proto := c.Word()
		c.Lit("src ")
		src := c.Until(" dst ")
		dst := c.Rest()
		if c.OK() {
			asaDenied(e, proto, dir)
			asaIface(e, "source", src)
			asaIface(e, "destination", dst)
		}
	case "106014":
		// Deny inbound icmp src IF:A dst IF:B (type N, code M)
		c := scan.New(s)
		c.Lit("Deny ")
		dir := c.Word()
		proto := c.Word()
		c.Lit("src ")
		src := c.Until(" dst ")
		dst := c.Rest()
		if c.OK() {
			asaDenied(e, proto, dir)
			asaIface(e, "source", src)
			asaIface(e, "destination", asaICMP(e, dst))
		}
	case "106015":
		// Deny TCP (no connection) from A/p to B/q flags FLAGS on interface IF.
		c := scan.New(s)
		c.Lit("Deny ")
		proto := c.Word()
		c.Lit("(no connection) from ")
		src := c.Until(" to ")
		dst := c.Until(" flags ")
		flags := c.Until(" on interface ")
		iface := strings.TrimSuffix(c.Rest(), ".")
		if c.OK() {
			asaDenied(e, proto, "")
			asaPlain(e, "source", src)
			asaPlain(e, "destination", dst)
			ecsfield.Str(e, "cisco.asa.tcp_flags", flags)
			ecsfield.Str(e, "cisco.asa.source_interface", iface)
			e.Set("event.reason", event.String("no connection"))
		}
	case "106016", "106017", "106020", "106021", "106022":
		// Deny IP spoof from (A) to B on interface IF.
		// Deny IP due to Land Attack from A to B
		// Deny IP teardrop fragment (size = N, offset = M) from A to B
		// Deny PROTO reverse path check from A to B on interface IF
		// Deny PROTO connection spoof from A to B on interface IF
		c := scan.New(s)
		c.Lit("Deny ")
		proto := c.Word()
		what := c.Until("from ")
		src := strings.Trim(c.Until(" to "), "()")
		dst, iface, _ := strings.Cut(c.Rest(), " on interface ")
		if c.OK() {
			asaDenied(e, proto, "")
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", strings.TrimSuffix(dst, "."))
			ecsfield.Str(e, "cisco.asa.source_interface", strings.TrimSuffix(iface, "."))
			if what = strings.TrimSpace(what); what != "" {
				e.Set("event.reason", event.String(what))
			}
		}
	case "106018":
		// ICMP packet type T denied by outbound list ACL src A dest B
		c := scan.New(s)
		proto := c.Word()
		c.Lit("packet type ")
		typ := c.Word()
		c.Lit("denied by ")
		dir := c.Word()
		c.Lit("list ")
		acl := c.Word()
		c.Lit("src ")
		src := c.Word()
		c.Lit("dest ")
		dst := c.Word()
		if c.OK() {
			asaDenied(e, proto, dir)
			ecsfield.Str(e, "cisco.asa.icmp_type", typ)
			ecsfield.Str(e, "cisco.asa.rule_name", acl)
			ecsfield.Addr(e, "source", src)
			ecsfield.Addr(e, "destination", dst)
		}
	case "106023":
		// Deny PROTO src IF:A/p[(user)] dst IF:B/q[(user)] [(type N, code M)] by access-group "ACL" [h1, h2]
		c := scan.New(s)
		verb := c.Word()
		proto := c.Word()
		c.Lit("src ")
		src := c.Until(" dst ")
		dst := c.Until(" by access")
		c.Span(func(b byte) bool { return b == '-' || b == ' ' })
		c.Lit("group ")
		acl := strings.Trim(c.UntilOrEnd(" "), `"`)
		if c.OK() && strings.EqualFold(verb, "Deny") {
			asaDenied(e, proto, "")
			asaIface(e, "source", src)
			asaIface(e, "destination", asaICMP(e, dst))
			ecsfield.Str(e, "cisco.asa.rule_name", acl)
		}
	case "106100":
		// access-list ACL {permitted|denied|est-allowed} PROTO IF/A(p) [(user)] -> IF/B(q) [(user)] hit-cnt N {first hit|N-second interval} [h1, h2]
		c := scan.New(s)
		c.Lit("access-list ")
		acl := c.Word()
		verdict := c.Word()
		proto := c.Word()
		src := c.Until(" -> ")
		dst := c.UntilOrEnd(" hit-cnt ")
		hits := c.UntilOrEnd(" ")
		if !c.OK() {
			return
		}
		switch verdict {
		case "denied":
			asaDenied(e, proto, "")
		case "permitted", "est-allowed":
			asaAllowed(e, proto, asaPermit)
		default:
			return
		}
		ecsfield.Str(e, "cisco.asa.rule_name", acl)
		asaSlash(e, "source", src)
		asaSlash(e, "destination", dst)
		ecsfield.Int(e, "cisco.asa.hit_count", hits)
	case "302013", "302015", "302035":
		asaBuiltMsg(e, s, conns)
	case "302014", "302016", "302036":
		asaTeardownMsg(e, s, conns)
	case "302020", "302021":
		asaICMPConn(e, s)
	case "710002", "710003", "710005":
		// {TCP|UDP} access permitted from A/p to IF:B/service
		// {TCP|UDP} access denied by ACL from A/p to IF:B/q
		// {TCP|UDP} request discarded from A/p to IF:B/service
		c := scan.New(s)
		proto := c.Word()
		verdict := c.Until("from ")
		src := c.Until(" to ")
		dst := c.Rest()
		if !c.OK() {
			return
		}
		if strings.HasPrefix(verdict, "access permitted") {
			asaAllowed(e, proto, asaPermit)
		} else {
			asaDenied(e, proto, "")
		}
		e.Set("network.direction", event.String("inbound"))
		asaPlain(e, "source", src)
		asaIface(e, "destination", dst)
	case "109005", "109006":
		// Authentication {succeeded|failed} for user U from A/p to B/q on interface I
		c := scan.New(s)
		c.Lit("Authentication ")
		verdict := c.Word()
		c.Lit("for user ")
		user := strings.Trim(c.Until(" from "), "'")
		src := c.Until(" to ")
		dst := c.Until(" on interface ")
		iface := c.Rest()
		if !c.OK() {
			return
		}
		outcome := ecsfield.Failure
		if verdict == "succeeded" {
			outcome = ecsfield.Success
		}
		e.Set("event.action", event.String("cut-through-authentication"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
		if user != "" && !isMasked(user) {
			e.Set("user.name", event.String(user))
		}
		asaPlain(e, "source", src)
		asaPlain(e, "destination", dst)
		ecsfield.Str(e, "cisco.asa.source_interface", iface)
	case "733101":
		// {Host|Subnet} A is {attacking|targeted}. Current burst rate is N per second, …
		c := scan.New(s)
		kind := c.Word()
		addr := c.Word()
		c.Lit("is ")
		role := strings.TrimSuffix(c.Word(), ".")
		if !c.OK() || (kind != "Host" && kind != "Subnet") {
			return
		}
		prefix := "source"
		if role == "targeted" {
			prefix = "destination"
		}
		if kind == "Subnet" {
			ecsfield.Str(e, "cisco.asa.subnet", addr)
		} else {
			ecsfield.Addr(e, prefix, addr)
		}
		e.Set("event.action", event.String("threat-detected"))
		e.Set("event.kind", event.String("alert"))
		ecsfield.Categorize(e, ecsfield.IntrusionDetection, ecsfield.TypeInfo, "")
	default:
		switch {
		case asaMoreMessage(e, id, s):
		case strings.HasPrefix(id, "43000") && len(id) == 6:
			ftdSecurityEvent(e, id, s)
		case strings.HasPrefix(id, "400") && len(id) == 6:
			asaIPS(e, s)
		case strings.HasPrefix(id, "113"):
			asaAAA(e, id, s)
		case strings.HasPrefix(id, "605"):
			asaLogin(e, id, s)
		case strings.HasPrefix(id, "611"):
			asaVPNClient(e, id, s)
		case strings.HasPrefix(id, "716"), strings.HasPrefix(id, "722"):
			asaWebVPN(e, id, s)
		case id == "111008" || id == "111009" || id == "111010":
			asaCommand(e, s)
		}
	}
}

// asaIPS parses the 400000–400050 IP audit signatures:
// IDS:N TEXT from A to B on interface I
func asaIPS(e *event.Event, s string) {
	c := scan.New(s)
	c.Lit("IDS:")
	sig := c.Digits()
	name := c.Until(" from ")
	src := c.Until(" to ")
	dst := c.Until(" on interface ")
	iface := c.Rest()
	if !c.OK() {
		return
	}
	e.Set("event.action", event.String("ips-signature"))
	e.Set("event.kind", event.String("alert"))
	ecsfield.Categorize(e, ecsfield.IntrusionDetection, ecsfield.TypeInfo, "")
	e.Set("rule.id", event.String(sig))
	ecsfield.Str(e, "rule.name", strings.TrimSpace(name))
	ecsfield.Addr(e, "source", src)
	ecsfield.Addr(e, "destination", dst)
	ecsfield.Str(e, "cisco.asa.source_interface", iface)
}

// asaDenied categorises a denied packet or connection.
func asaDenied(e *event.Event, proto, dir string) {
	e.Set("event.action", event.String(asaDeny))
	ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionDenied, ecsfield.Failure)
	ecsfield.SetTransport(e, proto)
	asaDirection(e, dir)
}

// asaAllowed categorises a permitted packet or a built connection.
func asaAllowed(e *event.Event, proto, action string) {
	e.Set("event.action", event.String(action))
	ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionAllowed, ecsfield.Success)
	ecsfield.SetTransport(e, proto)
}

func asaDirection(e *event.Event, dir string) {
	switch strings.ToLower(dir) {
	case "inbound":
		e.Set("network.direction", event.String("inbound"))
	case "outbound":
		e.Set("network.direction", event.String("outbound"))
	}
}

// endpoint is one side of an ASA connection.
type endpoint struct {
	iface, addr, port, user string
	mappedAddr, mappedPort  string
}

// parseEndpoint reads "[IF:]ADDR[/PORT][(user)] [(MADDR/MPORT)] [(user)]"; with
// iface false the interface is absent (IPv6 addresses hold ':').
func parseEndpoint(s string, iface bool) endpoint {
	var p endpoint
	s = strings.TrimSpace(s)
	if iface {
		if i := strings.IndexByte(s, ':'); i > 0 {
			p.iface, s = s[:i], s[i+1:]
		}
	}
	end := strings.IndexAny(s, " (")
	head := s
	if end >= 0 {
		head, s = s[:end], s[end:]
	} else {
		s = ""
	}
	p.addr, p.port, _ = strings.Cut(head, "/")
	// Groups in parentheses: the mapped address (holds '/'), or a user.
	for {
		s = strings.TrimLeft(s, " ")
		if len(s) == 0 || s[0] != '(' {
			break
		}
		j := strings.IndexByte(s, ')')
		if j < 0 {
			break
		}
		g := s[1:j]
		s = s[j+1:]
		if a, port, ok := strings.Cut(g, "/"); ok && p.mappedAddr == "" && !strings.ContainsAny(g, `\ ,`) {
			p.mappedAddr, p.mappedPort = a, port
		} else if p.user == "" {
			u, _, _ := strings.Cut(g, ",")
			p.user = strings.TrimSpace(u)
		}
	}
	return p
}

// set writes the endpoint as prefix.* (source or destination).
func (p endpoint) set(e *event.Event, prefix string) {
	n := ecsfield.NamesOf(prefix)
	isIP := ecsfield.Addr(e, prefix, p.addr)
	ecsfield.Port(e, n.Port, p.port)
	iface := "cisco.asa.source_interface"
	if prefix == "destination" {
		iface = "cisco.asa.destination_interface"
	}
	ecsfield.Str(e, iface, p.iface)
	if p.user != "" && !isMasked(p.user) {
		user := p.user
		// ECS: LOCAL\alice is alice of the LOCAL realm (user.domain).
		if i := strings.IndexByte(user, '\\'); i > 0 && i < len(user)-1 {
			domain := "source.user.domain"
			if prefix == "destination" {
				domain = "destination.user.domain"
			}
			e.Set(domain, event.String(user[:i]))
			user = user[i+1:]
		}
		e.Set(n.UserName, event.String(user))
	}
	if p.mappedAddr != "" && isIP && (p.mappedAddr != p.addr || p.mappedPort != p.port) {
		ecsfield.IP(e, n.NATIP, p.mappedAddr)
		ecsfield.Port(e, n.NATPort, p.mappedPort)
	}
}

func isMasked(user string) bool { return strings.Trim(user, "*") == "" }

func asaIface(e *event.Event, prefix, s string) { parseEndpoint(s, true).set(e, prefix) }
func asaPlain(e *event.Event, prefix, s string) { parseEndpoint(s, false).set(e, prefix) }

// asaSlash reads 106100's "IF/ADDR(PORT) [(user, sg)]".
func asaSlash(e *event.Event, prefix, s string) {
	s = strings.TrimSpace(s)
	iface, rest, ok := strings.Cut(s, "/")
	if !ok {
		return
	}
	addr, rest, _ := strings.Cut(rest, "(")
	port, rest, _ := strings.Cut(rest, ")")
	p := endpoint{iface: iface, addr: addr, port: port}
	if rest = strings.TrimSpace(rest); strings.HasPrefix(rest, "(") {
		u, _, _ := strings.Cut(strings.Trim(rest, "()"), ",")
		p.user = strings.TrimSpace(u)
	}
	p.set(e, prefix)
}

// asaICMP takes a trailing "(type N, code M)" or "type N code M" off s,
// setting cisco.asa.icmp_type and icmp_code, and returns the rest.
func asaICMP(e *event.Event, s string) string {
	i := strings.LastIndex(s, "type ")
	if i < 0 {
		return s
	}
	c := scan.New(s[i:])
	c.Lit("type ")
	typ := c.Digits()
	c.Maybe(",")
	c.Spaces()
	c.Lit("code ")
	code := c.Digits()
	c.Maybe(")")
	if !c.OK() || strings.TrimSpace(c.Rest()) != "" {
		return s
	}
	ecsfield.Int(e, "cisco.asa.icmp_type", typ)
	ecsfield.Int(e, "cisco.asa.icmp_code", code)
	return strings.TrimSuffix(strings.TrimSpace(s[:i]), "(")
}

// asaBuiltMsg parses 302013/302015:
// Built {inbound|outbound} {TCP|UDP} connection ID for IF:A/p (MA/mp) [(user)] to IF:B/q (MB/mq) [(user)] [(user)]
//
// For outbound connections the "for" side is the responder: source and
// destination are swapped so that source is always the initiator, and the
// connection is remembered for its teardown.
func asaBuiltMsg(e *event.Event, s string, conns *outboundConns) {
	c := scan.New(s)
	c.Lit("Built ")
	dir := c.Word()
	proto := c.Word()
	c.Lit("connection ")
	id := c.Word()
	c.Lit("for ")
	first := c.Until(" to ")
	second := c.Rest()
	if !c.OK() {
		return
	}
	asaAllowed(e, proto, asaBuilt)
	e.Set("event.type", ecsfield.TypeConnectionStart)
	asaDirection(e, dir)
	ecsfield.Str(e, "cisco.asa.connection_id", id)
	src, dst := parseEndpoint(first, true), parseEndpoint(second, true)
	if strings.EqualFold(dir, "outbound") {
		src, dst = dst, src
		conns.add(e.GetString("observer.hostname"), id)
	}
	src.set(e, "source")
	dst.set(e, "destination")
}

// asaTeardownMsg parses 302014/302016:
// Teardown {TCP|UDP} connection ID for IF:A/p[(user)] to IF:B/q[(user)] duration H:MM:SS bytes N [REASON] [from IF] [(user)]
//
// The message does not say which side initiated: when the normaliser saw
// the connection built outbound, the sides are swapped as for the build
// (and network.direction is outbound); otherwise source is the "for"
// side, as written (see docs/normalizers.md).
func asaTeardownMsg(e *event.Event, s string, conns *outboundConns) {
	c := scan.New(s)
	c.Lit("Teardown ")
	proto := c.Word()
	c.Maybe("state-bypass ")
	c.Lit("connection ")
	id := c.Word()
	c.Lit("for ")
	first := c.Until(" to ")
	second := c.Until(" duration ")
	dur := c.Word()
	c.Lit("bytes ")
	bytes := c.UntilOrEnd(" ")
	reason := strings.TrimSpace(c.Rest())
	if !c.OK() {
		return
	}
	e.Set("event.action", event.String(asaTeardown))
	ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeConnectionEnd, "")
	ecsfield.SetTransport(e, proto)
	ecsfield.Str(e, "cisco.asa.connection_id", id)
	src, dst := parseEndpoint(first, true), parseEndpoint(second, true)
	if conns.take(e.GetString("observer.hostname"), id) {
		src, dst = dst, src
		e.Set("network.direction", event.String("outbound"))
	}
	src.set(e, "source")
	dst.set(e, "destination")
	if d, ok := hmsDuration(dur); ok {
		e.Set("event.duration", event.Int(d))
	}
	ecsfield.Int(e, "network.bytes", bytes)
	if i := strings.LastIndex(reason, " ("); i >= 0 && strings.HasSuffix(reason, ")") {
		if u := reason[i+2 : len(reason)-1]; u != "" && !isMasked(u) {
			e.Set("user.name", event.String(u))
		}
		reason = strings.TrimSpace(reason[:i])
	} else if strings.HasPrefix(reason, "(") && strings.HasSuffix(reason, ")") {
		if u := reason[1 : len(reason)-1]; u != "" && !isMasked(u) {
			e.Set("user.name", event.String(u))
		}
		reason = ""
	}
	if reason != "" {
		e.Set("event.reason", event.String(reason))
	}
}

// asaICMPConn parses 302020/302021:
// Built {inbound|outbound} ICMP connection for faddr A/id gaddr G/t laddr L/t [type T code C]
// Teardown ICMP connection for faddr A/id gaddr G/t laddr L/t [type T code C]
func asaICMPConn(e *event.Event, s string) {
	c := scan.New(s)
	verb := c.Word()
	dir := ""
	if verb == "Built" {
		dir = c.Word()
	}
	proto := c.Word()
	c.Lit("connection for faddr ")
	faddr := c.Until(" gaddr ")
	gaddr := c.Until(" laddr ")
	laddr := c.UntilOrEnd(" ")
	if !c.OK() {
		return
	}
	fa, _, _ := strings.Cut(faddr, "/")
	ga, _, _ := strings.Cut(gaddr, "/")
	la, _, _ := strings.Cut(laddr, "/")
	fa, la = stripIface(fa), stripIface(la)
	src, dst := fa, la
	if strings.EqualFold(dir, "outbound") {
		src, dst = la, fa
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
	ecsfield.Addr(e, "source", src)
	ecsfield.Addr(e, "destination", dst)
	if ga != "" && ga != la && ga != fa {
		ecsfield.IP(e, "cisco.asa.mapped_address", stripIface(ga))
	}
	asaICMP(e, c.Rest())
}

// stripIface drops an "IF:" in front of an IPv4 address or a name.
func stripIface(s string) string {
	if i := strings.IndexByte(s, ':'); i >= 0 && strings.Count(s, ":") == 1 {
		return s[i+1:]
	}
	return s
}

// hmsDuration parses ASA durations, "H:MM:SS" or "MM:SS" with hours
// running past 24, into nanoseconds.
func hmsDuration(s string) (int64, bool) {
	var total int64
	parts := 0
	for s != "" {
		v, rest, _ := strings.Cut(s, ":")
		n, ok := scan.Atoi(v)
		if !ok {
			return 0, false
		}
		total = total*60 + n
		s = rest
		parts++
	}
	if parts < 2 || parts > 3 || total > 1<<33 {
		return 0, false
	}
	return total * 1e9, true
}

// asaAAA parses the 113xxx authentication, authorisation and accounting
// messages: " : "-separated parts with "key = value" pairs, and the
// VPN session and lock-out messages.
func asaAAA(e *event.Event, id, s string) {
	switch id {
	case "113006":
		// User 'alice' locked out on exceeding 'N' successive failed authentication attempts
		if u, ok := quoted(s, "User '"); ok {
			e.Set("user.name", event.String(u))
			e.Set("event.action", event.String("user-locked-out"))
			ecsfield.Categorize(e, ecsfield.IAM, ecsfield.TypeUser, ecsfield.Success)
		}
		return
	case "113007":
		if u, ok := quoted(s, "User '"); ok {
			e.Set("user.name", event.String(u))
			e.Set("event.action", event.String("user-unlocked"))
			ecsfield.Categorize(e, ecsfield.IAM, ecsfield.TypeUser, ecsfield.Success)
		}
		return
	case "113019":
		asaVPNDisconnect(e, s)
		return
	case "113039":
		// Group <g> User <u> IP <a> AnyConnect parent session started.
		g, _ := quotedBy(s, "Group <", ">")
		u, _ := quotedBy(s, "User <", ">")
		ip, _ := quotedBy(s, "IP <", ">")
		if u != "" {
			e.Set("user.name", event.String(u))
			ecsfield.Str(e, "cisco.asa.group_policy", g)
			ecsfield.Addr(e, "source", ip)
			e.Set("event.action", event.String("vpn-session-started"))
			ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeStart, ecsfield.Success)
		}
		return
	case "113021":
		// Attempted console login failed. User u did NOT have appropriate Admin Rights.
		c := scan.New(s)
		c.Until("User ")
		u := c.Until(" did NOT")
		if c.OK() {
			e.Set("user.name", event.String(u))
			e.Set("event.action", event.String("login"))
			ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Failure)
		}
		return
	}
	if !strings.HasPrefix(s, "AAA ") {
		return
	}
	parts := strings.Split(s, " : ")
	head := parts[0]
	outcome := ""
	action := "aaa"
	switch {
	case strings.Contains(head, "Successful"), strings.Contains(head, "ACCEPT"):
		outcome = ecsfield.Success
	case strings.Contains(head, "Rejected"), strings.Contains(head, "rejected"), strings.Contains(head, "REJECT"),
		strings.Contains(head, "not accessible"), strings.Contains(head, "unable to complete"):
		outcome = ecsfield.Failure
	}
	for _, kind := range [...]string{"authentication", "authorization", "accounting"} {
		if strings.Contains(head, kind) {
			action = "aaa-" + kind
		}
	}
	if strings.Contains(head, "credentials rejected") {
		action = "aaa-authentication"
	}
	seen := false
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, " = ")
		if !ok {
			if strings.TrimSpace(p) == "local database" {
				e.Set("cisco.asa.aaa_server", event.String("LOCAL"))
			}
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "user":
			seen = true
			if !isMasked(v) {
				ecsfield.Str(e, "user.name", v)
			}
		case "user IP":
			ecsfield.Addr(e, "source", v)
		case "server":
			ecsfield.Str(e, "cisco.asa.aaa_server", v)
		case "reason":
			ecsfield.Str(e, "event.reason", v)
		}
	}
	if !seen && outcome == "" {
		return
	}
	e.Set("event.action", event.String(action))
	ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
	if outcome == "" {
		e.Set("event.type", ecsfield.TypeInfo)
	}
}

// asaVPNDisconnect parses 113019:
// Group = g, Username = u, IP = a, Session disconnected. Session Type: t, Duration: d, Bytes xmt: n, Bytes rcv: n, Reason: r
func asaVPNDisconnect(e *event.Event, s string) {
	head, tail, ok := strings.Cut(s, "Session disconnected.")
	if !ok {
		return
	}
	for _, p := range strings.Split(head, ",") {
		k, v, ok := strings.Cut(p, " = ")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Group":
			ecsfield.Str(e, "cisco.asa.group_policy", v)
		case "Username":
			if !isMasked(v) {
				ecsfield.Str(e, "user.name", v)
			}
		case "IP":
			ecsfield.Addr(e, "source", v)
		}
	}
	for _, p := range strings.Split(tail, ",") {
		k, v, ok := strings.Cut(p, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "Session Type":
			ecsfield.Str(e, "cisco.asa.session_type", v)
		case "Bytes xmt":
			ecsfield.Int(e, "source.bytes", v)
		case "Bytes rcv":
			ecsfield.Int(e, "destination.bytes", v)
		case "Reason":
			ecsfield.Str(e, "event.reason", v)
		case "Duration":
			ecsfield.Str(e, "cisco.asa.session_duration", v)
		}
	}
	e.Set("event.action", event.String("vpn-session-disconnected"))
	ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, "")
}

// asaLogin parses 605004/605005, logins to the device itself:
// Login {denied|permitted} from A/p to IF:B/service for user "u"
func asaLogin(e *event.Event, id, s string) {
	c := scan.New(s)
	c.Lit("Login ")
	verdict := c.Word()
	c.Lit("from ")
	src := c.Until(" to ")
	dst := c.Until(" for user ")
	user := strings.Trim(strings.TrimSpace(c.Rest()), `"`)
	if !c.OK() {
		return
	}
	outcome := ecsfield.Failure
	if verdict == "permitted" || id == "605005" && verdict != "denied" {
		outcome = ecsfield.Success
	}
	e.Set("event.action", event.String("login"))
	ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
	if user != "" && !isMasked(user) {
		e.Set("user.name", event.String(user))
	}
	if strings.Contains(src, "/") || strings.Count(src, ".") == 3 {
		asaPlain(e, "source", src)
	} else {
		ecsfield.Str(e, "cisco.asa.source_interface", src)
	}
	iface, rest, ok := strings.Cut(dst, ":")
	if !ok {
		ecsfield.Str(e, "cisco.asa.destination_interface", dst)
		return
	}
	addr, service, _ := strings.Cut(rest, "/")
	ecsfield.Str(e, "cisco.asa.destination_interface", iface)
	ecsfield.Addr(e, "destination", addr)
	if service != "" {
		if port, known := servicePorts[strings.ToLower(service)]; known {
			e.Set("network.protocol", event.String(strings.ToLower(service)))
			e.Set("destination.port", event.Int(port))
		} else {
			ecsfield.Port(e, "destination.port", service)
		}
	}
}

var servicePorts = map[string]int64{"ssh": 22, "telnet": 23, "http": 80, "https": 443, "ftp": 21, "snmp": 161}

// asaVPNClient parses 611101–611103 (user authentication for VPN client
// and device management):
// User authentication succeeded: IP address: A, Uname: u
// User authentication failed: IP address: A, Uname: u
// User logged out: Uname: u
func asaVPNClient(e *event.Event, id, s string) {
	if u, ok := cutAfter(s, "Uname: "); ok {
		u, _, _ = strings.Cut(u, ",")
		if u = strings.TrimSpace(u); u != "" && !isMasked(u) {
			e.Set("user.name", event.String(u))
		}
	}
	if ip, ok := cutAfter(s, "IP address: "); ok {
		ip, _, _ = strings.Cut(ip, ",")
		ecsfield.Addr(e, "source", strings.TrimSpace(ip))
	}
	switch id {
	case "611101":
		e.Set("event.action", event.String("user-authentication"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Success)
	case "611102":
		e.Set("event.action", event.String("user-authentication"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, ecsfield.Failure)
	case "611103":
		e.Set("event.action", event.String("logout"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, ecsfield.Success)
	case "611104":
		e.Set("event.action", event.String("idle-timeout"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, "")
	default:
		e.Set("event.action", event.String("vpn-client"))
		ecsfield.Categorize(e, ecsfield.Network, ecsfield.TypeInfo, "")
	}
}

// asaCommand parses 111008/111009/111010, commands run on the device:
// User 'u' executed the 'cmd' command.
// User 'u' executed cmd:cmd
// User 'u', running 'CLI' from IP a, executed 'cmd'
func asaCommand(e *event.Event, s string) {
	u, ok := quoted(s, "User '")
	if !ok {
		return
	}
	e.Set("user.name", event.String(u))
	if ip, ok := cutAfter(s, " from IP "); ok {
		ip, _, _ = strings.Cut(ip, ",")
		ecsfield.Addr(e, "source", ip)
	}
	cmd := ""
	if c, ok := cutAfter(s, "executed the '"); ok {
		cmd, _, _ = strings.Cut(c, "' command")
	} else if c, ok := cutAfter(s, "executed '"); ok {
		cmd = strings.TrimSuffix(c, "'")
	} else if c, ok := cutAfter(s, "executed cmd:"); ok {
		cmd = c
	}
	ecsfield.Str(e, "cisco.asa.command_line", strings.TrimSpace(cmd))
	e.Set("event.action", event.String("command-executed"))
	ecsfield.Categorize(e, ecsfield.Configuration, ecsfield.TypeChange, ecsfield.Success)
}

// quoted returns the text between prefix and the next "'".
func quoted(s, prefix string) (string, bool) { return quotedBy(s, prefix, "'") }

func quotedBy(s, prefix, end string) (string, bool) {
	_, rest, ok := strings.Cut(s, prefix)
	if !ok {
		return "", false
	}
	v, _, ok := strings.Cut(rest, end)
	return v, ok && v != ""
}

func cutAfter(s, marker string) (string, bool) {
	_, rest, ok := strings.Cut(s, marker)
	return rest, ok
}
