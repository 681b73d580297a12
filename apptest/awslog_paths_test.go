package apptest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// TestCloudTrailAndVPCFlowAlikeOverHTTPAndImport is issue 14's "CloudTrail
// sent over HTTP stays raw": the same CloudTrail records and VPC Flow lines
// reach one vigil serve twice, as files imported from a folder (the
// object-store decoder) and as HTTP posts of NDJSON and of raw lines (the
// parser and the pipelines), and every core field must come out the same.
func TestCloudTrailAndVPCFlowAlikeOverHTTPAndImport(t *testing.T) {
	trail := []string{
		`{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAAPPTEST1","arn":"arn:aws:iam::111122223333:user/Mateo","accountId":"111122223333","userName":"Mateo"},"eventTime":"2025-05-10T11:37:47Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.17","userAgent":"Mozilla/5.0","errorMessage":"Failed authentication","requestParameters":null,"responseElements":{"ConsoleLogin":"Failure"},"eventID":"apptest-ct-1","eventType":"AwsConsoleSignIn","recipientAccountId":"111122223333"}`,
		`{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole","principalId":"AROAAPPTEST:s1","arn":"arn:aws:sts::111122223333:assumed-role/Admin/s1","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAAPPTEST","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"}}},"eventTime":"2025-05-10T12:00:00Z","eventSource":"s3.amazonaws.com","eventName":"DeleteBucket","awsRegion":"eu-west-1","sourceIPAddress":"203.0.113.9","userAgent":"aws-cli/2.15","errorCode":"AccessDenied","errorMessage":"Access Denied","requestParameters":{"bucketName":"examplebucket"},"eventID":"apptest-ct-2","eventType":"AwsApiCall","recipientAccountId":"111122223333","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"s3.eu-west-1.amazonaws.com"}}`,
	}
	flows := []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK",
	}
	dir := t.TempDir()
	files := map[string]string{
		"trail.json": `{"Records":[` + strings.Join(trail, ",") + `]}`,
		"flows.log":  strings.Join(append([]string{strings.Join(strings.Fields("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"), " ")}, flows...), "\n") + "\n",
	}
	old := time.Now().Add(-time.Hour)
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	v := startVigil(t, fmt.Sprintf("sources:\n  - {name: drop, type: import_folder, path: %q, poll_interval: 50ms}\n", dir))

	if code, out := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(strings.Join(trail, "\n")+"\n")); code != 200 {
		t.Fatalf("ndjson post: %d %s", code, out)
	}
	if code, out := post(t, v.url("/api/v1/ingest?format=auto"), "text/plain", "", []byte(strings.Join(flows, "\n")+"\n")); code != 200 {
		t.Fatalf("lines post: %d %s", code, out)
	}

	compare := func(q, key string, fields []string) {
		t.Helper()
		rows, _ := v.waitFound(q, 4, 10*time.Second)
		byKey := map[string][]store.Row{}
		for _, r := range rows {
			byKey[r.Text(key)] = append(byKey[r.Text(key)], r)
		}
		for k, rs := range byKey {
			if len(rs) != 2 {
				t.Errorf("%s %s: %d events, want 2 (one imported, one sent)", key, k, len(rs))
				continue
			}
			a, b := rs[0], rs[1]
			if a.Text("vigil.source") == b.Text("vigil.source") {
				t.Errorf("%s %s: both events from %s", key, k, a.Text("vigil.source"))
			}
			for _, f := range fields {
				if a.Text(f) != b.Text(f) {
					t.Errorf("%s %s: %s is %q from %s, %q from %s", key, k, f, a.Text(f), a.Text("vigil.source"), b.Text(f), b.Text("vigil.source"))
				}
				if a.Text(f) == "" && f != "tls.version" {
					t.Errorf("%s %s: %s is empty on both", key, k, f)
				}
			}
		}
	}
	compare("event.dataset:aws.cloudtrail", "aws.cloudtrail.event_id", []string{
		"@timestamp", "event.action", "event.provider", "event.outcome", "user.name", "user.id", "source.ip",
		"cloud.account.id", "cloud.region", "user_agent.original", "related.user", "aws.cloudtrail.error_message",
		"aws.cloudtrail.user_identity.arn", "aws.cloudtrail.event_type", "tls.version",
	})
	compare("event.dataset:aws.vpcflow", "source.port", []string{
		"@timestamp", "source.ip", "destination.ip", "destination.port", "network.transport", "network.iana_number",
		"source.bytes", "source.packets", "event.action", "event.type", "event.start", "event.end", "cloud.account.id", "related.ip",
	})
}
