package ciscoasa

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// TestCiscoASAMore covers cisco_asa_more.go: lines written from the
// message formats of Cisco's ASA syslog message reference.
func TestCiscoASAMore(t *testing.T) {
	n := New()
	f := normtest.Checker(t, n, 0)
	deny := func(m map[string]string) map[string]string {
		if _, ok := m["event.action"]; !ok {
			m["event.action"] = "deny"
		}
		m["event.outcome"] = "failure"
		m["event.category"] = "network"
		m["event.type"] = "connection,denied"
		return m
	}

	// 106xxx.
	f(`<163>Jun 14 10:15:30 fw01 %ASA-3-106011: Deny inbound (No xlate) udp src outside:203.0.113.9/137 dst outside:192.0.2.255/137`,
		deny(map[string]string{"event.code": "106011", "network.direction": "inbound", "network.transport": "udp",
			"source.ip": "203.0.113.9", "source.port": "137", "destination.ip": "192.0.2.255", "destination.port": "137",
			"cisco.asa.source_interface": "outside", "event.reason": "No xlate"}))
	f(`<164>%ASA-4-106011: Deny inbound (No xlate) icmp src outside:203.0.113.9 dst outside:192.0.2.1 (type 8, code 0)`,
		deny(map[string]string{"network.transport": "icmp", "destination.ip": "192.0.2.1", "cisco.asa.icmp_type": "8", "destination.port": ""}))
	f(`<162>%ASA-2-106012: Deny IP from 198.51.100.7 to 10.0.0.5, IP options 0x44.`,
		deny(map[string]string{"source.ip": "198.51.100.7", "destination.ip": "10.0.0.5", "cisco.asa.ip_options": "0x44",
			"network.transport": "ip", "event.reason": "IP options"}))
	f(`<164>%ASA-4-106013: Dropping echo request from 198.51.100.7 to PAT address 203.0.113.5`,
		deny(map[string]string{"source.ip": "198.51.100.7", "destination.ip": "203.0.113.5", "network.transport": "icmp"}))

	f(`<166>%ASA-6-106102: access-list VPN-filter permitted tcp for user alice outside/192.0.2.7 51000 inside/10.0.0.5 443 hit-cnt 1 first hit [0x1, 0x0]`,
		map[string]string{"event.action": "permit", "event.outcome": "success", "user.name": "alice", "source.ip": "192.0.2.7",
			"source.port": "51000", "destination.ip": "10.0.0.5", "destination.port": "443", "cisco.asa.rule_name": "VPN-filter",
			"cisco.asa.source_interface": "outside", "cisco.asa.hit_count": "1"})
	f(`<164>%ASA-4-106103: access-list VPN-filter denied udp for user bob outside/192.0.2.8 5353 inside/10.0.0.6 53 hit-cnt 1 first hit [0x1, 0x0]`,
		deny(map[string]string{"user.name": "bob", "destination.port": "53", "network.transport": "udp"}))

	// 302xxx.
	f(`<166>%ASA-6-302017: Built inbound GRE connection 2541 from outside:198.51.100.7 (198.51.100.7) to inside:10.0.0.5/0 (203.0.113.5/0) (alice)`,
		map[string]string{"event.action": "connection-built", "event.type": "connection,start", "network.transport": "gre",
			"network.iana_number": "47", "network.direction": "inbound", "source.ip": "198.51.100.7", "destination.ip": "10.0.0.5",
			"destination.nat.ip": "203.0.113.5", "destination.port": "", "cisco.asa.connection_id": "2541"})
	f(`<166>%ASA-6-302018: Teardown GRE connection 2541 from outside:198.51.100.7 (198.51.100.7) to inside:10.0.0.5/0 (203.0.113.5/0) duration 0:01:00 bytes 5120 (alice)`,
		map[string]string{"event.action": "connection-teardown", "event.type": "connection,end", "network.bytes": "5120",
			"event.duration": "60000000000", "source.ip": "198.51.100.7"})
	f(`<166>%ASA-6-302035: Built inbound SCTP connection 77 for outside:198.51.100.7/2905 (198.51.100.7/2905) to inside:10.0.0.5/2905 (203.0.113.5/2905)`,
		map[string]string{"event.action": "connection-built", "network.transport": "sctp", "destination.nat.ip": "203.0.113.5", "source.port": "2905"})
	f(`<166>%ASA-6-302036: Teardown SCTP connection 77 for outside:198.51.100.7/2905 to inside:10.0.0.5/2905 duration 0:00:10 bytes 900 Flow closed by inspection`,
		map[string]string{"event.action": "connection-teardown", "network.transport": "sctp", "network.bytes": "900", "event.reason": "Flow closed by inspection"})
	f(`<166>%ASA-6-302303: Built TCP state-bypass connection 88 from inside:10.0.0.5/51000 (10.0.0.5/51000) to outside:192.0.2.80/80 (192.0.2.80/80)`,
		map[string]string{"event.action": "connection-built", "network.transport": "tcp", "source.ip": "10.0.0.5", "destination.port": "80",
			"cisco.asa.connection_id": "88"})
	f(`<166>%ASA-6-302304: Teardown TCP state-bypass connection 88 from inside:10.0.0.5/51000 to outside:192.0.2.80/80 duration 0:00:05 bytes 1500 TCP FINs`,
		map[string]string{"event.action": "connection-teardown", "network.bytes": "1500", "event.reason": "TCP FINs", "destination.ip": "192.0.2.80"})

	// 305xxx.
	f(`<166>%ASA-6-305011: Built dynamic TCP translation from inside:10.0.0.5/51000 to outside:203.0.113.5/31000`,
		map[string]string{"event.action": "translation-built", "event.outcome": "success", "network.transport": "tcp",
			"source.ip": "10.0.0.5", "source.port": "51000", "source.nat.ip": "203.0.113.5", "source.nat.port": "31000",
			"cisco.asa.source_interface": "inside", "cisco.asa.destination_interface": "outside", "cisco.asa.translation_type": "dynamic"})
	f(`<166>%ASA-6-305012: Teardown dynamic UDP translation from inside:10.0.0.5/53000 to outside:203.0.113.5/41000 duration 0:00:31`,
		map[string]string{"event.action": "translation-teardown", "event.type": "connection,end", "network.transport": "udp",
			"source.nat.port": "41000", "event.duration": "31000000000"})
	f(`<166>%ASA-6-305012: Teardown dynamic ICMP translation from inside:10.0.0.5/512 to outside:203.0.113.5/3 duration 0:00:30`,
		map[string]string{"network.transport": "icmp", "source.ip": "10.0.0.5", "source.port": "", "source.nat.ip": "203.0.113.5"})
	f(`<166>%ASA-6-305009: Built static translation from inside(nat_acl):10.0.0.10 to outside:203.0.113.10`,
		map[string]string{"event.action": "translation-built", "source.ip": "10.0.0.10", "source.nat.ip": "203.0.113.10",
			"cisco.asa.rule_name": "nat_acl", "cisco.asa.source_interface": "inside", "network.transport": ""})
	f(`<166>%ASA-6-305010: Teardown static translation from inside:10.0.0.10 to outside:203.0.113.10 duration 1:00:00`,
		map[string]string{"event.action": "translation-teardown", "event.duration": "3600000000000"})
	f(`<163>%ASA-3-305005: No translation group found for tcp src inside:10.0.0.5/51000 dst outside:192.0.2.80/80`,
		deny(map[string]string{"event.action": "translation-failed", "source.ip": "10.0.0.5", "destination.port": "80", "event.reason": "no translation group"}))
	f(`<163>%ASA-3-305006: regular translation creation failed for icmp src inside:10.0.0.5 dst outside:192.0.2.1 (type 8, code 0)`,
		deny(map[string]string{"event.action": "translation-failed", "event.reason": "regular translation creation failed", "network.transport": "icmp", "cisco.asa.icmp_type": "8"}))
	f(`<164>%ASA-4-305013: Asymmetric NAT rules matched for forward and reverse flows; Connection tcp src inside:10.0.0.5/51000 dst outside:192.0.2.80/80 denied due to NAT reverse path failure.`,
		deny(map[string]string{"event.action": "translation-failed", "event.reason": "NAT reverse path failure", "destination.ip": "192.0.2.80", "destination.port": "80"}))

	// 313xxx.
	f(`<163>%ASA-3-313001: Denied ICMP type=8, code=0 from 198.51.100.7 on interface outside`,
		deny(map[string]string{"network.transport": "icmp", "cisco.asa.icmp_type": "8", "cisco.asa.icmp_code": "0",
			"source.ip": "198.51.100.7", "cisco.asa.source_interface": "outside"}))
	f(`<163>%ASA-3-313008: Denied IPv6-ICMP type=128 , code=0 from 2001:db8::7 on interface outside`,
		deny(map[string]string{"network.transport": "ipv6-icmp", "cisco.asa.icmp_type": "128", "source.ip": "2001:db8::7"}))
	f(`<164>%ASA-4-313004: Denied ICMP type=0, from laddr 198.51.100.7 on interface outside to 10.0.0.5: no matching session`,
		deny(map[string]string{"source.ip": "198.51.100.7", "destination.ip": "10.0.0.5", "cisco.asa.icmp_type": "0", "event.reason": "no matching session"}))
	f(`<164>%ASA-4-313005: No matching connection for ICMP error message: icmp src outside:198.51.100.7 dst inside:10.0.0.5 (type 3, code 3) on outside interface.  Original IP payload: udp src 10.0.0.5/53 dst 198.51.100.7/33000.`,
		deny(map[string]string{"source.ip": "198.51.100.7", "destination.ip": "10.0.0.5", "cisco.asa.icmp_type": "3", "cisco.asa.icmp_code": "3"}))

	// 710xxx.
	f(`<167>%ASA-7-710001: TCP access requested from 198.51.100.7/51000 to outside:203.0.113.1/https`,
		map[string]string{"event.action": "access-requested", "network.transport": "tcp", "source.ip": "198.51.100.7",
			"destination.ip": "203.0.113.1", "destination.port": "", "network.direction": "inbound", "event.outcome": ""})
	f(`<164>%ASA-4-710004: TCP connection limit exceeded from 198.51.100.7/51000 to outside:203.0.113.1/22 (current connections/connection limit = 5/5)`,
		deny(map[string]string{"destination.port": "22", "event.reason": "connection limit exceeded"}))
	f(`<167>%ASA-7-710006: IGMP request discarded from 198.51.100.7 to outside:224.0.0.1`,
		deny(map[string]string{"network.transport": "igmp", "source.ip": "198.51.100.7", "destination.ip": "224.0.0.1"}))
	f(`<167>%ASA-7-710007: NAT-T keepalive received from 198.51.100.7/4500 to outside:203.0.113.1/4500`,
		map[string]string{"event.action": "nat-t-keepalive", "network.transport": "udp", "source.port": "4500"})

	// 733xxx.
	f(`<164>%ASA-4-733100: [ Scanning] drop rate-1 exceeded. Current burst rate is 10 per second, max configured rate is 10; Current average rate is 5 per second, max configured rate is 5; Cumulative total count is 3000`,
		map[string]string{"event.action": "threat-rate-exceeded", "event.kind": "alert", "event.category": "intrusion_detection",
			"rule.name": "Scanning", "cisco.asa.threat_rate": "rate-1"})
	f(`<164>%ASA-4-733102: Threat-detection adds host 198.51.100.7 to shun list`,
		map[string]string{"event.action": "shun-added", "source.ip": "198.51.100.7", "event.kind": "alert"})
	f(`<164>%ASA-4-733103: Threat-detection removes host 198.51.100.7 from shun list`,
		map[string]string{"event.action": "shun-removed", "source.ip": "198.51.100.7"})
	f(`<164>%ASA-4-733104: TD_SYSLOG_TCP_INTERCEPT_AVERAGE_RATE_EXCEED`,
		map[string]string{"event.action": "tcp-intercept-rate-exceeded", "event.kind": "alert"})

	// A reworded message keeps the common fields only.
	f(`<166>%ASA-6-305011: Something else entirely`,
		map[string]string{"event.code": "305011", "event.action": "", "source.ip": ""})
}
