package ciscoasa

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
)

// asaWebVPN parses the clientless WebVPN (716xxx) and AnyConnect (722xxx)
// session messages that name a user, in the Cisco ASA message reference's
// text; the ASA writes the identity either bracketed or bare:
//
//	716001 Group <G> User <U> IP <A> WebVPN session started.
//	716002 Group <G> User <U> IP <A> WebVPN session terminated: REASON.
//	716038 Group <G> User <U> IP <A> Authentication: successful, Session Type: WebVPN.
//	716039 Group <G> User <U> IP <A> Authentication: rejected, Session Type: WebVPN.
//	722051 Group <G> User <U> IP <A> IPv4 Address <V4> IPv6 address <V6> assigned to session
//	       Group G User U IP A Address V assigned to session (older releases)
//
// It reports whether s was one of them.
func asaWebVPN(e *event.Event, id, s string) bool {
	group, user, ip, rest, ok := vpnIdentity(s)
	if !ok {
		return false
	}
	switch id {
	case "716001":
		if !strings.HasPrefix(rest, "WebVPN session started") {
			return false
		}
		e.Set("event.action", event.String("vpn-session-started"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeStart, ecsfield.Success)
	case "716002":
		reason, found := strings.CutPrefix(rest, "WebVPN session terminated")
		if !found {
			return false
		}
		reason = strings.TrimSuffix(strings.TrimSpace(strings.TrimPrefix(reason, ":")), ".")
		ecsfield.Str(e, "event.reason", reason)
		e.Set("event.action", event.String("vpn-session-terminated"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeEnd, "")
	case "716038", "716039":
		verdict, found := strings.CutPrefix(rest, "Authentication: ")
		if !found {
			return false
		}
		outcome := ecsfield.Failure
		if strings.HasPrefix(verdict, "successful") {
			outcome = ecsfield.Success
		}
		e.Set("event.action", event.String("vpn-authentication"))
		ecsfield.Categorize(e, ecsfield.Authentication, ecsfield.TypeStart, outcome)
	case "722051":
		// "Address <A>" (older releases, either family) or "IPv4
		// Address <A> IPv6 address <B>"; 0.0.0.0 and :: mean none.
		v4, ok4 := vpnValue(rest, "Address")
		v6, _ := vpnValue(rest, "IPv6 address")
		if !ok4 {
			return false
		}
		if strings.Contains(v4, ":") && v6 == "" {
			v4, v6 = "", v4
		}
		if v4 != "" && v4 != "0.0.0.0" {
			ecsfield.IP(e, "cisco.asa.assigned_ip", v4)
		}
		if v6 != "" && v6 != "::" {
			ecsfield.IP(e, "cisco.asa.assigned_ipv6", v6)
		}
		e.Set("event.action", event.String("vpn-address-assigned"))
		ecsfield.Categorize(e, ecsfield.Session, ecsfield.TypeInfo, ecsfield.Success)
	default:
		return false
	}
	ecsfield.Str(e, "cisco.asa.group_policy", group)
	if user != "" && !isMasked(user) {
		e.Set("user.name", event.String(user))
	}
	ecsfield.Addr(e, "source", ip)
	return true
}

// vpnIdentity reads "Group <G> User <U> IP <A> REST" or the bare form
// "Group G User U IP A REST".
func vpnIdentity(s string) (group, user, ip, rest string, ok bool) {
	if strings.HasPrefix(s, "Group <") {
		var okG, okU, okI bool
		group, s, okG = cutBracketed(s, "Group")
		user, s, okU = cutBracketed(s, "User")
		ip, s, okI = cutBracketed(s, "IP")
		return group, user, ip, s, okG && okU && okI
	}
	f := strings.SplitN(s, " ", 7)
	if len(f) < 7 || f[0] != "Group" || f[2] != "User" || f[4] != "IP" {
		return "", "", "", "", false
	}
	return f[1], f[3], f[5], f[6], true
}

// cutBracketed reads "KEY <V> " at the start of s and returns V and what
// follows.
func cutBracketed(s, key string) (v, rest string, ok bool) {
	s, ok = strings.CutPrefix(s, key+" <")
	if !ok {
		return "", s, false
	}
	v, rest, ok = strings.Cut(s, ">")
	return v, strings.TrimLeft(rest, " "), ok
}

// vpnValue returns the value after key, bracketed ("key <V>") or bare.
func vpnValue(s, key string) (string, bool) {
	_, rest, ok := strings.Cut(s, key+" ")
	if !ok {
		return "", false
	}
	if r, bracketed := strings.CutPrefix(rest, "<"); bracketed {
		v, _, closed := strings.Cut(r, ">")
		return v, closed
	}
	v, _, _ := strings.Cut(rest, " ")
	return v, v != ""
}
