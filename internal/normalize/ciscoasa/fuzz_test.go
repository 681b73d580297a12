package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

func FuzzCiscoASA(f *testing.F) {
	normtest.Fuzz(f, New(), []string{
		`<164>Jan  5 10:20:30 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`,
		`<164>%ASA-4-106023: Deny icmp src outside:192.0.2.1 dst inside:10.1.1.1 (type 8, code 0) by access-group "a" [0x0, 0x0]`,
		`<166>%ASA-6-106100: access-list outside_in denied tcp outside/198.51.100.7(4444) -> inside/10.0.0.5(8080) hit-cnt 1 first hit [0x9c2d2d74, 0x0]`,
		`<166>%ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to inside:10.1.1.2/53496 (192.0.2.7/1024)`,
		`<166>%ASA-6-302014: Teardown TCP connection 9 for outside:10.1.2.1/22 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs (bob)`,
		`<166>%ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.7/1 gaddr 203.0.113.5/0 laddr 10.0.0.5/0 type 8 code 0`,
		`<166>%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.1 : user = ***** : user IP = 198.51.100.7`,
		`<165>%ASA-5-113019: Group = g, Username = u, IP = 198.51.100.7, Session disconnected. Session Type: SSL, Duration: 0h:05m:12s, Bytes xmt: 1, Bytes rcv: 2, Reason: x`,
		`<166>%ASA-6-716002: Group <g> User <u> IP <203.0.113.5> WebVPN session terminated: User Requested.`,
		`<164>%ASA-4-722051: Group <g> User <u> IP <203.0.113.77> IPv4 Address <10.20.30.40> IPv6 address <::> assigned to session`,
		`<164>%ASA-4-722051: Group g User u IP 203.0.113.78 Address 10.20.30.41 assigned to session`,
		`<166>%ASA-6-605005: Login permitted from 10.1.1.5/51245 to inside:10.1.1.1/ssh for user "admin"`,
		`<166>%ASA-6-611102: User authentication failed: IP address: 198.51.100.7, Uname: admin`,
		`<165>%ASA-5-111010: User 'admin', running 'CLI' from IP 10.1.1.5, executed 'write memory'`,
		`%ASA-4-710003: TCP access denied by ACL from 198.51.100.7/40000 to outside:203.0.113.1/22`,
		`%ASA-2-106001: Inbound TCP connection denied from 203.0.113.9/51000 to 10.0.0.5/3389 flags SYN  on interface outside`,
		`%ASA-6-109005: Authentication succeeded for user 'alice' from 10.1.1.5/51000 to 198.51.100.80/80 on interface inside`,
		`%ASA-4-733101: Host 198.51.100.7 is attacking. Current burst rate is 200 per second`,
		`%ASA-4-400013: IDS:2003 ICMP redirect from 10.4.1.2 to 10.2.1.1 on interface dmz`,
		`%ASA-3-106011: Deny inbound (No xlate) udp src outside:203.0.113.9/137 dst outside:192.0.2.255/137`,
		`%ASA-6-302017: Built inbound GRE connection 2541 from outside:198.51.100.7 (198.51.100.7) to inside:10.0.0.5/0 (203.0.113.5/0) (alice)`,
		`%ASA-6-302304: Teardown TCP state-bypass connection 88 from inside:10.0.0.5/51000 to outside:192.0.2.80/80 duration 0:00:05 bytes 1500 TCP FINs`,
		`%ASA-6-305012: Teardown dynamic UDP translation from inside(acl):10.0.0.5/53000 to outside:203.0.113.5/41000 duration 0:00:31`,
		`%ASA-4-305013: Asymmetric NAT rules matched for forward and reverse flows; Connection tcp src inside:10.0.0.5/51000 dst outside:192.0.2.80/80 denied due to NAT reverse path failure.`,
		`%ASA-4-313004: Denied ICMP type=0, from laddr 198.51.100.7 on interface outside to 10.0.0.5: no matching session`,
		`%ASA-4-710004: TCP connection limit exceeded from 198.51.100.7/51000 to outside:203.0.113.1/22 (current connections/connection limit = 5/5)`,
		`%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second`,
		`%FTD-6-430003: ConnectionID: 5032, AccessControlRuleAction: Block with reset, SrcIP: 10.1.1.3, DstIP: 198.51.100.80, SrcPort: 50000, DstPort: 443, Protocol: tcp, User: CORP\alice, ConnectionDuration: 2, InitiatorBytes: 517`,
		`%FTD-1-430001: SrcIP: 192.0.2.7, DstIP: 10.0.0.5, Protocol: tcp, GID: 1, SID: 30001, Message: a, b, Classification: , InlineResult: Blocked`,
	})
}
