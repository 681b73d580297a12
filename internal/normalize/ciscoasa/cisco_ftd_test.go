package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// TestCiscoFTDSecurityEvents: lines written from the 430001–430005
// message descriptions of Cisco's FTD syslog message reference.
func TestCiscoFTDSecurityEvents(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 60)
	f(`<166>Jun 14 10:15:30 ftd01 %FTD-6-430002: DeviceUUID: 1d2b3c4d-0000-1111-2222-333344445555, InstanceID: 4, FirstPacketSecond: 2026-06-14T10:15:30Z, ConnectionID: 5031, AccessControlRuleAction: Allow, SrcIP: 10.1.1.2, DstIP: 172.16.1.2, SrcPort: 49552, DstPort: 53, Protocol: udp, IngressInterface: inside, EgressInterface: outside, IngressZone: InZone, EgressZone: OutZone, ACPolicy: Default-ACP, AccessControlRuleName: Allow-DNS, Prefilter Policy: Default Prefilter Policy, User: No Authentication Required, Client: DNS client, ApplicationProtocol: DNS, InitiatorPackets: 1, ResponderPackets: 0, InitiatorBytes: 74, ResponderBytes: 0, NAPPolicy: Balanced Security and Connectivity, DNSQuery: www.example.com, DNSRecordType: a host address, DNSResponseType: No Error`,
		map[string]string{"event.code": "430002", "event.dataset": "cisco.ftd", "observer.product": "FTD",
			"event.action": "connection-started", "event.category": "network", "event.type": "connection,start", "event.outcome": "success",
			"source.ip": "10.1.1.2", "source.port": "49552", "destination.ip": "172.16.1.2", "destination.port": "53",
			"network.transport": "udp", "network.protocol": "dns", "observer.ingress.interface.name": "inside",
			"observer.egress.zone": "OutZone", "rule.name": "Allow-DNS", "rule.ruleset": "Default-ACP", "source.bytes": "74",
			"source.packets": "1", "dns.question.name": "www.example.com", "user.name": "", "cisco.ftd.connection_id": "5031",
			"cisco.ftd.security_event.Prefilter_Policy": "Default Prefilter Policy", "cisco.ftd.security_event.DNSRecordType": "a host address"})
	f(`<166>Jun 14 10:16:30 ftd01 %FTD-6-430003: DeviceUUID: 1d2b3c4d-0000-1111-2222-333344445555, InstanceID: 4, FirstPacketSecond: 2026-06-14T10:15:30Z, ConnectionID: 5032, AccessControlRuleAction: Block with reset, SrcIP: 10.1.1.3, DstIP: 198.51.100.80, SrcPort: 50000, DstPort: 443, Protocol: tcp, IngressInterface: inside, EgressInterface: outside, ACPolicy: Default-ACP, AccessControlRuleName: Block-Gambling, User: CORP\alice, ApplicationProtocol: HTTPS, URL: https://bets.example.com/, URLCategory: Gambling, ConnectionDuration: 2, InitiatorBytes: 517, ResponderBytes: 0`,
		map[string]string{"event.action": "connection-finished", "event.type": "connection,denied", "event.outcome": "failure",
			"user.name": "alice", "user.domain": "CORP", "url.original": "https://bets.example.com/", "event.duration": "2000000000",
			"network.transport": "tcp", "cisco.ftd.security_event.URLCategory": "Gambling"})
	f(`<161>Jun 14 10:17:00 ftd01 %FTD-1-430001: DeviceUUID: 1d2b3c4d-0000-1111-2222-333344445555, InstanceID: 1, SrcIP: 192.0.2.7, DstIP: 10.0.0.5, SrcPort: 4444, DstPort: 80, Protocol: tcp, IngressInterface: outside, EgressInterface: inside, Priority: 1, GID: 1, SID: 30001, Revision: 2, Message: SERVER-WEBAPP directory traversal attempt, with encoded dots, Classification: Web Application Attack, Client: cURL, ApplicationProtocol: HTTP, IntrusionPolicy: Balanced Security and Connectivity, ACPolicy: Default-ACP, AccessControlRuleName: Allow-Web, InlineResult: Blocked`,
		map[string]string{"event.action": "intrusion-detected", "event.kind": "alert", "event.category": "intrusion_detection",
			"event.type": "denied", "event.outcome": "failure", "rule.id": "30001",
			"rule.name": "SERVER-WEBAPP directory traversal attempt, with encoded dots", "rule.category": "Web Application Attack",
			"source.ip": "192.0.2.7", "destination.port": "80", "rule.ruleset": "Default-ACP"})
	f(`<161>Jun 14 10:18:00 ftd01 %FTD-1-430005: SrcIP: 198.51.100.80, DstIP: 10.0.0.5, SrcPort: 80, DstPort: 51000, Protocol: tcp, FileDirection: Download, FileAction: Malware Block, FileSHA256: 275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f, SHA_Disposition: Malware, FileName: invoice.exe, FileType: MSEXE, FileSize: 68, ApplicationProtocol: HTTP, ThreatName: Win.Trojan.Test, URI: http://files.example.net/invoice.exe`,
		map[string]string{"event.action": "malware-detected", "event.kind": "alert", "event.category": "malware,file",
			"file.name": "invoice.exe", "file.size": "68", "file.hash.sha256": "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f",
			"rule.name": "Win.Trojan.Test", "url.original": "http://files.example.net/invoice.exe", "source.ip": "198.51.100.80"})
	f(`<166>Jun 14 10:18:30 ftd01 %FTD-6-430004: SrcIP: 10.0.0.5, DstIP: 198.51.100.80, SrcPort: 51001, DstPort: 80, Protocol: tcp, FileDirection: Upload, FileAction: Detect, FileName: report.pdf, FileType: PDF, FileSize: 1024`,
		map[string]string{"event.action": "file-detected", "event.kind": "event", "event.category": "file", "file.name": "report.pdf"})
	// Not pairs: common fields only.
	f(`<166>%FTD-6-430002: something else`, map[string]string{"event.code": "430002", "event.action": ""})
}

func TestFTDPairs(t *testing.T) {
	got := ftdPairs(`A: 1, Message: , B c: x, y, D:`)
	want := [][2]string{{"A", "1"}, {"Message", ""}, {"B c", "x, y"}, {"D", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pair %d = %q, want %q", i, got[i], want[i])
		}
	}
}
