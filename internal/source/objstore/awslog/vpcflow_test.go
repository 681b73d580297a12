package awslog

import (
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

const v3Header = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status"

func TestFlowDecode(t *testing.T) {
	f := func(name, header, line string, want []string, absent ...string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			ff := DefaultFlowFormat()
			if header != "" {
				var err error
				if ff, err = ParseFlowHeader(header); err != nil {
					t.Fatal(err)
				}
			}
			var e event.Event
			if err := ff.Decode(line, &e); err != nil {
				t.Fatalf("Decode: %v", err)
			}
			got := fields(&e)
			for _, w := range want {
				k, v, _ := strings.Cut(w, "=")
				if g, ok := got[k]; !ok || g != v {
					t.Errorf("%s = %q (present %v), want %q", k, g, ok, v)
				}
			}
			for _, a := range absent {
				if _, ok := got[a]; ok {
					t.Errorf("%s present (%q), want absent", a, got[a])
				}
			}
			if t.Failed() {
				t.Logf("fields: %v", got)
			}
		})
	}
	// The examples of the VPC Flow Logs user guide.
	f("accepted ssh", "", "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		[]string{"aws.vpcflow.version=2", "cloud.account.id=123456789010", "aws.vpcflow.interface_id=eni-1235b8ca123456789",
			"source.ip=172.31.16.139", "source.address=172.31.16.139", "destination.ip=172.31.16.21", "source.port=20641",
			"destination.port=22", "network.iana_number=6", "network.transport=tcp", "source.packets=20", "network.packets=20",
			"source.bytes=4249", "network.bytes=4249", "event.start=2014-12-14T04:06:50Z", "event.end=2014-12-14T04:07:50Z",
			"@timestamp=2014-12-14T04:07:50Z", "event.action=ACCEPT", "event.type=connection, allowed",
			"aws.vpcflow.log_status=OK", "event.kind=event", "event.category=network", "event.dataset=aws.vpcflow",
			"cloud.provider=aws", "related.ip=172.31.16.139, 172.31.16.21"})
	f("rejected rdp", "", "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
		[]string{"event.action=REJECT", "event.type=connection, denied", "destination.port=3389"})
	f("no data", "", "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		[]string{"aws.vpcflow.log_status=NODATA", "event.end=2015-05-10T18:02:14Z"},
		"source.ip", "destination.ip", "event.action", "network.transport", "related.ip")
	f("custom v3 with tcp flags", v3Header, "3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 18 OK",
		[]string{"aws.vpcflow.vpc_id=vpc-abcdefab012345678", "aws.vpcflow.subnet_id=subnet-aaaaaaaa012345678",
			"cloud.instance.id=i-01234567890123456", "network.type=ipv4", "aws.vpcflow.type=IPv4",
			"aws.vpcflow.pkt_srcaddr=52.213.180.42", "aws.vpcflow.pkt_dstaddr=10.0.0.62",
			"aws.vpcflow.tcp_flags=18", "aws.vpcflow.tcp_flags_array=syn, ack", "source.bytes=568", "source.packets=8"})
	f("v5 fields", "version srcaddr dstaddr region az-id flow-direction traffic-path pkt-src-aws-service protocol action",
		"5 10.0.1.5 52.95.128.1 us-east-2 use2-az2 egress 8 S3 17 ACCEPT",
		[]string{"cloud.region=us-east-2", "aws.vpcflow.az_id=use2-az2", "network.direction=egress",
			"aws.vpcflow.flow_direction=egress", "aws.vpcflow.traffic_path=8", "aws.vpcflow.pkt_src_aws_service=S3",
			"network.transport=udp"})
	f("ipv6 and icmpv6", "srcaddr dstaddr protocol", "2001:db8::1 2001:db8::2 58",
		[]string{"source.ip=2001:db8::1", "destination.ip=2001:db8::2", "network.transport=ipv6-icmp"})
	f("bad values are kept as text", "", "2 123456789010 eni-1 10.0.0.1 not-an-ip port 22 999 x 1 1418530010 later ACCEPT OK",
		[]string{"aws.vpcflow.srcport=port", "aws.vpcflow.protocol=999", "aws.vpcflow.packets=x", "aws.vpcflow.end=later",
			"destination.address=not-an-ip"},
		"destination.ip", "source.port", "network.transport", "@timestamp")
	f("unknown field", "srcaddr dstaddr future-field", "10.0.0.1 10.0.0.2 abc", []string{"aws.vpcflow.future_field=abc"})
	f("tabs and runs of spaces", "srcaddr dstaddr", "10.0.0.1 \t  10.0.0.2  ", []string{"destination.ip=10.0.0.2"})
	f("same address once in related.ip", "srcaddr dstaddr", "10.0.0.1 10.0.0.1", []string{"related.ip=10.0.0.1"})
}

func TestFlowDecodeErrors(t *testing.T) {
	ff := DefaultFlowFormat()
	f := func(line, want string) {
		t.Helper()
		var e event.Event
		err := ff.Decode(line, &e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode(%q) = %v, want an error containing %q", line, err, want)
		}
		if len(e.Fields) != 0 {
			t.Errorf("Decode(%q) changed the event on error", line)
		}
	}
	f("", "0 fields, the format has 14")
	f("2 123456789010 eni-1 10.0.0.1", "4 fields, the format has 14")
	f(strings.Repeat("x ", 15), "15 fields")
}

func TestFlowHeader(t *testing.T) {
	f := func(line string, want bool) {
		t.Helper()
		if got := IsFlowHeader(line); got != want {
			t.Errorf("IsFlowHeader(%q) = %v, want %v", line, got, want)
		}
		_, err := ParseFlowHeader(line)
		if (err == nil) != want {
			t.Errorf("ParseFlowHeader(%q) error %v, want ok=%v", line, err, want)
		}
	}
	f(strings.Join(DefaultFlowFields, " "), true)
	f(v3Header, true)
	f("srcaddr dstaddr", true)
	f("srcaddr", false)
	f("2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK", false)
	f("version Account-ID srcaddr", false)
	f("hello world", false)
	f("", false)
	// a field named twice would leave one of its values unread (the
	// fuzzer's srcaddr twice: source.ip from the second)
	if _, err := ParseFlowHeader("version srcaddr dstaddr srcaddr"); err == nil {
		t.Error("ParseFlowHeader accepted srcaddr twice")
	}
	f(`{"Records":[]}`, false)
	if ff, err := ParseFlowHeader(v3Header); err != nil || len(ff.Fields()) != 21 {
		t.Fatalf("v3 header: %v, %d fields", err, len(ff.Fields()))
	}
	if _, err := NewFlowFormat(nil); err == nil {
		t.Error("NewFlowFormat(nil) accepted no fields")
	}
}
