package json

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// Samples written from the vendors' documentation of each container.
const (
	// Auth0 log stream (custom webhook) batch, and Slack audit logs page
	// entries look alike: a JSON array of objects.
	auth0Event1 = `{"log_id":"90020250101","data":{"date":"2025-01-01T10:00:00.000Z","type":"f","description":"Wrong email or password.","client_id":"c1","ip":"198.51.100.7","user_name":"jdoe@example.com"}}`
	auth0Event2 = `{"log_id":"90020250102","data":{"date":"2025-01-01T10:00:05.000Z","type":"s","client_id":"c1","ip":"198.51.100.7","user_name":"jdoe@example.com"}}`
	auth0Page   = "[\n  " + auth0Event1 + ",\n  " + auth0Event2 + "\n]\n"

	vpcLine1 = `2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK`
	vpcLine2 = `2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK`
	// A CloudWatch Logs subscription payload (decompressed): two VPC flow
	// log lines and a CloudTrail event as the third message, escaped.
	cloudWatchPayload = `{"messageType":"DATA_MESSAGE","owner":"123456789012","logGroup":"vpc-flow","logStream":"eni-1235b8ca123456789-all","subscriptionFilters":["all"],"logEvents":[` +
		`{"id":"1","timestamp":1418530010000,"message":"` + vpcLine1 + `"},` +
		`{"id":"2","timestamp":1418530010000,"message":"` + vpcLine2 + `"},` +
		`{"id":"3","timestamp":1418530011000,"message":"{\"eventVersion\":\"1.08\",\"eventName\":\"CreateUser\",\"note\":\"a\\\"b\"}"}]}`

	finding1 = `{"SchemaVersion":"2018-10-08","Id":"f1","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"g1","AwsAccountId":"444455556666","Title":"one"}`
	finding2 = `{"SchemaVersion":"2018-10-08","Id":"f2","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"g2","AwsAccountId":"444455556666","Title":"two"}`
	shHead   = `{"version":"0","id":"e1","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"444455556666","time":"2025-06-03T10:15:42Z","region":"eu-west-1","resources":["r"],"detail":{"findings":[`
	// securityHubEvent is an EventBridge event with two findings.
	securityHubEvent = shHead + finding1 + ", " + finding2 + `]}}`

	nsgHead = `{"time":"2025-03-02T07:41:12.4180000Z","systemId":"s1","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/S1/NSG1","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[`
	// nsgRecord holds two rules, the first with two MACs; three tuples.
	nsgRecord = nsgHead + `{"rule":"R1","flows":[{"mac":"M1","flowTuples":["t1","t2"]},{"mac":"M2","flowTuples":[]}]},{"rule":"R2","flows":[{"mac":"M3","flowTuples":["t3"]}]}]}}`

	osqHead = `{"snapshot":[`
	osqTail = `],"action":"snapshot","name":"pack_processes","hostIdentifier":"web-01","calendarTime":"Mon Jun  2 10:00:00 2025 UTC","unixTime":1748858400,"epoch":0,"counter":0,"numerics":false}`
	// osquerySnapshot holds two rows.
	osquerySnapshot = osqHead + `{"pid":"1","name":"init"},{"pid":"42","name":"sshd"}` + osqTail

	// osqueryBatch is a batch-format result: two rows added, one removed.
	osqBatchRest = `"name":"pack_processes","hostIdentifier":"web-01","calendarTime":"Mon Jun  2 10:00:00 2025 UTC","unixTime":1748858400,"epoch":0,"counter":3,"numerics":false,"decorations":{"host_uuid":"u1"}`
	osqueryBatch = `{"diffResults":{"added":[{"pid":"7","name":"nc"},{"pid":"8","name":"sh"}],"removed":[{"pid":"1","name":"init"}]},` + osqBatchRest + `}`

	vnetHead = `{"time":"2025-03-02T08:00:05.1230000Z","flowLogGUID":"g1","macAddress":"00224871C205","category":"FlowLogFlowEvent","flowLogResourceID":"/SUBSCRIPTIONS/S1/FLOWLOGS/FL","targetResourceID":"/subscriptions/s1/virtualNetworks/v1","operationName":"FlowLogFlowEvent","flowLogVersion":4,"flowRecords":{"flows":[`
	// vnetRecord holds two ACLs, the first with two flow groups; three tuples.
	vnetRecord = vnetHead + `{"aclID":"A1","flowGroups":[{"rule":"R1","flowTuples":["t1","t2"]},{"rule":"R2","flowTuples":[]}]},{"aclID":"A2","flowGroups":[{"rule":"R3","flowTuples":["t3"]}]}]}}`
)

func splitStrings(t *testing.T, in string) []string {
	t.Helper()
	parts, batch, err := Split([]byte(in), nil)
	if err != nil || !batch {
		t.Fatalf("Split: batch %v, err %v", batch, err)
	}
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	return out
}

func wantParts(t *testing.T, got []string, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d parts %q, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("part %d\n got: %s\nwant: %s", i, got[i], want[i])
		}
	}
}

func TestSplitTopLevelArray(t *testing.T) {
	wantParts(t, splitStrings(t, auth0Page), auth0Event1, auth0Event2)
	wantParts(t, splitStrings(t, " [ ] "))
	// An element that is a container is split too.
	wantParts(t, splitStrings(t, `[`+auth0Event1+`,`+osquerySnapshot+`]`), auth0Event1,
		osqHead+`{"pid":"1","name":"init"}`+osqTail, osqHead+`{"pid":"42","name":"sshd"}`+osqTail)
}

func TestSplitCloudWatch(t *testing.T) {
	wantParts(t, splitStrings(t, cloudWatchPayload), vpcLine1, vpcLine2,
		`{"eventVersion":"1.08","eventName":"CreateUser","note":"a\"b"}`)
	// Inside an Event Hub-style batch, and an empty one.
	wantParts(t, splitStrings(t, `{"records":[`+cloudWatchPayload+`]}`), vpcLine1, vpcLine2,
		`{"eventVersion":"1.08","eventName":"CreateUser","note":"a\"b"}`)
	wantParts(t, splitStrings(t, `{"messageType":"CONTROL_MESSAGE","logEvents":[]}`))
}

func TestSplitSecurityHub(t *testing.T) {
	wantParts(t, splitStrings(t, securityHubEvent), shHead+finding1+`]}}`, shHead+finding2+`]}}`)
}

func TestSplitNSGFlowTuples(t *testing.T) {
	one := func(rule, mac, tuple string) string {
		return nsgHead + `{"rule":"` + rule + `","flows":[{"mac":"` + mac + `","flowTuples":["` + tuple + `"]}]}]}}`
	}
	wantParts(t, splitStrings(t, nsgRecord), one("R1", "M1", "t1"), one("R1", "M1", "t2"), one("R2", "M3", "t3"))
	// In an Event Hub batch or a storage blob ({"records":[…]}): every
	// tuple of every record.
	got := splitStrings(t, `{"records":[`+nsgRecord+`,`+nsgRecord+`]}`)
	if len(got) != 6 || got[5] != one("R2", "M3", "t3") {
		t.Errorf("records of NSG records: %q", got)
	}
}

func TestSplitOsquerySnapshot(t *testing.T) {
	wantParts(t, splitStrings(t, osquerySnapshot),
		osqHead+`{"pid":"1","name":"init"}`+osqTail, osqHead+`{"pid":"42","name":"sshd"}`+osqTail)
}

func TestSplitVNetFlowTuples(t *testing.T) {
	one := func(acl, rule, tuple string) string {
		return vnetHead + `{"aclID":"` + acl + `","flowGroups":[{"rule":"` + rule + `","flowTuples":["` + tuple + `"]}]}]}}`
	}
	wantParts(t, splitStrings(t, vnetRecord), one("A1", "R1", "t1"), one("A1", "R1", "t2"), one("A2", "R3", "t3"))
	got := splitStrings(t, `{"records":[`+vnetRecord+`,`+vnetRecord+`]}`)
	if len(got) != 6 || got[5] != one("A2", "R3", "t3") {
		t.Errorf("records of virtual network records: %q", got)
	}
}

func TestSplitOsqueryBatch(t *testing.T) {
	wantParts(t, splitStrings(t, osqueryBatch),
		`{`+osqBatchRest+`,"columns":{"pid":"7","name":"nc"},"action":"added"}`,
		`{`+osqBatchRest+`,"columns":{"pid":"8","name":"sh"},"action":"added"}`,
		`{`+osqBatchRest+`,"columns":{"pid":"1","name":"init"},"action":"removed"}`)
	// diffResults after the other members, as well.
	wantParts(t, splitStrings(t, `{"name":"p","hostIdentifier":"h","diffResults":{"removed":[{"a":1},{"a":2}]}}`),
		`{"name":"p","hostIdentifier":"h","columns":{"a":1},"action":"removed"}`,
		`{"name":"p","hostIdentifier":"h","columns":{"a":2},"action":"removed"}`)
}

// A container with one element, or one not as its schema has it, is parsed
// whole as before (same bytes, same event.id).
func TestSplitContainersLeftWhole(t *testing.T) {
	for _, in := range []string{
		shHead + finding1 + `]}}`,
		shHead + `]}}`,
		strings.Replace(securityHubEvent, `"aws.securityhub"`, `"aws.other"`, 1),
		nsgHead + `{"rule":"R1","flows":[{"mac":"M1","flowTuples":["t1"]}]}]}}`,
		nsgHead + `{"rule":"R1","flows":[{"mac":"M1","flowTuples":["t1","t2"]}]},{"rule":"R2"}]}}`,
		osqHead + `{"pid":"1"}` + osqTail,
		osqHead + `{"pid":"1"},"x"` + osqTail,
		`{"snapshot":[{"a":1},{"a":2}],"action":"added"}`,
		vnetHead + `{"aclID":"A1","flowGroups":[{"rule":"R1","flowTuples":["t1"]}]}]}}`,
		strings.Replace(vnetRecord, `"FlowLogFlowEvent","flowLogResourceID"`, `"Other","flowLogResourceID"`, 1),
		`{"diffResults":{"added":[{"pid":"7"}],"removed":[]},"name":"p"}`,
		`{"diffResults":{"added":[{"pid":"7"},"x"]},"name":"p"}`,
		`{"diffResults":{"added":[{"pid":"7"},{"pid":"8"}],"changed":[]},"name":"p"}`,
		`{"diffResults":{"added":[{"pid":"7"},{"pid":"8"}]},"action":"added"}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1","message":1}]}`,
		`{"messageType":"DATA_MESSAGE","logEvents":[{"id":"1"}]}`,
		`{"eventName":"x","logEvents":"not a payload","findings":1}`,
	} {
		dst := [][]byte{[]byte("kept")}
		parts, batch, err := Split([]byte(in), dst)
		if batch || err != nil || len(parts) != 1 || string(parts[0]) != "kept" {
			t.Errorf("Split(%s) = %d parts, batch %v, err %v; want it left whole", in, len(parts), batch, err)
		}
	}
}

// The bound counts every record of every container of one record.
func TestSplitBoundNested(t *testing.T) {
	var b bytes.Buffer
	b.WriteString(`{"records":[`)
	tuples := strings.TrimSuffix(strings.Repeat(`"t",`, 100), ",")
	for i := range MaxSplitRecords/100 + 1 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(nsgHead + `{"rule":"R","flows":[{"mac":"M","flowTuples":[` + tuples + `]}]}]}}`)
	}
	b.WriteString(`]}`)
	parts, batch, err := Split(b.Bytes(), nil)
	if !batch || !errors.Is(err, ErrTooManyRecords) || len(parts) != 0 {
		t.Fatalf("over the bound: %d parts, batch %v, err %v", len(parts), batch, err)
	}
	if !strings.Contains(err.Error(), "5100 elements") {
		t.Errorf("error %q does not say how many", err)
	}
}

func TestSplitSlackAuditPage(t *testing.T) {
	e1 := `{"id":"0123a45b-6c7d-8900-e12f-3456789gh0i1","date_create":1521214343,"action":"user_login","actor":{"type":"user","user":{"id":"W123AB456","name":"Charlie Parker","email":"bird@slack.com"}},"entity":{"type":"user","user":{"id":"W123AB456"}},"context":{"location":{"type":"enterprise","id":"E1701NCCA"},"ua":"Mozilla/5.0","ip_address":"1.23.45.678"}}`
	e2 := strings.Replace(e1, "user_login", "user_logout", 1)
	wantParts(t, splitStrings(t, `{"entries":[`+e1+`,`+e2+`],"response_metadata":{"next_cursor":"dXNlcjpVMEc5V0ZYTlo="}}`), e1, e2)
	wantParts(t, splitStrings(t, `{"entries":[`+e1+`]}`), e1)
	for _, in := range []string{`{"entries":[{"a":1}],"other":1}`, `{"entries":[{"a":1}],"response_metadata":1}`} {
		if _, batch, _ := Split([]byte(in), nil); batch {
			t.Errorf("Split(%s) split it", in)
		}
	}
}
