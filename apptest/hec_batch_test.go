package apptest

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestHECBatchRecordsAreParsedAndNormalised posts one HEC body of
// concatenated event objects, with and without newlines between them, to
// the real binary. Each object is one record: a string event is parsed (by
// its sourcetype's format, else auto) and normalised by the pipeline that
// matches it, with HEC's time as @timestamp where the record has no time of
// its own, its host where the record names none, source, sourcetype and
// index as splunk.*, and fields as labels.*; an object event is normalised
// as JSON; the tenant and source come only from the token; the same text
// from two hosts is two events.
func TestHECBatchRecordsAreParsedAndNormalised(t *testing.T) {
	v := startVigil(t, fmt.Sprintf("http:\n  ingest:\n    tokens:\n      - token: %s\n        tenant: acme\n        source: hec-acme\n", hecToken))
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	fg := `date=2024-05-10 time=11:40:02 devname="FGT-` + m + `" devid="FGT60E4Q16000001" logid="0000000013" type="traffic" subtype="forward" level="notice" srcip=10.1.100.20 srcport=51234 dstip=203.0.113.9 dstport=3389 proto=6 action="deny" policyid=0 service="RDP"`
	ssh := `<38>May 10 11:41:00 bastion-` + m + ` sshd[4242]: Failed password for invalid user admin from 198.51.100.77 port 50022 ssh2`
	ct := `{"eventVersion":"1.08","userIdentity":{"type":"Root","principalId":"123456789012","arn":"arn:aws:iam::123456789012:root","accountId":"123456789012"},"eventTime":"2024-05-10T11:42:00Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.17","userAgent":"` + m + `","responseElements":{"ConsoleLogin":"Success"},"eventID":"e1","eventType":"AwsConsoleSignIn","recipientAccountId":"123456789012"}`
	q := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) }
	body := `{"event":"` + q(fg) + `","time":1715341202.5,"host":"collector-1","source":"udp:514","sourcetype":"fortigate","index":"netfw","fields":{"env":"prod","dc":["par1","ams2"]}}` +
		`{"event":"` + q(ssh) + `","host":"collector-1","sourcetype":"syslog","tenant":"other","vigil.tenant":"other"}` + "\n" +
		`{"event":` + ct + `,"sourcetype":"aws:cloudtrail","time":"1715341320"}` + "\r\n" +
		// The same text twice, from two hosts: two events.
		`{"event":"dup ` + m + `","host":"a-` + m + `","time":1715341400.25} {"event":"dup ` + m + `","host":"b-` + m + `","time":1715341400.25}`
	if code, b := post(t, v.url("/services/collector/event"), "application/json", "Splunk "+hecToken, []byte(body)); code != 200 {
		t.Fatalf("hec post: %d %s", code, b)
	}
	from := []string{"--tenant", "acme", "--from", "2024-05-01T00:00:00Z"}

	rows, _ := v.waitFound(`observer.name:FGT-`+m, 1, 5*time.Second, from...)
	r := rows[0]
	wantText(t, r, "vigil.pipeline", "fortinet.fortigate")
	wantText(t, r, "source.ip", "10.1.100.20")
	wantText(t, r, "destination.port", "3389")
	wantText(t, r, "event.action", "deny")
	wantText(t, r, "vigil.tenant", "acme")
	wantText(t, r, "vigil.source", "hec-acme")
	wantText(t, r, "splunk.sourcetype", "fortigate")
	wantText(t, r, "splunk.source", "udp:514")
	wantText(t, r, "splunk.index", "netfw")
	wantText(t, r, "labels.env", "prod")
	// The pipeline read the record's own time (date= time=).
	wantText(t, r, "@timestamp", "2024-05-10T11:40:02Z")

	rows, _ = v.waitFound(`host.name:bastion-`+m, 1, 5*time.Second, from...)
	r = rows[0]
	wantText(t, r, "process.name", "sshd")
	wantText(t, r, "source.ip", "198.51.100.77")
	wantText(t, r, "user.name", "admin")
	wantText(t, r, "event.outcome", "failure")
	wantText(t, r, "vigil.tenant", "acme")
	wantText(t, r, "splunk.sourcetype", "syslog")

	rows, _ = v.waitFound(`user_agent.original:`+m, 1, 5*time.Second, from...)
	r = rows[0]
	wantText(t, r, "vigil.pipeline", "aws.cloudtrail")
	wantText(t, r, "user.name", "root")
	wantText(t, r, "event.outcome", "success")
	wantText(t, r, "splunk.sourcetype", "aws:cloudtrail")

	rows, _ = v.waitFound(`dup `+m, 2, 5*time.Second, from...)
	hosts := map[string]bool{}
	for _, row := range rows {
		hosts[row.Text("host.name")] = true
		// A text without a time of its own takes HEC's.
		wantText(t, row, "@timestamp", "2024-05-10T11:43:20.25Z")
	}
	if len(rows) != 2 || !hosts["a-"+m] || !hosts["b-"+m] {
		t.Errorf("the same text from two hosts: %d rows, hosts %v", len(rows), hosts)
	}
}

// TestHECBatchIsBounded posts more events in one request than a request may
// hold: it is refused whole, with the number of the first event over the
// bound, and nothing of it is stored.
func TestHECBatchIsBounded(t *testing.T) {
	v := startVigil(t, fmt.Sprintf("http:\n  ingest:\n    tokens:\n      - token: %s\n        source: hec\n", hecToken))
	m := fmt.Sprintf("m%d", time.Now().UnixNano())
	const n = 100_001
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, `{"event":"%s %d"}`, m, i)
	}
	code, resp := post(t, v.url("/services/collector/event"), "application/json", "Splunk "+hecToken, []byte(b.String()))
	if code != 413 || !strings.Contains(resp, `"invalid-event-number":100000`) {
		t.Fatalf("a request of %d events: %d %s, want 413 naming event 100000", n, code, resp)
	}
	// A request within the bound, sent after it, is stored; the refused
	// one left nothing.
	if code, resp := post(t, v.url("/services/collector/event"), "application/json", "Splunk "+hecToken, []byte(`{"event":"after `+m+`"}`)); code != 200 {
		t.Fatalf("hec post: %d %s", code, resp)
	}
	v.waitFound(`after `+m, 1, 5*time.Second)
	if rows, err := v.search(m + ` NOT after`); err != nil || len(rows) != 0 {
		t.Errorf("events of the refused request stored: %d (%v)", len(rows), err)
	}
}
