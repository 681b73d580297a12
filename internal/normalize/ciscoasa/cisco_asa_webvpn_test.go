package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// TestCiscoASAVPNAndLogins covers cisco_asa_webvpn.go and checks the user,
// address and outcome of the other authentication messages: lines written
// from the formats of Cisco's ASA syslog message reference.
func TestCiscoASAVPNAndLogins(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	f(`<166>Jun 16 09:00:01 fw01 %ASA-6-716001: Group <DfltGrpPolicy> User <alice> IP <203.0.113.5> WebVPN session started.`,
		map[string]string{"event.code": "716001", "event.action": "vpn-session-started", "user.name": "alice",
			"source.ip": "203.0.113.5", "cisco.asa.group_policy": "DfltGrpPolicy", "event.outcome": "success",
			"event.category": "session", "event.type": "start", "host.name": "fw01"})
	f(`<166>%ASA-6-716001: Group Sales User bob IP 198.51.100.20 WebVPN session started.`,
		map[string]string{"event.action": "vpn-session-started", "user.name": "bob", "source.ip": "198.51.100.20",
			"cisco.asa.group_policy": "Sales"})
	f(`<166>%ASA-6-716002: Group <DfltGrpPolicy> User <alice> IP <203.0.113.5> WebVPN session terminated: User Requested.`,
		map[string]string{"event.action": "vpn-session-terminated", "user.name": "alice", "source.ip": "203.0.113.5",
			"event.reason": "User Requested", "event.type": "end", "event.outcome": ""})
	f(`<166>%ASA-6-716039: Group <DfltGrpPolicy> User <mallory> IP <192.0.2.66> Authentication: rejected, Session Type: WebVPN.`,
		map[string]string{"event.action": "vpn-authentication", "user.name": "mallory", "source.ip": "192.0.2.66",
			"event.outcome": "failure", "event.category": "authentication"})
	f(`<166>%ASA-6-716038: Group <DfltGrpPolicy> User <alice> IP <203.0.113.5> Authentication: successful, Session Type: WebVPN.`,
		map[string]string{"event.action": "vpn-authentication", "event.outcome": "success"})
	f(`<164>%ASA-4-722051: Group <GP-Remote> User <carol> IP <203.0.113.77> IPv4 Address <10.20.30.40> IPv6 address <::> assigned to session`,
		map[string]string{"event.code": "722051", "event.action": "vpn-address-assigned", "user.name": "carol",
			"source.ip": "203.0.113.77", "cisco.asa.assigned_ip": "10.20.30.40", "cisco.asa.assigned_ipv6": "",
			"cisco.asa.group_policy": "GP-Remote", "event.outcome": "success"})
	f(`<164>%ASA-4-722051: Group GP User dave IP 203.0.113.78 Address 10.20.30.41 assigned to session`,
		map[string]string{"user.name": "dave", "source.ip": "203.0.113.78", "event.action": "vpn-address-assigned",
			"cisco.asa.assigned_ip": "10.20.30.41"})
	f(`<164>%ASA-4-722051: Group GP User dave IP 203.0.113.78 Address 2001:db8::99 assigned to session`,
		map[string]string{"cisco.asa.assigned_ip": "", "cisco.asa.assigned_ipv6": "2001:db8::99"})
	// Not the message's grammar: nothing user-related is invented.
	f(`<164>%ASA-4-722051: Group <GP> User <dave> IP <203.0.113.78> something else`,
		map[string]string{"user.name": "", "event.action": ""})
	f(`<166>%ASA-6-716001: Group <GP> User <dave IP <203.0.113.78> WebVPN session started.`,
		map[string]string{"user.name": "", "event.action": ""})
	f(`<164>%ASA-4-722051: Group GP User dave IP 203.0.113.78 IPv4 Address 10.20.30.41 IPv6 address 2001:db8::41 assigned to session`,
		map[string]string{"cisco.asa.assigned_ip": "10.20.30.41", "cisco.asa.assigned_ipv6": "2001:db8::41"})
	// Messages already mapped elsewhere: the core fields must be there.
	f(`<166>%ASA-6-113004: AAA user authentication Successful : server = 10.1.1.10 : user = alice`,
		map[string]string{"user.name": "alice", "cisco.asa.aaa_server": "10.1.1.10", "event.outcome": "success",
			"event.action": "aaa-authentication"})
	f(`<166>%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.10 : user = bob : user IP = 198.51.100.9`,
		map[string]string{"user.name": "bob", "source.ip": "198.51.100.9", "event.outcome": "failure", "event.reason": "AAA failure"})
	f(`<166>%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 198.51.100.10`,
		map[string]string{"user.name": "admin", "source.ip": "198.51.100.10", "event.outcome": "failure",
			"cisco.asa.aaa_server": "LOCAL"})
	f(`<166>%ASA-6-611101: User authentication succeeded: IP address: 10.0.0.9, Uname: admin`,
		map[string]string{"user.name": "admin", "source.ip": "10.0.0.9", "event.outcome": "success", "event.action": "user-authentication"})
	f(`<166>%ASA-6-611102: User authentication failed: IP address: 10.0.0.9, Uname: root`,
		map[string]string{"user.name": "root", "source.ip": "10.0.0.9", "event.outcome": "failure"})
	f(`<166>%ASA-6-605004: Login denied from 198.51.100.23/52311 to outside:192.0.2.1/ssh for user "admin"`,
		map[string]string{"user.name": "admin", "source.ip": "198.51.100.23", "source.port": "52311", "event.outcome": "failure",
			"destination.ip": "192.0.2.1", "destination.port": "22", "event.action": "login"})
	f(`<166>%ASA-6-605005: Login permitted from 10.0.0.9/50000 to inside:10.0.0.1/https for user "enable_15"`,
		map[string]string{"user.name": "enable_15", "source.ip": "10.0.0.9", "source.port": "50000", "event.outcome": "success",
			"destination.port": "443"})
}
