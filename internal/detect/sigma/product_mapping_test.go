package sigma_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/source/objstore/awslog"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// ecsEvent builds an event from flat ECS fields: strings, ints, and
// []string for lists (event.category).
func ecsEvent(fields map[string]any) *event.Event {
	e := &event.Event{}
	for k, v := range fields {
		switch v := v.(type) {
		case string:
			e.Set(k, event.String(v))
		case int:
			e.Set(k, event.Int(int64(v)))
		case []string:
			e.Set(k, event.List(v))
		}
	}
	return e
}

// TestProductMappings holds each product's Sigma field mapping to one
// event known to be true: a real SigmaHQ rule fires on the event as a
// normaliser or pipeline writes it (ECS and Elastic's product namespaces,
// no raw vendor field names), and does not fire when the one value the
// rule is about changes.
func TestProductMappings(t *testing.T) {
	rules := testutil.SharedData(t, "sigma/rules")
	cloudTrail := func(rec string) map[string]any {
		e := &event.Event{}
		if err := awslog.CloudTrail([]byte(rec), e); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for _, f := range e.Fields {
			switch f.Value.Kind() {
			case event.KindList:
				m[f.Name] = f.Value.List()
			default:
				m[f.Name] = f.Value.Text()
			}
		}
		return m
	}
	with := func(m map[string]any, k string, v any) map[string]any {
		c := map[string]any{}
		for a, b := range m {
			c[a] = b
		}
		c[k] = v
		return c
	}
	cases := []struct {
		product, rule string
		event         map[string]any
		// change is the field and value that make the event false.
		change string
		to     any
	}{
		{"zeek/dns", "network/zeek/zeek_dns_torproxy.yml",
			map[string]any{"event.module": "zeek", "event.dataset": "zeek.dns", "dns.question.name": "abcdef.onion",
				"source.ip": "10.0.0.5", "destination.ip": "10.0.0.53"},
			"dns.question.name", "example.org"},
		{"zeek/http", "network/zeek/zeek_http_webdav_put_request.yml",
			map[string]any{"event.module": "zeek", "event.dataset": "zeek.http", "http.request.method": "PUT",
				"user_agent.original": "Microsoft-WebDAV-MiniRedir/10.0.19041", "destination.ip": "203.0.113.9",
				"url.original": "/share/x.exe"},
			"destination.ip", "10.1.2.3"},
		{"zeek/smb_files", "network/zeek/zeek_smb_converted_win_susp_psexec.yml",
			map[string]any{"event.module": "zeek", "event.dataset": "zeek.smb_files", "zeek.smb_files.path": `\\10.0.0.9\IPC$`,
				"file.name": "RemCom_stdin-WS01-1234-stdin"},
			"file.name", "srvsvc"},
		{"linux/auditd", "linux/auditd/lnx_auditd_audio_capture.yml",
			map[string]any{"event.module": "auditd", "auditd.log.record_type": "EXECVE", "auditd.log.a0": "arecord",
				"auditd.log.a1": "-vv", "auditd.log.a2": "-fdat", "host.name": "lnx1"},
			"auditd.log.a0", "ls"},
		{"aws", "cloud/aws/cloudtrail/aws_cloudtrail_console_login_success_without_mfa.yml",
			cloudTrail(`{"eventVersion":"1.08","eventTime":"2024-03-01T10:11:12Z","eventSource":"signin.amazonaws.com","eventName":"ConsoleLogin","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","responseElements":{"ConsoleLogin":"Success"},"additionalEventData":{"MFAUsed":"No","LoginTo":"https://console.aws.amazon.com"},"userIdentity":{"type":"IAMUser","userName":"alice","accountId":"123456789012"}}`),
			"aws.cloudtrail.flattened.additional_eventdata.MFAUsed", "Yes"},
		{"azure/signinlogs", "cloud/azure/signin_logs/azure_account_lockout.yml",
			map[string]any{"event.module": "azure", "event.dataset": "azure.signinlogs", "azure.signinlogs.result_type": "50053",
				"user.name": "alice@example.com", "source.ip": "198.51.100.7"},
			"azure.signinlogs.result_type", "0"},
		{"gcp/gcp.audit", "cloud/gcp/audit/gcp_bucket_enumeration.yml",
			map[string]any{"event.module": "gcp", "event.dataset": "gcp.audit", "gcp.audit.method_name": "storage.buckets.list",
				"event.action": "storage.buckets.list"},
			"gcp.audit.method_name", "storage.objects.get"},
		{"m365/audit", "cloud/m365/audit/microsoft365_disabling_mfa.yml",
			map[string]any{"event.module": "o365", "event.dataset": "o365.audit", "event.action": "Disable Strong Authentication.",
				"o365.audit.Workload": "AzureActiveDirectory", "user.id": "admin@example.com"},
			"event.action", "UserLoggedIn"},
		{"okta", "identity/okta/okta_user_created.yml",
			map[string]any{"event.module": "okta", "event.dataset": "okta.system", "event.action": "user.lifecycle.create",
				"okta.actor.alternate_id": "admin@example.com"},
			"event.action", "user.session.start"},
		{"proxy", "web/proxy_generic/proxy_download_susp_dyndns.yml",
			map[string]any{"event.category": []string{"web"}, "url.extension": "exe", "url.domain": "files.hopto.org",
				"url.original": "http://files.hopto.org/a.exe", "source.ip": "10.0.0.7"},
			"url.domain", "example.org"},
		{"webserver", "web/webserver_generic/web_java_payload_in_access_logs.yml",
			map[string]any{"event.category": []string{"web"}, "http.request.method": "GET",
				"url.original": "/index.action?x=${(#a=@java.lang.Runtime@getRuntime().exec('id'))}", "http.response.status_code": 200},
			"url.original", "/index.html"},
		{"firewall", "network/firewall/net_firewall_cleartext_protocols.yml",
			map[string]any{"event.category": []string{"network"}, "destination.port": 23, "event.action": "accept",
				"source.ip": "10.0.0.7", "destination.ip": "10.0.0.8"},
			"destination.port", 443},
		{"antivirus", "category/antivirus/av_hacktool.yml",
			map[string]any{"event.category": []string{"malware"}, "rule.name": "HackTool:Win64/Mikatz!dha",
				"file.path": `C:\Users\a\mimikatz.exe`, "host.name": "ws1"},
			"rule.name", "EICAR-Test-File"},
	}
	for _, c := range cases {
		t.Run(c.product, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(rules, c.rule))
			if err != nil {
				t.Fatal(err)
			}
			r, err := sigma.ParseRule(b)
			if err != nil {
				t.Fatal(err)
			}
			comp := sigma.NewCompiler(sigma.Config{})
			cr, err := comp.Compile(r)
			if err != nil {
				t.Fatal(err)
			}
			rs := comp.NewRuleSet([]*sigma.Compiled{cr})
			if got := rs.Match(ecsEvent(c.event), nil); len(got) != 1 {
				t.Errorf("%s did not fire on %v", r.Title, c.event)
			}
			if got := rs.Match(ecsEvent(with(c.event, c.change, c.to)), nil); len(got) != 0 {
				t.Errorf("%s fired with %s = %v", r.Title, c.change, c.to)
			}
		})
	}
}
