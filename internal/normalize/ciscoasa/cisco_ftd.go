package ciscoasa

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
	"github.com/vigilsiem/vigil/internal/normalize/internal/scan"
)

// Cisco Secure Firewall Threat Defense (FTD) security events, the
// 430001–430005 messages of Cisco's "Firepower Threat Defense Syslog
// Messages": intrusion (430001), connection start and end (430002,
// 430003), file (430004) and malware (430005) events, each a list of
// "Key: Value" pairs separated by ", ".
//
//	%FTD-1-430002: DeviceUUID: …, InstanceID: 4, ConnectionID: 5031, AccessControlRuleAction: Allow, SrcIP: 10.1.1.2, DstIP: 172.16.1.2, SrcPort: 49552, DstPort: 53, Protocol: udp, …

// maxFTDPairs bounds the pairs read from one message: Cisco's lists hold
// about 60 keys; the rest of a longer text stays in the message.
const maxFTDPairs = 128

// ftdField is where an FTD key goes: an ECS field, set by kind.
type ftdField struct {
	name string
	kind byte // 'i' IP, 'p' port, 'n' count, 's' string
}

var ftdFields = map[string]ftdField{
	"SrcIP":                   {"source.ip", 'i'},
	"DstIP":                   {"destination.ip", 'i'},
	"SrcPort":                 {"source.port", 'p'},
	"DstPort":                 {"destination.port", 'p'},
	"OriginalClientIP":        {"client.ip", 'i'},
	"IngressInterface":        {"observer.ingress.interface.name", 's'},
	"EgressInterface":         {"observer.egress.interface.name", 's'},
	"IngressZone":             {"observer.ingress.zone", 's'},
	"EgressZone":              {"observer.egress.zone", 's'},
	"AccessControlRuleName":   {"rule.name", 's'},
	"ACPolicy":                {"rule.ruleset", 's'},
	"InitiatorBytes":          {"source.bytes", 'n'},
	"ResponderBytes":          {"destination.bytes", 'n'},
	"InitiatorPackets":        {"source.packets", 'n'},
	"ResponderPackets":        {"destination.packets", 'n'},
	"URL":                     {"url.original", 's'},
	"URI":                     {"url.original", 's'},
	"UserAgent":               {"user_agent.original", 's'},
	"HTTPReferer":             {"http.request.referrer", 's'},
	"DNSQuery":                {"dns.question.name", 's'},
	"FileName":                {"file.name", 's'},
	"FileSHA256":              {"file.hash.sha256", 's'},
	"FileSize":                {"file.size", 'n'},
	"FileType":                {"file.type", 's'},
	"ConnectionID":            {"cisco.ftd.connection_id", 's'},
	"AccessControlRuleAction": {"cisco.ftd.rule_action", 's'},
}

// ftdSecurityEvent maps one 43000x message.
func ftdSecurityEvent(e *event.Event, id, s string) {
	pairs := ftdPairs(s)
	if len(pairs) == 0 {
		return
	}
	var action, inline, user, proto, app, sid, msg, class, duration, threat string
	for _, kv := range pairs {
		k, v := kv[0], kv[1]
		if f, ok := ftdFields[k]; ok {
			switch f.kind {
			case 'i':
				ecsfield.IP(e, f.name, v)
			case 'p':
				ecsfield.Port(e, f.name, v)
			case 'n':
				ecsfield.Int(e, f.name, v)
			default:
				ecsfield.Str(e, f.name, v)
			}
			if k != "AccessControlRuleAction" && k != "ConnectionID" {
				continue
			}
		}
		switch k {
		case "AccessControlRuleAction":
			action = v
			continue
		case "ConnectionID":
			continue
		case "InlineResult":
			inline = v
		case "User":
			user = v
		case "Protocol":
			proto = v
		case "ApplicationProtocol":
			app = v
		case "SID":
			sid = v
		case "Message":
			msg = v
		case "Classification":
			class = v
		case "ConnectionDuration":
			duration = v
		case "ThreatName":
			threat = v
		}
		if v != "" {
			e.Set("cisco.ftd.security_event."+strings.ReplaceAll(k, " ", "_"), event.String(v))
		}
	}
	if proto != "" {
		ecsfield.SetTransport(e, proto)
	}
	if app != "" {
		e.Set("network.protocol", event.String(strings.ToLower(app)))
	}
	switch user {
	case "", "No Authentication Required", "Not Found", "Unknown", "No Authentication":
	default:
		// DOMAIN\user as FTD writes realm users.
		if d, u, ok := strings.Cut(user, `\`); ok && d != "" && u != "" {
			e.Set("user.domain", event.String(d))
			user = u
		}
		e.Set("user.name", event.String(user))
	}
	if n, ok := scan.Atoi(duration); ok && n < 1<<33 {
		e.Set("event.duration", event.Int(n*1e9))
	}
	outcome := ftdOutcome(action, inline)
	switch id {
	case "430001":
		e.Set("event.action", event.String("intrusion-detected"))
		e.Set("event.kind", event.String("alert"))
		ecsfield.Categorize(e, ecsfield.IntrusionDetection, ecsfield.TypeInfo, "")
		if outcome == ecsfield.Failure {
			e.Set("event.type", event.List([]string{"denied"}))
			e.Set("event.outcome", event.String(outcome))
		}
		// The intrusion rule, not the access control rule, is the rule here.
		if sid != "" && sid != "0" {
			e.Set("rule.id", event.String(sid))
		}
		ecsfield.Str(e, "rule.name", msg)
		ecsfield.Str(e, "rule.category", class)
	case "430002", "430003":
		act, typ := "connection-started", ecsfield.TypeConnectionStart
		if id == "430003" {
			act, typ = "connection-finished", ecsfield.TypeConnectionEnd
		}
		e.Set("event.action", event.String(act))
		ecsfield.Categorize(e, ecsfield.Network, typ, outcome)
		if outcome == ecsfield.Failure {
			e.Set("event.type", event.List([]string{"connection", "denied"}))
		}
	case "430004", "430005":
		act := "file-detected"
		if id == "430005" {
			act = "malware-detected"
			e.Set("event.kind", event.String("alert"))
		}
		e.Set("event.action", event.String(act))
		cat := event.List([]string{"file"})
		if id == "430005" {
			cat = event.List([]string{"malware", "file"})
		}
		ecsfield.Categorize(e, cat, ecsfield.TypeInfo, outcome)
		ecsfield.Str(e, "rule.name", threat)
	}
}

// ftdOutcome reads the access control action (Allow, Trust, Block, Block
// with reset, Interactive Block …) and the intrusion inline result.
func ftdOutcome(action, inline string) string {
	switch {
	case strings.Contains(strings.ToLower(inline), "block"), strings.EqualFold(inline, "dropped"),
		strings.Contains(strings.ToLower(action), "block"):
		return ecsfield.Failure
	case strings.EqualFold(action, "Allow"), strings.EqualFold(action, "Trust"), strings.EqualFold(action, "Fastpath"):
		return ecsfield.Success
	}
	return ""
}

// ftdPairs splits "K1: v1, K2: v2, …" at each ", " followed by a key (a
// short run of letters, digits, '_' and spaces, then ": "), so values may
// hold commas.
func ftdPairs(s string) [][2]string {
	var out [][2]string
	key, rest, ok := ftdKey(s)
	for ok && len(out) < maxFTDPairs {
		// The value runs to the next ", KEY: ".
		end, next := len(rest), ""
		for i := 0; ; {
			j := strings.Index(rest[i:], ", ")
			if j < 0 {
				break
			}
			j += i
			if _, _, isKey := ftdKey(rest[j+2:]); isKey {
				end, next = j, rest[j+2:]
				break
			}
			i = j + 2
		}
		out = append(out, [2]string{key, strings.TrimSpace(rest[:end])})
		if next == "" {
			break
		}
		key, rest, ok = ftdKey(next)
	}
	return out
}

// ftdKey reads "KEY: " at the start of s.
func ftdKey(s string) (key, rest string, ok bool) {
	i := strings.Index(s, ":")
	if i <= 0 || i > 40 || (i+1 < len(s) && s[i+1] != ' ') {
		return "", "", false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == ' ' && j > 0) {
			return "", "", false
		}
	}
	rest = s[i+1:]
	if len(rest) > 0 {
		rest = rest[1:]
	}
	return s[:i], rest, true
}
