package awslog

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/event"
)

func TestCloudTrail(t *testing.T) {
	// f maps rec and checks that want's fields ("name=value") are present
	// and those in absent are not.
	f := func(name, rec string, want []string, absent ...string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			var e event.Event
			if err := CloudTrail([]byte(rec), &e); err != nil {
				t.Fatalf("CloudTrail: %v", err)
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
	f("iam user call", `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAEXAMPLE","userName":"alice"},"eventTime":"2024-03-01T10:11:12Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","requestParameters":{"userName":"bob","tags":[]},"responseElements":{"user":{"userName":"bob","userId":"AIDABOB"}},"requestID":"r-1","eventID":"e-1","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"123456789012","eventCategory":"Management","tlsDetails":{"tlsVersion":"TLSv1.3","cipherSuite":"TLS_AES_128_GCM_SHA256","clientProvidedHostHeader":"iam.amazonaws.com"}}`,
		[]string{"@timestamp=2024-03-01T10:11:12Z", "event.action=CreateUser", "event.provider=iam.amazonaws.com",
			"event.outcome=success", "event.kind=event", "event.dataset=aws.cloudtrail", "cloud.provider=aws",
			"cloud.region=us-east-1", "cloud.account.id=123456789012", "source.ip=198.51.100.7",
			"source.address=198.51.100.7", "user_agent.original=aws-cli/2.15", "user.name=alice", "user.id=AIDAEXAMPLE",
			"related.user=alice",
			"aws.cloudtrail.user_identity.type=IAMUser", "aws.cloudtrail.user_identity.arn=arn:aws:iam::123456789012:user/alice",
			"aws.cloudtrail.user_identity.access_key_id=AKIAEXAMPLE", "aws.cloudtrail.event_version=1.08",
			"aws.cloudtrail.request_id=r-1", "aws.cloudtrail.event_id=e-1", "aws.cloudtrail.read_only=false",
			"aws.cloudtrail.management_event=true", "aws.cloudtrail.event_type=AwsApiCall",
			"aws.cloudtrail.recipient_account_id=123456789012", "aws.cloudtrail.event_category=Management",
			`aws.cloudtrail.request_parameters={"userName":"bob","tags":[]}`,
			"aws.cloudtrail.flattened.request_parameters.userName=bob",
			"aws.cloudtrail.flattened.response_elements.user.userId=AIDABOB",
			"tls.version_protocol=tls", "tls.version=1.3", "tls.cipher=TLS_AES_128_GCM_SHA256",
			"tls.client.server_name=iam.amazonaws.com"},
		"event.id", "aws.cloudtrail.flattened.request_parameters.tags", "aws.cloudtrail.error_code")
	f("error means failure", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied","errorMessage":"Access Denied","sourceIPAddress":"s3.amazonaws.com"}`,
		[]string{"event.outcome=failure", "aws.cloudtrail.error_code=AccessDenied", "aws.cloudtrail.error_message=Access Denied",
			"source.address=s3.amazonaws.com"}, "source.ip")
	f("console login failure", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"ConsoleLogin","eventSource":"signin.amazonaws.com","responseElements":{"ConsoleLogin":"Failure"},"additionalEventData":{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com"}}`,
		[]string{"event.outcome=failure", "aws.cloudtrail.flattened.additional_eventdata.MFAUsed=No",
			`aws.cloudtrail.additional_eventdata={"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com"}`})
	f("assumed role takes the issuer's name", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"ListBuckets","userIdentity":{"type":"AssumedRole","principalId":"AROAX:sess","accountId":"111122223333","sessionContext":{"sessionIssuer":{"type":"Role","principalId":"AROAX","arn":"arn:aws:iam::111122223333:role/Admin","accountId":"111122223333","userName":"Admin"},"webIdFederationData":{},"attributes":{"creationDate":"2024-03-01T09:00:00Z","mfaAuthenticated":"false"}}}}`,
		[]string{"user.name=Admin", "user.id=AROAX:sess", "cloud.account.id=111122223333",
			"aws.cloudtrail.user_identity.session_context.session_issuer.type=Role",
			"aws.cloudtrail.user_identity.session_context.session_issuer.arn=arn:aws:iam::111122223333:role/Admin",
			"aws.cloudtrail.user_identity.session_context.session_issuer.account_id=111122223333",
			"aws.cloudtrail.user_identity.session_context.mfa_authenticated=false",
			"aws.cloudtrail.user_identity.session_context.creation_date=2024-03-01T09:00:00Z"})
	f("root without an alias is root", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"CreateAccessKey","userIdentity":{"type":"Root","principalId":"111122223333","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}}`,
		[]string{"user.name=root", "related.user=root", "aws.cloudtrail.user_identity.type=Root"})
	f("root with an alias is the alias", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"ConsoleLogin","userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","userName":"example-prod"}}`,
		[]string{"user.name=example-prod"})
	f("assumed role without session context: the ARN's role, its session related", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"GetObject","userIdentity":{"type":"AssumedRole","principalId":"AROAX:jdoe@example.com","arn":"arn:aws:sts::111122223333:assumed-role/SSOAdmin/jdoe@example.com"}}`,
		[]string{"user.name=SSOAdmin", "related.user=SSOAdmin, jdoe@example.com",
			"aws.cloudtrail.user_identity.arn=arn:aws:sts::111122223333:assumed-role/SSOAdmin/jdoe@example.com"})
	f("federated user is the federated name, not its issuer", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"ListBuckets","userIdentity":{"type":"FederatedUser","principalId":"111122223333:Bob","arn":"arn:aws:sts::111122223333:federated-user/Bob","sessionContext":{"sessionIssuer":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/broker","userName":"broker"}}}}`,
		[]string{"user.name=Bob", "related.user=Bob"})
	f("IAM user without userName: the ARN's last segment", `{"eventTime":"2024-03-01T10:11:12Z","eventName":"RunInstances","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/division/team/Carol"}}`,
		[]string{"user.name=Carol"})
	f("service event without identity account", `{"eventTime":"2024-03-01T10:11:12Z","eventSource":"kms.amazonaws.com","eventName":"RotateKey","userIdentity":{"type":"AWSService","invokedBy":"kms.amazonaws.com"},"recipientAccountId":"444455556666","resources":[{"ARN":"arn:aws:kms:us-east-1:444455556666:key/k1","accountId":"444455556666","type":"AWS::KMS::Key"},{"ARN":"arn:aws:kms:us-east-1:444455556666:key/k2"}]}`,
		[]string{"cloud.account.id=444455556666", "aws.cloudtrail.user_identity.invoked_by=kms.amazonaws.com",
			"aws.cloudtrail.resources.arn=arn:aws:kms:us-east-1:444455556666:key/k1, arn:aws:kms:us-east-1:444455556666:key/k2",
			"aws.cloudtrail.resources.type=AWS::KMS::Key", "aws.cloudtrail.resources.account_id=444455556666"},
		"user.name")
	f("big request parameters stay text", `{"eventName":"PutBucketPolicy","requestParameters":{"bucketPolicy":"`+strings.Repeat("p", MaxFlattenBytes)+`"}}`,
		[]string{"event.action=PutBucketPolicy"}, "aws.cloudtrail.flattened.request_parameters.bucketPolicy")
	f("unparsable time is kept", `{"eventName":"X","eventTime":"yesterday"}`,
		[]string{"aws.cloudtrail.event_time=yesterday"}, "@timestamp")
	f("odd types are text", `{"eventName":5,"eventSource":{"a":1},"sourceIPAddress":"2001:db8::1"}`,
		[]string{"event.action=5", `event.provider={"a":1}`, "source.ip=2001:db8::1"})
	f("logstash extras", `{"eventName":"X","@version":"1","@timestamp":"2020-09-14T00:44:23.000Z"}`,
		[]string{"aws.cloudtrail.version=1", "@timestamp=2020-09-14T00:44:23Z"}, "aws.cloudtrail.timestamp")
	f("eventTime wins over an export's @timestamp", `{"eventName":"X","eventTime":"2024-01-01T00:00:00Z","@timestamp":"2020-09-14T00:44:23.000Z"}`,
		[]string{"@timestamp=2024-01-01T00:00:00Z"}, "aws.cloudtrail.timestamp")
	f("nulls are absent", `{"eventName":"X","errorCode":null,"responseElements":null,"userIdentity":null}`,
		[]string{"event.outcome=success"}, "aws.cloudtrail.response_elements", "aws.cloudtrail.error_code")
}

func TestCloudTrailErrors(t *testing.T) {
	f := func(rec string, want string) {
		t.Helper()
		var e event.Event
		err := CloudTrail([]byte(rec), &e)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CloudTrail(%q) = %v, want an error containing %q", rec, err, want)
		}
		if len(e.Fields) != 0 || !e.Timestamp.IsZero() {
			t.Errorf("CloudTrail(%q) changed the event on error", rec)
		}
	}
	f(`{"a":1}`, "not a CloudTrail record")
	f(`{}`, "not a CloudTrail record")
	f(`null`, "null")
	f(`[1]`, "decode cloudtrail record")
	f(`{"eventName":`, "decode cloudtrail record")
	f(`42`, "decode cloudtrail record")
	if err := CloudTrail([]byte(`{"x":1}`), &event.Event{}); !errors.Is(err, ErrNotCloudTrail) {
		t.Errorf("error %v does not wrap ErrNotCloudTrail", err)
	}
}

func TestSnake(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := snake(in); got != want {
			t.Errorf("snake(%q) = %q, want %q", in, got, want)
		}
	}
	f("eventID", "event_id")
	f("sourceIPAddress", "source_ip_address")
	f("recipientAccountId", "recipient_account_id")
	f("vpcEndpointId", "vpc_endpoint_id")
	f("sharedEventID", "shared_event_id")
	f("MFAUsed", "mfa_used")
	f("awsRegion", "aws_region")
	f("@version", "version")
	f("a.b c", "a_b_c")
	f("", "_")
	f("already_snake", "already_snake")
}

// TestCloudTrailOTRF maps every record of the OTRF CloudTrail set and
// checks what every CloudTrail record must give.
func TestCloudTrailOTRF(t *testing.T) {
	lines := otrfCloudTrailLines(t)
	actions := map[string]int{}
	for i, l := range lines {
		var e event.Event
		if err := CloudTrail(l, &e); err != nil {
			t.Fatalf("record %d: %v", i+1, err)
		}
		got := fields(&e)
		for _, k := range []string{"@timestamp", "event.action", "event.provider", "cloud.region", "event.outcome", "cloud.account.id", "aws.cloudtrail.event_id"} {
			if got[k] == "" {
				t.Fatalf("record %d lacks %s: %v", i+1, k, got)
			}
		}
		if !strings.HasSuffix(got["event.provider"], ".amazonaws.com") {
			t.Fatalf("record %d: event.provider %q", i+1, got["event.provider"])
		}
		actions[got["event.action"]]++
	}
	// The set is an S3 exfiltration: the attacker lists and reads the bucket.
	for _, a := range []string{"ListBuckets", "GetObject"} {
		if actions[a] == 0 {
			t.Errorf("no %s event among %v", a, actions)
		}
	}
}
