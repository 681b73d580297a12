package sigma

import (
	"slices"
	"testing"
)

func TestSnakePath(t *testing.T) {
	for in, want := range map[string]string{
		"displayMessage": "display_message", "debugContext.debugData.requestUri": "debug_context.debug_data.request_uri",
		"MFAUsed": "mfa_used", "ResultType": "result_type", "DeviceDetail.trusttype": "device_detail.trusttype",
		"userIdentity.sessionContext.sessionIssuer.type": "user_identity.session_context.session_issuer.type",
		"already_snake": "already_snake", "a0": "a0", "isProxy": "is_proxy",
	} {
		if got := snakePath(in); got != want {
			t.Errorf("snakePath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestProductFieldNames(t *testing.T) {
	f := func(ls Logsource, name string, want ...string) {
		t.Helper()
		if got := ecsFieldNames(ls, name); !slices.Equal(got, want) {
			t.Errorf("%v %s: %v, want %v", ls, name, got, want)
		}
	}
	zeekDNS := Logsource{Product: "zeek", Service: "dns"}
	f(zeekDNS, "query", "dns.question.name", "zeek.dns.query", "query")
	f(zeekDNS, "id.resp_p", "destination.port", "zeek.dns.id.resp_p", "id.resp_p")
	f(zeekDNS, "rejected", "zeek.dns.rejected", "rejected")
	aws := Logsource{Product: "aws", Service: "cloudtrail"}
	f(aws, "eventName", "event.action", "aws.cloudtrail.event_name", "eventName")
	f(aws, "requestParameters.enable", "aws.cloudtrail.flattened.request_parameters.enable", "requestParameters.enable")
	f(aws, "responseElements", "aws.cloudtrail.response_elements", "responseElements")
	f(aws, "userIdentity.type", "aws.cloudtrail.user_identity.type", "userIdentity.type")
	f(Logsource{Product: "azure", Service: "auditlogs"}, "properties.message", "azure.auditlogs.properties.message", "properties.message")
	f(Logsource{Product: "azure", Service: "signinlogs"}, "ResultType", "azure.signinlogs.result_type", "ResultType")
	f(Logsource{Product: "okta", Service: "okta"}, "securityContext.isProxy", "okta.security_context.is_proxy", "securityContext.isProxy")
	f(Logsource{Product: "m365", Service: "audit"}, "Operation", "event.action", "o365.audit.Operation", "Operation")
	f(Logsource{Product: "linux", Service: "auditd"}, "a0", "auditd.log.a0", "a0")
	f(Logsource{Product: "gcp", Service: "gcp.audit"}, "data.protoPayload.authorizationInfo.granted",
		"gcp.audit.authorization_info.granted", "data.protoPayload.authorizationInfo.granted")
	f(Logsource{Category: "antivirus"}, "Signature", "threat.indicator.name", "rule.name", "threat.software.name", "Signature")

	for _, c := range []struct {
		ls     Logsource
		name   string
		mapped bool
	}{
		{zeekDNS, "query", true}, {Logsource{Product: "cisco", Service: "aaa"}, "cmd", false},
		{Logsource{Product: "gcp"}, "gcp.audit.method_name", true}, {Logsource{Category: "proxy"}, "", true},
		{Logsource{Category: "process_creation", Product: "linux"}, "CommandLine", true},
	} {
		if got := IsMapped(c.ls, c.name); got != c.mapped {
			t.Errorf("IsMapped(%v, %q) = %v, want %v", c.ls, c.name, got, c.mapped)
		}
	}
}
