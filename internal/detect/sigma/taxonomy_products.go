package sigma

import "strings"

// Field names of the non-Windows products: what a SigmaHQ rule calls a
// field, and the ECS name a pipeline or normaliser gives it. The names
// follow Elastic's integrations, which Vigil's normalisers and pipelines
// follow too: ECS where ECS has the field, else the product's own
// namespace (zeek.<log>.*, aws.cloudtrail.*, azure.<log>.*, o365.audit.*,
// okta.*, auditd.log.*, suricata.eve.*, gcp.audit.*, kubernetes.audit.*,
// github.*, atlassian.audit.*, fortinet.firewall.*, duo.*, opencanary.*,
// onelogin.*).
// The rule's own name always stays the last candidate, so raw records
// (CloudTrail JSON sent as is) still match.
//
// productFields gives explicit names per product and, for "product/service",
// per service; productNamespace derives the namespaced name of every other
// field. ecsFieldNames (taxonomy.go) puts them together.

// productFields maps rule field names to their candidates, per product
// ("zeek") or product and service ("zeek/dns").
var productFields = map[string]map[string][]string{
	"zeek": {
		"id.orig_h": {"source.ip"}, "id.orig_p": {"source.port"},
		"id.resp_h": {"destination.ip"}, "id.resp_p": {"destination.port"},
		"uid": {"zeek.session_id"}, "proto": {"network.transport"},
	},
	"zeek/dns": {
		"query": {"dns.question.name"}, "qtype_name": {"dns.question.type"}, "qclass_name": {"dns.question.class"},
		"rcode_name": {"dns.response_code"}, "answers": {"dns.answers.data"}, "TTLs": {"dns.answers.ttl"},
		"trans_id": {"dns.id"},
	},
	"zeek/http": {
		"uri": {"url.original"}, "c-uri": {"url.original"}, "method": {"http.request.method"},
		"user_agent": {"user_agent.original"}, "c-useragent": {"user_agent.original"}, "host": {"url.domain"},
		"status_code": {"http.response.status_code"}, "referrer": {"http.request.referrer"},
		"request_body_len": {"http.request.body.bytes"}, "response_body_len": {"http.response.body.bytes"},
		"version": {"http.version"},
	},
	"zeek/smb_files": {"name": {"file.name"}},
	"zeek/x509":      {"certificate.serial": {"x509.serial_number"}},
	"zeek/kerberos":  {"client": {"user.name"}},
	"suricata": {
		"src_ip": {"source.ip"}, "src_port": {"source.port"}, "dest_ip": {"destination.ip"}, "dest_port": {"destination.port"},
		"proto": {"network.transport"}, "app_proto": {"network.protocol"},
		"alert.signature": {"rule.name"}, "alert.signature_id": {"rule.id"}, "alert.category": {"rule.category"},
		"alert.action": {"event.action"}, "http.hostname": {"url.domain"}, "http.url": {"url.original"},
		"http.http_user_agent": {"user_agent.original"}, "http.http_method": {"http.request.method"},
		"http.status": {"http.response.status_code"}, "dns.rrname": {"dns.question.name"},
		"tls.sni": {"tls.client.server_name"},
	},
	"linux/auditd": {
		"type": {"auditd.log.record_type"}, "exe": {"process.executable"}, "comm": {"process.name"},
		"pid": {"process.pid"}, "ppid": {"process.parent.pid"}, "cwd": {"process.working_directory"},
		"proctitle": {"process.title"}, "uid": {"user.id"}, "auid": {"user.audit.id"}, "euid": {"user.effective.id"},
		"gid": {"user.group.id"}, "egid": {"user.effective.group.id"}, "name": {"file.path"},
		"SYSCALL": {"auditd.log.syscall"}, "syscall": {"auditd.log.syscall"}, "addr": {"source.address"},
		"hostname": {"source.domain"}, "acct": {"user.name"},
	},
	"aws": {
		"eventName": {"event.action"}, "eventSource": {"event.provider"}, "sourceIPAddress": {"source.address"},
		"userAgent": {"user_agent.original"}, "awsRegion": {"cloud.region"},
		"recipientAccountId": {"cloud.account.id", "aws.cloudtrail.recipient_account_id"},
	},
	"azure": {
		"operationName": {"event.action"}, "OperationName": {"event.action"}, "OperationNameValue": {"event.action"},
		"userAgent": {"user_agent.original"}, "Username": {"user.name"}, "UserPrincipalName": {"user.name"},
		"IPAddress": {"source.ip"}, "ResourceId": {"azure.resource.id"}, "ResourceProviderValue": {"azure.resource.provider"},
		"ClientApp": {"azure.signinlogs.properties.client_app_used"},
	},
	"gcp": {
		"data.protoPayload.methodName":          {"event.action", "gcp.audit.method_name"},
		"data.protoPayload.serviceName":         {"event.provider", "gcp.audit.service_name"},
		"data.protoPayload.logName":             {"log.logger"},
		"protoPayload.serviceName":              {"event.provider", "gcp.audit.service_name"},
		"protoPayload.Servicename":              {"event.provider", "gcp.audit.service_name"},
		"protoPayload.metadata.event.eventName": {"event.action"},
		"eventName":                             {"event.action"},
		"eventService":                          {"event.provider"},
	},
	"gcp/google_workspace.admin": {
		"setting_name": {"google_workspace.admin.setting.name"},
		"new_value":    {"google_workspace.admin.new_value"},
	},
	"m365": {
		"Operation": {"event.action"}, "eventName": {"event.action"}, "eventSource": {"event.provider"},
		"UserId": {"user.id"}, "ClientIP": {"client.address", "source.ip"},
	},
	"kubernetes": {
		"verb": {"event.action"}, "requestURI": {"url.original"}, "userAgent": {"user_agent.original"},
		"user.username": {"user.name"}, "user.uid": {"user.id"}, "sourceIPs": {"related.ip"},
		"objectRef.resource": {"orchestrator.resource.type"}, "objectRef.namespace": {"orchestrator.namespace"},
		"objectRef.name": {"orchestrator.resource.name"}, "objectRef.apiVersion": {"orchestrator.api_version"},
		"responseStatus.code": {"http.response.status_code"},
		// SigmaHQ's rules write objectRef.apiGroup as apiGroup too.
		"apiGroup": {"kubernetes.audit.object_ref.api_group"},
	},
	"github": {
		"action": {"event.action"}, "actor": {"user.name"}, "actor_id": {"user.id"}, "actor_ip": {"source.ip"},
		"user": {"user.target.name"}, "org": {"organization.name"}, "user_agent": {"user_agent.original"},
	},
	"bitbucket": {
		// The audit log file's auditType is the REST API's type.
		"auditType.action": {"event.action"}, "auditType.category": {"atlassian.audit.category"},
		"auditType.area": {"atlassian.audit.area"}, "auditType.level": {"atlassian.audit.level"},
		"author.name": {"user.name"}, "author.id": {"user.id"}, "source": {"atlassian.audit.source"},
	},
	"fortigate": {
		"action": {"event.action"}, "srcip": {"source.ip"}, "dstip": {"destination.ip"}, "srcport": {"source.port"},
		"dstport": {"destination.port"}, "user": {"user.name"}, "devname": {"observer.name"}, "logid": {"event.code"},
		"msg": {"message"}, "level": {"log.level"}, "policyid": {"rule.id"},
	},
	"opencanary": {
		// logtype stays a number, as OpenCanary writes it.
		"logtype": {"opencanary.logtype"}, "src_host": {"source.ip"}, "src_port": {"source.port"},
		"dst_host": {"destination.ip"}, "dst_port": {"destination.port"}, "node_id": {"observer.name"},
	},
	"onelogin": {
		// event_type_id stays a number, as OneLogin writes it.
		"event_type_id": {"onelogin.event_type_id"}, "ipaddr": {"source.ip"},
		"actor_user_name": {"user.name"}, "user_name": {"user.target.name", "user.name"},
	},
	"cisco/duo": {
		"event_type": {"duo.auth.event_type", "event.action"}, "reason": {"event.reason"},
		"result": {"duo.auth.result"}, "factor": {"duo.auth.factor"}, "email": {"user.email"},
	},
	"okta": {
		"eventType": {"event.action"}, "eventtype": {"event.action"},
		"actor.alternateId": {"user.name", "okta.actor.alternate_id"},
		"client.ipAddress":  {"source.ip", "okta.client.ip"},
	},
}

// productNamespace returns the namespaced field a product's pipeline keeps
// a rule field under when ECS has no field for it, or "".
func productNamespace(ls Logsource, name string) string {
	switch ls.Product {
	case "zeek":
		if ls.Service != "" {
			return "zeek." + ls.Service + "." + name
		}
	case "suricata":
		return "suricata.eve." + name
	case "linux":
		if ls.Service == "auditd" {
			return "auditd.log." + name
		}
	case "aws":
		return awsNamespace(name)
	case "azure":
		if ls.Service != "" {
			if rest, ok := strings.CutPrefix(name, "properties."); ok {
				return "azure." + ls.Service + ".properties." + snakePath(rest)
			}
			return "azure." + ls.Service + "." + snakePath(name)
		}
	case "gcp":
		if rest, ok := strings.CutPrefix(name, "data.protoPayload."); ok {
			return "gcp.audit." + snakePath(rest)
		}
		if rest, ok := strings.CutPrefix(name, "protoPayload."); ok {
			return "gcp.audit." + snakePath(rest)
		}
		if strings.HasPrefix(ls.Service, "google_workspace.") {
			return ls.Service + "." + name
		}
	case "m365":
		return "o365.audit." + name
	case "okta":
		return "okta." + snakePath(name)
	case "kubernetes":
		return "kubernetes.audit." + snakePath(name)
	case "github":
		return "github." + name
	case "bitbucket":
		return "atlassian.audit." + snakePath(name)
	case "fortigate":
		return "fortinet.firewall." + name
	case "opencanary":
		return "opencanary." + name
	case "onelogin":
		return "onelogin." + name
	case "cisco":
		if ls.Service == "duo" {
			return "duo.auth." + name
		}
	}
	return ""
}

// awsNamespace gives CloudTrail's fields the names the CloudTrail
// normaliser (package awslog) and Elastic use: requestParameters and its
// kind as text under aws.cloudtrail.request_parameters and their leaves
// under aws.cloudtrail.flattened.request_parameters.<key path>; other
// members in snake case under aws.cloudtrail (userIdentity.arn →
// aws.cloudtrail.user_identity.arn).
func awsNamespace(name string) string {
	head, rest, nested := strings.Cut(name, ".")
	if elastic, ok := awsNested[head]; ok {
		if nested {
			return "aws.cloudtrail.flattened." + elastic + "." + rest
		}
		return "aws.cloudtrail." + elastic
	}
	return "aws.cloudtrail." + snakePath(name)
}

// awsNested are CloudTrail's nested members and Elastic's names for them.
var awsNested = map[string]string{"requestParameters": "request_parameters",
	"responseElements": "response_elements", "additionalEventData": "additional_eventdata",
	"serviceEventDetails": "service_event_details"}

// snakePath converts each dotted part of a camelCase or PascalCase name to
// snake case: debugContext.debugData.requestUri →
// debug_context.debug_data.request_uri, MFAUsed → mfa_used.
func snakePath(name string) string {
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'A' && c <= 'Z' {
			if i > 0 && name[i-1] != '.' && name[i-1] != '_' {
				prev := name[i-1]
				lowerPrev := prev >= 'a' && prev <= 'z' || prev >= '0' && prev <= '9'
				nextLower := i+1 < len(name) && name[i+1] >= 'a' && name[i+1] <= 'z'
				if lowerPrev || (prev >= 'A' && prev <= 'Z' && nextLower) {
					b.WriteByte('_')
				}
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}

// isECSName reports whether a rule field is already written the way ECS
// and the products' namespaces write fields (lower case, dotted, as
// gcp.audit.method_name): it needs no mapping.
func isECSName(name string) bool {
	if strings.IndexByte(name, '.') < 0 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '@') {
			return false
		}
	}
	return true
}
