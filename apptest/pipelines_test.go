package apptest

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPipelinesSelectByRecord sends CloudTrail JSON over HTTP and a
// FortiGate line over syslog to the real binary: each is normalised by its
// built-in pipeline, whatever source it came in on.
func TestPipelinesSelectByRecord(t *testing.T) {
	v := startVigil(t, "")
	marker := fmt.Sprintf("m%d", time.Now().UnixNano())
	ct := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Mateo","accountId":"111122223333","userName":"Mateo"},"eventTime":"2024-05-10T11:37:47Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.17","userAgent":"` + marker + `","responseElements":{"ConsoleLogin":"Failure"},"recipientAccountId":"111122223333"}` + "\n"
	if code, b := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(ct)); code != 200 {
		t.Fatalf("ingest: %d %s", code, b)
	}
	rows, _ := v.waitFound(`vigil.pipeline:aws.cloudtrail user_agent.original:`+marker, 1, 5*time.Second, "--from", "2024-05-01T00:00:00Z")
	wantText(t, rows[0], "event.action", "ConsoleLogin")
	wantText(t, rows[0], "user.name", "Mateo")
	wantText(t, rows[0], "source.ip", "198.51.100.17")
	wantText(t, rows[0], "event.outcome", "failure")

	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fg := `<189>date=2024-05-10 time=11:40:02 devname="FGT-` + marker + `" devid="FGT60E4Q16000001" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.1.100.20 srcport=51234 dstip=203.0.113.9 dstport=3389 proto=6 action="deny" policyid=0 service="RDP"`
	if _, err := c.Write([]byte(fg)); err != nil {
		t.Fatal(err)
	}
	rows, _ = v.waitFound(`vigil.pipeline:fortinet.fortigate observer.name:FGT-`+marker, 1, 5*time.Second, "--from", "2024-05-01T00:00:00Z")
	wantText(t, rows[0], "source.ip", "10.1.100.20")
	wantText(t, rows[0], "destination.port", "3389")
	wantText(t, rows[0], "event.action", "deny")
	wantText(t, rows[0], "network.transport", "tcp")
}

// TestPipelineFailureIsDeadLettered loads a user pipeline from pipeline.dir;
// a record its fail step rejects is kept in the dead letters with the
// pipeline and step in the reason, and a good one is normalised.
func TestPipelineFailureIsDeadLettered(t *testing.T) {
	dir := t.TempDir()
	pl := "name: acme.door\nmatch:\n  - app: doord\nsteps:\n  - dissect: {field: _raw, pattern: 'door=%{acme.door} user=%{user.name} result=%{acme.result}'}\n" +
		"  - fail: {message: 'bad result {{acme.result}}', if: 'NOT acme.result:(granted OR denied)'}\n"
	if err := os.WriteFile(filepath.Join(dir, "door.yml"), []byte(pl), 0o644); err != nil {
		t.Fatal(err)
	}
	v := startVigil(t, "pipeline:\n  dir: "+dir+"\n")
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	marker := fmt.Sprintf("u%d", time.Now().UnixNano())
	for _, line := range []string{
		"<38>Mar  4 08:15:02 ctl doord[1]: door=lab user=" + marker + " result=granted",
		"<38>Mar  4 08:15:03 ctl doord[1]: door=lab user=" + marker + " result=tailgate",
	} {
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := v.waitFound("vigil.pipeline:acme.door user.name:"+marker, 1, 5*time.Second)
	wantText(t, rows[0], "acme.result", "granted")
	var dead []interface{ Text(string) string }
	waitFor(t, 20*time.Second, "the dead letter of the rejected record", func() bool {
		rows, err := v.search("vigil.format:pipeline "+marker, "--dataset", "deadletters")
		if err != nil {
			t.Fatal(err)
		}
		dead = nil
		for _, r := range rows {
			dead = append(dead, r)
		}
		return len(dead) > 0
	})
	if msg := dead[0].Text("error.message"); !strings.Contains(msg, "pipeline acme.door step 2 (fail): bad result tailgate") {
		t.Errorf("dead letter reason %q", msg)
	}
	if rows, err := v.search("vigil.pipeline:acme.door user.name:" + marker); err != nil || len(rows) != 1 {
		t.Errorf("stored events of the pipeline: %d, %v; want only the good one", len(rows), err)
	}
}

func wantText(t *testing.T, r interface{ Text(string) string }, field, value string) {
	t.Helper()
	if got := r.Text(field); got != value {
		t.Errorf("%s = %q, want %q", field, got, value)
	}
}

// TestJSONBehindSyslogHeader sends vendor JSON to the real binary's syslog
// listener the way forwarders wrap it: after a header without a TAG, and
// behind rsyslog's CEE cookie. Each is normalised by its JSON-keyed
// pipeline; the header's host (the forwarder) does not stand in for the
// sensor the JSON names, and fills host.name where the JSON names none.
func TestJSONBehindSyslogHeader(t *testing.T) {
	v := startVigil(t, "")
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ct := `<14>May 10 11:37:47 relay-` + m + ` {"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/Mateo","accountId":"111122223333","userName":"Mateo"},"eventTime":"2024-05-10T11:37:47Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.17","userAgent":"` + m + `","responseElements":{"ConsoleLogin":"Failure"},"recipientAccountId":"111122223333"}`
	eve := `<14>May 10 11:37:47 relay-` + m + ` suricata[812]: @cee: {"timestamp":"2024-05-10T11:37:47.123456+0000","host":"sensor-` + m + `","event_type":"anomaly","src_ip":"10.0.0.5","src_port":0,"dest_ip":"10.0.0.9","dest_port":0,"proto":"UDP","anomaly":{"type":"decode","event":"ipv4.trunc_pkt"}}`
	for _, line := range []string{ct, eve} {
		if _, err := c.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
	}
	from := []string{"--from", "2024-05-01T00:00:00Z"}
	rows, _ := v.waitFound(`vigil.pipeline:aws.cloudtrail user_agent.original:`+m, 1, 5*time.Second, from...)
	wantText(t, rows[0], "event.action", "ConsoleLogin")
	wantText(t, rows[0], "user.name", "Mateo")
	wantText(t, rows[0], "source.ip", "198.51.100.17")
	wantText(t, rows[0], "host.name", "relay-"+m)

	rows, _ = v.waitFound(`vigil.pipeline:suricata.eve log.syslog.hostname:relay-`+m, 1, 5*time.Second, from...)
	wantText(t, rows[0], "host.name", "sensor-"+m)
	wantText(t, rows[0], "source.ip", "10.0.0.5")
	wantText(t, rows[0], "event.action", "anomaly")
	wantText(t, rows[0], "log.syslog.appname", "suricata")
}

// TestISESegmentsJoinedOverSyslog sends a Cisco ISE message in three
// segments to the real binary's syslog listener: one event comes out that
// the cisco.ise pipeline maps whole (the user and the client's MAC are in
// the later segments), whether the segments shared a batch or not.
func TestISESegmentsJoinedOverSyslog(t *testing.T) {
	v := startVigil(t, "")
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	c, err := net.Dial("udp", v.syslog)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	h := `<181>May 10 11:37:47 ise-` + m + ` CISE_Passed_Authentications 0000412345 3 `
	for _, seg := range []string{
		h + `0 2024-05-10 11:37:47.123 +02:00 0001234567 5200 NOTICE Passed-Authentication: Authentication succeeded, Device IP Address=10.20.0.2, DestinationIPAddress=10.10.0.15, DestinationPort=1812,`,
		h + `1 UserName=CORP\` + m + `, Protocol=Radius, NetworkDeviceName=access-sw-01, User-Name=CORP\` + m + `,`,
		h + `2 Calling-Station-ID=00-1A-2B-3C-4D-5E, AuthenticationMethod=dot1x,`,
	} {
		if _, err := c.Write([]byte(seg)); err != nil {
			t.Fatal(err)
		}
	}
	rows, _ := v.waitFound(`vigil.pipeline:cisco.ise user.name:`+m+` source.mac:*`, 1, 5*time.Second, "--from", "2024-05-01T00:00:00Z")
	wantText(t, rows[0], "event.code", "5200")
	wantText(t, rows[0], "source.ip", "10.20.0.2")
	wantText(t, rows[0], "source.mac", "00-1A-2B-3C-4D-5E")
	wantText(t, rows[0], "cisco.ise.authentication_method", "dot1x")
}
