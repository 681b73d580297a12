package normalize

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

// normalizer is what the three vendor normalisers share.
type normalizer interface {
	Normalize(e *event.Event) bool
}

// fuzzNormalizer checks the invariants every normaliser keeps on any
// input: no panic; an event it does not recognise is left exactly as it
// was; a recognised one has typed addresses and ports that are valid, and
// a second pass neither panics nor changes what the first pass wrote into
// ECS fields of other types.
func fuzzNormalizer(f *testing.F, n normalizer, seeds []string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		e := vtParse(t, line)
		before := string(e.AppendJSON(nil))
		if !n.Normalize(e) {
			if after := string(e.AppendJSON(nil)); after != before {
				t.Fatalf("unrecognised event changed:\n%s\n%s", before, after)
			}
			return
		}
		for _, fl := range e.Fields {
			switch {
			case fl.Value.Kind() == event.KindIP:
				if _, err := netip.ParseAddr(fl.Value.Str()); err != nil {
					t.Fatalf("%s = %q is not an IP", fl.Name, fl.Value.Str())
				}
			case strings.HasSuffix(fl.Name, ".port") && !strings.HasPrefix(fl.Name, "log.syslog.structured_data."):
				// (structured-data parameters are the sender's own text,
				// kept as the parser read them; only mapped ports are typed)
				if fl.Value.Kind() != event.KindInt || fl.Value.Int() < 0 || fl.Value.Int() > 65535 {
					t.Fatalf("%s = %v", fl.Name, fl.Value.Text())
				}
			case fl.Name == "event.category" || fl.Name == "event.type":
				if fl.Value.Kind() != event.KindList || len(fl.Value.List()) == 0 {
					t.Fatalf("%s = %v", fl.Name, fl.Value.Text())
				}
			}
		}
		n.Normalize(e)
	})
}

func FuzzCiscoASA(f *testing.F) {
	fuzzNormalizer(f, NewCiscoASA(), []string{
		`<164>Jan  5 10:20:30 fw01 %ASA-4-106023: Deny tcp src outside:198.51.100.7/4444 dst inside:10.0.0.5/80 by access-group "outside_in" [0x0, 0x0]`,
		`<164>%ASA-4-106023: Deny icmp src outside:192.0.2.1 dst inside:10.1.1.1 (type 8, code 0) by access-group "a" [0x0, 0x0]`,
		`<166>%ASA-6-106100: access-list outside_in denied tcp outside/198.51.100.7(4444) -> inside/10.0.0.5(8080) hit-cnt 1 first hit [0x9c2d2d74, 0x0]`,
		`<166>%ASA-6-302013: Built outbound TCP connection 9 for outside:10.1.2.1/22 (10.1.2.1/22) to inside:10.1.1.2/53496 (192.0.2.7/1024)`,
		`<166>%ASA-6-302014: Teardown TCP connection 9 for outside:10.1.2.1/22 to inside:10.1.1.2/53496 duration 0:00:30 bytes 1234 TCP FINs (bob)`,
		`<166>%ASA-6-302020: Built inbound ICMP connection for faddr 198.51.100.7/1 gaddr 203.0.113.5/0 laddr 10.0.0.5/0 type 8 code 0`,
		`<166>%ASA-6-113005: AAA user authentication Rejected : reason = AAA failure : server = 10.1.1.1 : user = ***** : user IP = 198.51.100.7`,
		`<165>%ASA-5-113019: Group = g, Username = u, IP = 198.51.100.7, Session disconnected. Session Type: SSL, Duration: 0h:05m:12s, Bytes xmt: 1, Bytes rcv: 2, Reason: x`,
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

func FuzzWebLog(f *testing.F) {
	fuzzNormalizer(f, NewWebLog(), []string{
		`127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif?a=1 HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"`,
		`<190>Jan  5 10:20:30 web01 nginx: 198.51.100.7 - - [05/Jan/2026:10:20:30 +0000] "GET /../../etc/passwd HTTP/1.1" 404 153 "-" "curl/8.0"`,
		`www.example.com:443 203.0.113.9 - - [05/Jan/2026:10:20:30 +0100] "POST /login.php HTTP/2.0" 302 - "-" "-"`,
		`[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187:52446] AH00128: File does not exist: /x`,
		`2011/06/10 13:30:10 [error] 23263#0: *1 open() "/x" failed, client: 86.186.86.232, server: example.com, request: "GET /favicon.ico HTTP/1.1", host: "example.com"`,
	})
}

func FuzzAuthLog(f *testing.F) {
	fuzzNormalizer(f, NewAuthLog(), []string{
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Accepted publickey for git from 2001:db8::5 port 40022 ssh2: ED25519 SHA256:x",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: message repeated 3 times: [ Failed password for root from 198.51.100.7 port 40000 ssh2]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Connection closed by authenticating user root 198.51.100.7 port 40000 [preauth]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: Received disconnect from 198.51.100.7 port 40000:11: Bye Bye [preauth]",
		"<38>Mar 10 11:59:00 bastion sshd[2411]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.7  user=root",
		"<38>Mar 10 11:59:00 bastion sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/cat /etc/shadow",
		"<38>Mar 10 11:59:00 bastion su[900]: FAILED SU (to root) alice on pts/0",
		"Jun 14 04:05:06 combo login[2000]: FAILED LOGIN 1 FROM 10.0.0.9 FOR root, Authentication failure",
		"Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ",
	})
}

func FuzzCommonFields(f *testing.F) {
	fuzzNormalizer(f, NewCommonFields(), []string{
		`<134>1 2026-11-22T00:01:17.76Z host-1 scheduler 3255 AUDIT [meta@32473 tenant="t4"] user=user428 action=delete outcome=failure src=10.20.195.65`,
		`<134>1 2026-11-22T00:01:17.76Z host-1 app 1 - [auth@32473 user="alice" src_ip="192.0.2.4" src_port="4242" dst="10.0.0.1" proto="TCP"] login`,
		`<4>Nov 22 00:01:09 host-468 kernel: [UFW BLOCK] IN=eth0 OUT= SRC=41.117.73.156 DST=10.0.0.5 PROTO=TCP SPT=30891 DPT=789`,
		`{"src_ip":"198.51.100.2","username":"carol","dst_port":"8443","result":"SUCCESS"}`,
		`{"src":"/static/app.js","dst_port":"https","user":"-","outcome":"maybe","proto":"HTTP/1.1"}`,
	})
}
