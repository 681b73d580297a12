package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

func TestCiscoASA(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	deny := func(m map[string]string) map[string]string {
		m["event.action"] = "deny"
		m["event.outcome"] = "failure"
		m["event.category"] = "network"
		m["event.type"] = "connection,denied"
		m["observer.vendor"] = "Cisco"
		m["observer.product"] = "ASA"
		return m
	}

	// The deny family.
	f(`<164>Jan  5 10:20:30 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`,
		deny(map[string]string{"event.code": "106023", "event.severity": "4", "log.level": "warning",
			"source.ip": "198.51.100.7", "source.port": "4444", "destination.ip": "10.0.0.5", "destination.port": "80",
			"network.transport": "tcp", "network.iana_number": "6", "cisco.asa.rule_name": "outside_in",
			"cisco.asa.source_interface": "outside", "cisco.asa.destination_interface": "inside",
			"process.name": "", "host.name": "fw01", "observer.hostname": "fw01", "event.module": "cisco", "event.dataset": "cisco.asa",
			"message": `Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`}))
	f(`<164>%ASA-4-106023: Deny icmp src outside:192.0.2.1 dst inside:10.1.1.1 (type 8, code 0) by access-group "outside_access_in" [0x9c7d8d4f, 0x0]`,
		deny(map[string]string{"source.ip": "192.0.2.1", "destination.ip": "10.1.1.1", "network.transport": "icmp",
			"cisco.asa.icmp_type": "8", "cisco.asa.icmp_code": "0", "source.port": "", "destination.port": ""}))
	f(`Jan 05 2026 10:20:30 fw01 : %ASA-4-106023: Deny udp src dmz:10.2.2.2/5353(LOCAL\alice) dst outside:2001:db8::1/53 by access-group "dmz_in" [0x0, 0x0]`,
		deny(map[string]string{"source.ip": "10.2.2.2", "source.user.name": "alice", "source.user.domain": "LOCAL", "destination.ip": "2001:db8::1",
			"destination.port": "53", "network.transport": "udp", "cisco.asa.source_interface": "dmz"}))
	f(`<162>%ASA-2-106001: Inbound TCP connection denied from 203.0.113.9/51000 to 10.0.0.5/3389 flags SYN  on interface outside`,
		deny(map[string]string{"event.code": "106001", "network.direction": "inbound", "source.ip": "203.0.113.9", "source.port": "51000",
			"destination.port": "3389", "cisco.asa.tcp_flags": "SYN ", "cisco.asa.source_interface": "outside", "event.severity": "2"}))
	f(`<162>%ASA-2-106006: Deny inbound UDP from 203.0.113.9/137 to 10.0.0.5/137 on interface outside`,
		deny(map[string]string{"network.transport": "udp", "network.direction": "inbound", "destination.port": "137", "cisco.asa.source_interface": "outside"}))
	f(`<162>%ASA-2-106007: Deny inbound UDP from 203.0.113.9/53 to 10.0.0.5/33000 due to DNS Response.`,
		deny(map[string]string{"network.protocol": "dns", "event.reason": "DNS Response", "source.port": "53"}))
	f(`<163>%ASA-3-106014: Deny inbound icmp src outside:203.0.113.9 dst inside:10.0.0.5 (type 8, code 0)`,
		deny(map[string]string{"network.transport": "icmp", "source.ip": "203.0.113.9", "destination.ip": "10.0.0.5", "cisco.asa.icmp_type": "8"}))
	f(`<166>%ASA-6-106015: Deny TCP (no connection) from 10.0.0.5/443 to 203.0.113.9/51000 flags RST  on interface inside.`,
		deny(map[string]string{"source.ip": "10.0.0.5", "destination.port": "51000", "cisco.asa.tcp_flags": "RST ", "cisco.asa.source_interface": "inside"}))
	f(`<161>%ASA-1-106021: Deny TCP reverse path check from 10.9.9.9 to 10.0.0.5 on interface outside`,
		deny(map[string]string{"source.ip": "10.9.9.9", "destination.ip": "10.0.0.5", "event.reason": "reverse path check", "cisco.asa.source_interface": "outside"}))
	f(`<166>%ASA-6-106100: access-list outside_in denied tcp outside/198.51.100.7(4444) -> inside/10.0.0.5(8080) hit-cnt 1 first hit [0x9c2d2d74, 0x0]`,
		deny(map[string]string{"source.ip": "198.51.100.7", "source.port": "4444", "destination.port": "8080",
			"cisco.asa.rule_name": "outside_in", "cisco.asa.hit_count": "1", "cisco.asa.destination_interface": "inside"}))
	f(`<166>%ASA-6-106100: access-list inside_in permitted udp inside/10.0.0.5(5353)(LOCAL\bob, 7) -> outside/192.0.2.53(53) hit-cnt 3 300-second interval [0x1, 0x2]`,
		map[string]string{"event.action": "permit", "event.outcome": "success", "event.type": "connection,allowed",
			"source.user.name": "bob", "source.user.domain": "LOCAL", "destination.ip": "192.0.2.53", "cisco.asa.hit_count": "3"})
	f(`<164>%ASA-4-710003: TCP access denied by ACL from 198.51.100.7/40000 to outside:203.0.113.1/22`,
		deny(map[string]string{"destination.port": "22", "destination.ip": "203.0.113.1", "cisco.asa.destination_interface": "outside"}))

	// Connections.
	f(`<166>Jan 05 2026 10:20:30: %ASA-6-302013: Built inbound TCP connection 1234 for outside:198.51.100.7/51514 (198.51.100.7/51514) to inside:10.0.0.5/22 (203.0.113.5/22)`,
		map[string]string{"event.action": "connection-built", "event.type": "connection,start", "event.outcome": "success",
			"network.direction": "inbound", "source.ip": "198.51.100.7", "source.port": "51514", "source.nat.ip": "",
			"destination.ip": "10.0.0.5", "destination.port": "22", "destination.nat.ip": "203.0.113.5", "destination.nat.port": "22",
			"cisco.asa.connection_id": "1234", "@timestamp": "2026-01-05T10:20:30Z"})
	f(`<166>%ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to inside:10.1.1.2/53496 (192.0.2.7/1024)`,
		map[string]string{"network.direction": "outbound", "source.ip": "10.1.1.2", "source.port": "53496",
			"source.nat.ip": "192.0.2.7", "source.nat.port": "1024", "destination.ip": "10.1.2.1", "destination.port": "22",
			"cisco.asa.source_interface": "inside", "cisco.asa.destination_interface": "outside"})
	f(`<166>%ASA-6-302013: Built inbound TCP connection 10 for outside:10.1.2.1/28218 (10.1.2.1/28218) to NP Identity Ifc:10.1.2.2/22 (10.1.2.2/22)`,
		map[string]string{"cisco.asa.destination_interface": "NP Identity Ifc", "destination.ip": "10.1.2.2", "destination.nat.ip": ""})
	f(`<166>%ASA-6-302015: Built outbound UDP connection 414128851 for outside:192.0.2.53/53 (192.0.2.53/53) to inside:192.168.10.5/53 (192.168.10.5/171) (alice)`,
		map[string]string{"network.transport": "udp", "source.ip": "192.168.10.5", "source.nat.port": "171", "destination.port": "53"})
	f(`<166>%ASA-6-302014: Teardown TCP connection 9 for outside:10.1.2.1/22 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs from inside`,
		map[string]string{"event.action": "connection-teardown", "event.type": "connection,end", "event.outcome": "",
			"event.duration": "30000000000", "network.bytes": "1234", "event.reason": "TCP FINs from inside",
			// Connection 9 was built outbound above: the initiator is the source again.
			"source.ip": "10.1.1.2", "destination.port": "22", "network.direction": "outbound"})
	f(`<166>%ASA-6-302016: Teardown UDP connection 414128851 for outside:192.0.2.53/53 to inside:192.168.10.5/53 duration 1:02:03 bytes 128 (alice)`,
		map[string]string{"event.duration": "3723000000000", "network.bytes": "128", "user.name": "alice", "event.reason": ""})
	f(`<166>%ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.7/1 gaddr 203.0.113.5/0 laddr 10.0.0.5/0 type 8 code 0`,
		map[string]string{"event.action": "connection-built", "network.transport": "icmp", "source.ip": "198.51.100.7",
			"destination.ip": "10.0.0.5", "cisco.asa.mapped_address": "203.0.113.5", "cisco.asa.icmp_type": "8"})

	// Authentication and management.
	f(`<166>%ASA-6-113004: AAA user authentication Successful : server = 10.1.1.1 : user = alice`,
		map[string]string{"event.action": "aaa-authentication", "event.outcome": "success", "event.category": "authentication",
			"user.name": "alice", "cisco.asa.aaa_server": "10.1.1.1"})
	f(`<166>%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.1 : user = ***** : user IP = 198.51.100.7`,
		map[string]string{"event.action": "aaa-authentication", "event.outcome": "failure", "event.reason": "AAA failure",
			"user.name": "", "source.ip": "198.51.100.7"})
	f(`<166>%ASA-6-113008: AAA transaction status ACCEPT : user = alice`,
		map[string]string{"event.outcome": "success", "user.name": "alice"})
	f(`<166>%ASA-6-113012: AAA user authentication Successful : local database : user = admin`,
		map[string]string{"event.outcome": "success", "user.name": "admin", "cisco.asa.aaa_server": "LOCAL"})
	f(`<166>%ASA-6-113015: AAA user authentication Rejected : reason = Invalid password : local database : user = admin : user IP = 198.51.100.7`,
		map[string]string{"event.outcome": "failure", "event.reason": "Invalid password", "user.name": "admin", "source.ip": "198.51.100.7"})
	f(`<165>%ASA-5-113019: Group = vpnusers, Username = alice, IP = 198.51.100.7, Session disconnected. Session Type: SSL, Duration: 0h:05m:12s, Bytes xmt: 12345, Bytes rcv: 6789, Reason: User Requested`,
		map[string]string{"event.action": "vpn-session-disconnected", "user.name": "alice", "source.ip": "198.51.100.7",
			"cisco.asa.group_policy": "vpnusers", "source.bytes": "12345", "destination.bytes": "6789", "event.reason": "User Requested",
			"cisco.asa.session_type": "SSL"})
	f(`<164>%ASA-4-113006: User 'alice' locked out on exceeding '3' successive failed authentication attempts`,
		map[string]string{"event.action": "user-locked-out", "user.name": "alice"})
	f(`<166>%ASA-6-605005: Login permitted from 10.1.1.5/51245 to inside:10.1.1.1/ssh for user "admin"`,
		map[string]string{"event.action": "login", "event.outcome": "success", "user.name": "admin", "source.ip": "10.1.1.5",
			"source.port": "51245", "destination.ip": "10.1.1.1", "destination.port": "22", "network.protocol": "ssh"})
	f(`<166>%ASA-6-605004: Login denied from 198.51.100.7/40001 to outside:203.0.113.1/https for user "root"`,
		map[string]string{"event.outcome": "failure", "user.name": "root", "destination.port": "443"})
	f(`<166>%ASA-6-605005: Login permitted from serial to console for user "enable_15"`,
		map[string]string{"event.outcome": "success", "user.name": "enable_15", "source.ip": "", "cisco.asa.source_interface": "serial"})
	f(`<166>%ASA-6-611101: User authentication succeeded: IP address: 10.1.1.5, Uname: admin`,
		map[string]string{"event.action": "user-authentication", "event.outcome": "success", "user.name": "admin", "source.ip": "10.1.1.5"})
	f(`<166>%ASA-6-611102: User authentication failed: IP address: 198.51.100.7, Uname: admin`,
		map[string]string{"event.outcome": "failure", "user.name": "admin", "source.ip": "198.51.100.7"})
	f(`<166>%ASA-6-611103: User logged out: Uname: admin`,
		map[string]string{"event.action": "logout", "user.name": "admin"})
	f(`<165>%ASA-5-111010: User 'admin', running 'CLI' from IP 10.1.1.5, executed 'write memory'`,
		map[string]string{"event.action": "command-executed", "user.name": "admin", "source.ip": "10.1.1.5", "cisco.asa.command_line": "write memory"})
	f(`<165>%ASA-5-111008: User 'enable_15' executed the 'configure terminal' command.`,
		map[string]string{"user.name": "enable_15", "cisco.asa.command_line": "configure terminal"})

	f(`<166>%ASA-6-109005: Authentication succeeded for user 'alice' from 10.1.1.5/51000 to 198.51.100.80/80 on interface inside`,
		map[string]string{"event.action": "cut-through-authentication", "event.outcome": "success", "user.name": "alice",
			"source.ip": "10.1.1.5", "destination.port": "80", "cisco.asa.source_interface": "inside"})
	f(`<166>%ASA-6-109006: Authentication failed for user 'bob' from 10.1.1.6/51000 to 198.51.100.80/21 on interface inside`,
		map[string]string{"event.outcome": "failure", "user.name": "bob"})

	// Threat detection and IP audit.
	f(`<164>%ASA-4-733101: Host 198.51.100.7 is attacking. Current burst rate is 200 per second, max configured rate is 100; Current average rate is 50 per second, max configured rate is 60; Cumulative total count is 1000`,
		map[string]string{"event.action": "threat-detected", "event.kind": "alert", "event.category": "intrusion_detection", "source.ip": "198.51.100.7"})
	f(`<164>%ASA-4-733101: Subnet 10.0.0.0 is targeted. Current burst rate is 200 per second, max configured rate is 100`,
		map[string]string{"cisco.asa.subnet": "10.0.0.0", "source.ip": "", "destination.ip": ""})
	f(`<164>%ASA-4-400013: IDS:2003 ICMP redirect from 10.4.1.2 to 10.2.1.1 on interface dmz`,
		map[string]string{"event.action": "ips-signature", "rule.id": "2003", "rule.name": "ICMP redirect", "source.ip": "10.4.1.2",
			"destination.ip": "10.2.1.1", "cisco.asa.source_interface": "dmz"})

	// Other prefixes, headers and unknown ids.
	f(`<166>1 2026-01-05T10:20:30.123Z fw01 - - - - %FTD-6-106100: access-list x denied tcp outside/198.51.100.7(1) -> inside/10.0.0.5(2) hit-cnt 1 first hit [0x0, 0x0]`,
		map[string]string{"observer.product": "FTD", "event.dataset": "cisco.ftd", "event.action": "deny", "destination.port": "2"})
	f(`%ASA-6-199999: Something new happened`,
		map[string]string{"event.code": "199999", "message": "Something new happened", "event.action": "", "event.severity": "6"})
	f(`<166>%ASA-6-302013: Built inbound TCP connection garbled`,
		map[string]string{"event.code": "302013", "event.action": "", "source.ip": ""})
}

func TestCiscoASAIgnores(t *testing.T) {
	n := New()
	for _, line := range []string{
		`<13>Jan  5 10:20:30 host sshd[1]: Accepted password for a from 1.2.3.4 port 1 ssh2`,
		`<13>Jan  5 10:20:30 host app: 100% done`,
		`<13>Jan  5 10:20:30 host app: %ASA-x-106023: not a tag`,
		`<13>Jan  5 10:20:30 host %CISCO-6-1: IOS, not ASA`,
		`plain text`,
	} {
		e := normtest.Parse(t, line)
		before := e.Clone()
		if n.Normalize(e) {
			t.Errorf("recognised %q", line)
		}
		if len(e.Fields) != len(before.Fields) {
			t.Errorf("changed %q: %s", line, normtest.Dump(e))
		}
	}
}

func TestParseASATag(t *testing.T) {
	f := func(s string, ok bool, prod, suffix string, level int64, id string) {
		t.Helper()
		tag, got := parseASATag(s)
		if got != ok || ok && (tag.product != prod || tag.suffix != suffix || tag.level != level || tag.id != id) {
			t.Errorf("parseASATag(%q) = %+v, %v", s, tag, got)
		}
	}
	f("%ASA-6-302013", true, "ASA", "", 6, "302013")
	f("%ASA-6-302013:", true, "ASA", "", 6, "302013")
	f("%FTD-session-5-430002", true, "FTD", "session", 5, "430002")
	f("%PIX-4-106023", true, "PIX", "", 4, "106023")
	f("%ASA-8-302013", false, "", "", 0, "")
	f("%ASA-6-3020", false, "", "", 0, "")
	f("%IOS-6-302013", false, "", "", 0, "")
	f("%ASA-6-302013x", false, "", "", 0, "")
	f("%", false, "", "", 0, "")
}

func TestCiscoASAKinds(t *testing.T) {
	e := normtest.Parse(t, `<164>%ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "a" [0x0, 0x0]`)
	New().Normalize(e)
	normtest.Kind(t, e, "source.ip", event.KindIP)
	normtest.Kind(t, e, "source.port", event.KindInt)
	normtest.Kind(t, e, "event.severity", event.KindInt)
	normtest.Kind(t, e, "event.category", event.KindList)
	normtest.Kind(t, e, "event.code", event.KindString)
}

// TestCiscoASATeardownDirection: a teardown of a connection the normaliser
// saw built outbound gets the same orientation as the build.
func TestCiscoASATeardownDirection(t *testing.T) {
	n := New()
	run := func(line string) map[string]string {
		e := normtest.Parse(t, line)
		n.Normalize(e)
		return map[string]string{"src": e.GetString("source.ip"), "dst": e.GetString("destination.ip"), "dir": e.GetString("network.direction")}
	}
	built := run(`<166>Jan  5 10:20:30 fw01 %ASA-6-302013: Built outbound TCP connection 9 for outside:93.184.216.34/443 (93.184.216.34/443) to inside:10.1.1.2/53496 (192.0.2.7/1024)`)
	other := run(`<166>Jan  5 10:20:30 fw02 %ASA-6-302014: Teardown TCP connection 9 for outside:93.184.216.34/443 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs`)
	down := run(`<166>Jan  5 10:20:31 fw01 %ASA-6-302014: Teardown TCP connection 9 for outside:93.184.216.34/443 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs`)
	again := run(`<166>Jan  5 10:20:32 fw01 %ASA-6-302014: Teardown TCP connection 9 for outside:93.184.216.34/443 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs`)
	if built["src"] != "10.1.1.2" || down["src"] != "10.1.1.2" || down["dst"] != "93.184.216.34" || down["dir"] != "outbound" {
		t.Errorf("built %v, teardown %v", built, down)
	}
	if other["src"] != "93.184.216.34" || other["dir"] != "" {
		t.Errorf("another device's connection 9 = %v", other)
	}
	if again["src"] != "93.184.216.34" {
		t.Errorf("a connection is torn down once: %v", again)
	}
	// The memory is bounded by two generations.
	var c outboundConns
	for i := 0; i < 3*maxConnsPerGen; i++ {
		c.add("fw", string(rune(i)))
	}
	if len(c.cur)+len(c.prev) > 2*maxConnsPerGen {
		t.Errorf("holds %d ids", len(c.cur)+len(c.prev))
	}
}
