package windows

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
	"github.com/vigilsiem/vigil/internal/parse/auto"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// msg4625 is event 4625 as Windows renders it (the template on
// learn.microsoft.com's 4625 page, with values of our own).
const msg4625 = "An account failed to log on.\n\nSubject:\n\tSecurity ID:\t\tS-1-5-18\n\tAccount Name:\t\tDC01$\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x3E7\n\n" +
	"Logon Type:\t\t\t3\n\nAccount For Which Logon Failed:\n\tSecurity ID:\t\tS-1-0-0\n\tAccount Name:\t\talice\n\tAccount Domain:\t\tCORP\n\n" +
	"Failure Information:\n\tFailure Reason:\t\tAccount currently disabled.\n\tStatus:\t\t\t0xC000006E\n\tSub Status:\t\t0xC0000072\n\n" +
	"Process Information:\n\tCaller Process ID:\t0x2d4\n\tCaller Process Name:\tC:\\Windows\\System32\\svchost.exe\n\n" +
	"Network Information:\n\tWorkstation Name:\tWS01\n\tSource Network Address:\t10.1.2.3\n\tSource Port:\t\t51234\n\n" +
	"Detailed Authentication Information:\n\tLogon Process:\t\tNtLmSsp \n\tAuthentication Package:\tNTLM\n\tTransited Services:\t-\n\tPackage Name (NTLM only):\t-\n\tKey Length:\t\t0\n\n" +
	"This event is generated when a logon request fails. It is generated on the computer where access was attempted."

// flat renders a message as Snare and most syslog senders do: line breaks
// and tabs become spaces.
func flat(s string) string { return strings.NewReplacer("\n", "  ", "\t", " ").Replace(s) }

// json4625 is the same event as Winlogbeat ships it.
const json4625 = `{"winlog":{"channel":"Security","computer_name":"DC01.corp.local","event_id":"4625","provider_name":"Microsoft-Windows-Security-Auditing",
	"keywords":["Audit Failure"],"event_data":{"SubjectUserSid":"S-1-5-18","SubjectUserName":"DC01$","SubjectDomainName":"CORP","SubjectLogonId":"0x3e7",
	"TargetUserSid":"S-1-0-0","TargetUserName":"alice","TargetDomainName":"CORP","Status":"0xC000006E","FailureReason":"%%2310","SubStatus":"0xC0000072",
	"LogonType":"3","LogonProcessName":"NtLmSsp ","AuthenticationPackageName":"NTLM","WorkstationName":"WS01","TransitedServices":"-","LmPackageName":"-",
	"KeyLength":"0","ProcessId":"0x2d4","ProcessName":"C:\\Windows\\System32\\svchost.exe","IpAddress":"10.1.2.3","IpPort":"51234"}}}`

// snare4625 is the event in Snare's format after a syslog header.
func snare4625(sep string) string {
	return "<13>May 10 11:37:47 DC01 " + strings.Join([]string{"MSWinEventLog", "1", "Security", "4211", "Fri May 10 11:37:47 2024", "4625",
		"Microsoft-Windows-Security-Auditing", "N/A", "N/A", "Failure Audit", "DC01.corp.local", "Logon", "", flat(msg4625), "3876"}, sep)
}

// syslogParse parses a record as a syslog listener does.
func syslogParse(t testing.TB, record string) *event.Event {
	t.Helper()
	e := &event.Event{Tenant: "t", Source: "s", Original: record, Timestamp: time.Unix(0, 0).UTC()}
	if err := auto.New(auto.Options{}).Parse([]byte(record), e); err != nil {
		t.Fatal(err)
	}
	return e
}

// coreFields are the fields the text and JSON forms must agree on.
var coreFields = []string{"source.ip", "source.port", "source.domain", "user.name", "user.domain", "user.target.name",
	"event.code", "event.outcome", "event.action", "event.category", "event.type", "host.name", "process.name", "process.executable", "process.command_line", "process.pid", "process.parent.executable",
	"winlog.event_id", "winlog.channel", "winlog.provider_name", "winlog.computer_name", "winlog.keywords"}

func TestWindowsTextMatchesJSON(t *testing.T) {
	w := New()
	want := winParse(t, json4625)
	if !w.Normalize(want) {
		t.Fatal("json not recognised")
	}
	wantF := normtest.Fields(want)
	records := map[string]string{
		"snare tab":     snare4625("\t"),
		"snare #011":    snare4625("#011"),
		"snare no head": strings.TrimPrefix(snare4625("\t"), "<13>May 10 11:37:47 DC01 "),
		"snare host":    "DC01\t" + strings.TrimPrefix(snare4625("\t"), "<13>May 10 11:37:47 DC01 "),
		"snare 2 hosts": strings.Replace(snare4625("\t"), "DC01 ", "DC01 DC01 ", 1),
		"syslog id":     "<134>May 10 11:37:47 DC01.corp.local Microsoft-Windows-Security-Auditing[724]: 4625: " + flat(msg4625),
		"syslog text":   "<134>May 10 11:37:47 DC01.corp.local Microsoft-Windows-Security-Auditing[724]: " + flat(msg4625),
		"rfc5424":       "<134>1 2024-05-10T11:37:47Z DC01.corp.local Microsoft-Windows-Security-Auditing 724 - - 4625: " + flat(msg4625),
		"multi-line":    "<134>May 10 11:37:47 DC01.corp.local Security-Auditing: 4625: " + msg4625,
	}
	rule := compileRule(t, "windows/builtin/security/win_security_susp_failed_logon_reasons.yml")
	for name, rec := range records {
		t.Run(name, func(t *testing.T) {
			e := syslogParse(t, rec)
			if !w.Normalize(e) {
				t.Fatalf("not recognised: %v", normtest.Fields(e))
			}
			got := normtest.Fields(e)
			for _, k := range coreFields {
				if got[k] != wantF[k] {
					t.Errorf("%s = %q, json gives %q", k, got[k], wantF[k])
				}
			}
			for k, v := range wantF {
				if strings.HasPrefix(k, "winlog.event_data.") && k != "winlog.event_data.FailureReason" &&
					k != "winlog.event_data.LogonProcessName" && !strings.EqualFold(got[k], v) {
					t.Errorf("%s = %q, json gives %q", k, got[k], v)
				}
			}
			if got["winlog.event_data.FailureReason"] != "string:Account currently disabled." {
				t.Errorf("FailureReason = %q", got["winlog.event_data.FailureReason"])
			}
			// process.name named the provider (the syslog program): it
			// now names the caller process, as for the JSON form.
			if got["process.name"] != "string:svchost.exe" {
				t.Errorf("process.name = %q", got["process.name"])
			}
			if len(rule.Match(e, nil)) != 1 {
				t.Errorf("rule did not fire on %v", got)
			}
		})
	}
	if len(rule.Match(want, nil)) != 1 {
		t.Error("rule did not fire on the JSON form")
	}
	// The rule is about SubStatus: it must not fire on another one.
	e := syslogParse(t, strings.Replace(snare4625("\t"), "0xC0000072", "0xC000006A", 1))
	w.Normalize(e)
	if len(rule.Match(e, nil)) != 0 {
		t.Error("rule fired on SubStatus 0xC000006A")
	}
}

func compileRule(t *testing.T, path string) *sigma.RuleSet {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.SharedData(t, "sigma/rules"), path))
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
	return comp.NewRuleSet([]*sigma.Compiled{cr})
}

// Messages of other events, as Windows renders them (the templates on
// learn.microsoft.com's event pages, values of our own).
const (
	msg4624 = "An account was successfully logged on.\n\nSubject:\n\tSecurity ID:\t\tS-1-5-18\n\tAccount Name:\t\tDC01$\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x3E7\n\n" +
		"Logon Information:\n\tLogon Type:\t\t10\n\tRestricted Admin Mode:\t-\n\tVirtual Account:\t\tNo\n\tElevated Token:\t\tYes\n\n" +
		"Impersonation Level:\t\tImpersonation\n\nNew Logon:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-1104\n\tAccount Name:\t\tbob\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x8dcdc\n" +
		"\tLinked Logon ID:\t\t0x0\n\tNetwork Account Name:\t-\n\tNetwork Account Domain:\t-\n\tLogon GUID:\t\t{00000000-0000-0000-0000-000000000000}\n\n" +
		"Process Information:\n\tProcess ID:\t\t0x3c4\n\tProcess Name:\t\tC:\\Windows\\System32\\svchost.exe\n\n" +
		"Network Information:\n\tWorkstation Name:\tWS02\n\tSource Network Address:\t192.0.2.44\n\tSource Port:\t\t0\n\n" +
		"Detailed Authentication Information:\n\tLogon Process:\t\tUser32 \n\tAuthentication Package:\tNegotiate\n\tTransited Services:\t-\n\tPackage Name (NTLM only):\t-\n\tKey Length:\t\t0\n\n" +
		"This event is generated when a logon session is created."
	msg4688 = "A new process has been created.\n\nCreator Subject:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-1104\n\tAccount Name:\t\tbob\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x8dcdc\n\n" +
		"Target Subject:\n\tSecurity ID:\t\tS-1-0-0\n\tAccount Name:\t\t-\n\tAccount Domain:\t\t-\n\tLogon ID:\t\t0x0\n\n" +
		"Process Information:\n\tNew Process ID:\t\t0x1a2c\n\tNew Process Name:\tC:\\Windows\\System32\\whoami.exe\n\tToken Elevation Type:\t%%1938\n\tMandatory Label:\t\tS-1-16-8192\n" +
		"\tCreator Process ID:\t0x13c4\n\tCreator Process Name:\tC:\\Windows\\System32\\cmd.exe\n\tProcess Command Line:\twhoami /priv\n\n" +
		"Token Elevation Type indicates the type of token that was assigned to the new process in accordance with User Account Control policy."
	msg4732 = "A member was added to a security-enabled local group.\n\nSubject:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-500\n\tAccount Name:\t\tadmin\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x1d2e3\n\n" +
		"Member:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-1104\n\tAccount Name:\t\tCN=bob,CN=Users,DC=corp,DC=local\n\n" +
		"Group:\n\tSecurity ID:\t\tS-1-5-32-544\n\tGroup Name:\t\tAdministrators\n\tGroup Domain:\t\tBuiltin\n\nAdditional Information:\n\tPrivileges:\t\t-"
	msg4768 = "A Kerberos authentication ticket (TGT) was requested.\n\nAccount Information:\n\tAccount Name:\t\tbob\n\tSupplied Realm Name:\tCORP.LOCAL\n\tUser ID:\t\t\tS-1-5-21-1-2-3-1104\n\n" +
		"Service Information:\n\tService Name:\t\tkrbtgt\n\tService ID:\t\tS-1-5-21-1-2-3-502\n\nNetwork Information:\n\tClient Address:\t\t::ffff:192.0.2.44\n\tClient Port:\t\t49273\n\n" +
		"Additional Information:\n\tTicket Options:\t\t0x40810010\n\tResult Code:\t\t0x6\n\tTicket Encryption Type:\t0xFFFFFFFF\n\tPre-Authentication Type:\t-"
	msg7045 = "A service was installed in the system.\n\nService Name:  evil\nService File Name:  %COMSPEC% /c whoami\nService Type:  user mode service\nService Start Type:  demand start\nService Account:  LocalSystem"
	msg1102 = "The audit log was cleared.\nSubject:\n\tSecurity ID:\tS-1-5-21-1-2-3-500\n\tAccount Name:\tadmin\n\tDomain Name:\tCORP\n\tLogon ID:\t0x1d2e3"
)

func TestWindowsTextEvents(t *testing.T) {
	w := New()
	f := func(name, record string, want map[string]string) {
		t.Run(name, func(t *testing.T) {
			e := syslogParse(t, record)
			if !w.Normalize(e) {
				t.Fatalf("not recognised: %v", normtest.Fields(e))
			}
			got := normtest.Fields(e)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
		})
	}
	f("4624 snare", "<13>May 10 11:37:47 DC01 MSWinEventLog\t1\tSecurity\t12\tFri May 10 11:37:47 2024\t4624\tMicrosoft-Windows-Security-Auditing\tCORP\\bob\tUser\tSuccess Audit\tDC01.corp.local\tLogon\t\t"+flat(msg4624)+"\t12",
		map[string]string{"winlog.event_data.TargetUserName": "string:bob", "winlog.event_data.SubjectUserName": "string:DC01$",
			"winlog.event_data.LogonType": "string:10", "winlog.event_data.ElevatedToken": "string:Yes",
			"winlog.event_data.ImpersonationLevel": "string:Impersonation", "winlog.event_data.TargetLinkedLogonId": "string:0x0",
			"winlog.event_data.LogonProcessName": "string:User32", "winlog.event_data.KeyLength": "string:0",
			"winlog.user.name": "string:bob", "winlog.user.domain": "string:CORP", "winlog.task_name": "string:Logon",
			"user.name": "string:bob", "user.domain": "string:CORP", "source.ip": "ip:192.0.2.44", "source.port": "",
			"source.domain": "string:WS02", "process.executable": "string:C:\\Windows\\System32\\svchost.exe",
			"process.pid": "int:964", "event.outcome": "string:success", "host.name": "string:DC01.corp.local"})
	f("4688 syslog", "<134>May 10 11:37:47 WS02 Microsoft-Windows-Security-Auditing[4]: 4688: "+flat(msg4688),
		map[string]string{"winlog.event_data.NewProcessName": "string:C:\\Windows\\System32\\whoami.exe",
			"winlog.event_data.CommandLine": "string:whoami /priv", "winlog.event_data.ParentProcessName": "string:C:\\Windows\\System32\\cmd.exe",
			"winlog.event_data.NewProcessId": "string:0x1a2c", "winlog.event_data.ProcessId": "string:0x13c4",
			"winlog.event_data.TargetUserName": "string:-", "winlog.event_data.MandatoryLabel": "string:S-1-16-8192",
			"process.executable": "string:C:\\Windows\\System32\\whoami.exe", "process.command_line": "string:whoami /priv",
			"process.pid": "int:6700", "process.parent.pid": "int:5060", "process.parent.executable": "string:C:\\Windows\\System32\\cmd.exe",
			"user.name": "string:bob", "user.domain": "string:CORP", "winlog.process.pid": "int:4", "winlog.computer_name": "string:WS02",
			"winlog.channel": "string:Security", "event.code": "string:4688", "event.outcome": "string:success",
			"process.name": "string:whoami.exe", "event.action": "string:created-process", "event.category": "list:process",
			"event.type": "list:start", "message": "string:" + flat(msg4688)})
	f("4732 multi-line", "<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing: 4732: "+msg4732,
		map[string]string{"winlog.event_data.MemberSid": "string:S-1-5-21-1-2-3-1104",
			"winlog.event_data.MemberName": "string:CN=bob,CN=Users,DC=corp,DC=local", "winlog.event_data.TargetUserName": "string:Administrators",
			"winlog.event_data.TargetDomainName": "string:Builtin", "winlog.event_data.TargetSid": "string:S-1-5-32-544",
			"winlog.event_data.PrivilegeList": "string:-", "user.name": "string:admin", "user.target.name": "string:Administrators"})
	f("4768 failure", "<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing: "+flat(msg4768),
		map[string]string{"winlog.event_id": "int:4768", "winlog.event_data.TargetUserName": "string:bob",
			"winlog.event_data.TargetDomainName": "string:CORP.LOCAL", "winlog.event_data.ServiceName": "string:krbtgt",
			"winlog.event_data.Status": "string:0x6", "winlog.event_data.TicketOptions": "string:0x40810010",
			"source.ip": "ip:192.0.2.44", "source.port": "int:49273", "user.name": "string:bob", "event.outcome": "string:failure"})
	f("7045 snare #011", "<13>May 10 11:37:47 WS02 MSWinEventLog#0112#011System#01177#011Fri May 10 11:37:47 2024#0117045#011Service Control Manager#011N/A#011N/A#011Information#011WS02#011None#011#011"+flat(msg7045)+"#0110",
		map[string]string{"winlog.channel": "string:System", "winlog.provider_name": "string:Service Control Manager",
			"winlog.event_data.ServiceName": "string:evil", "winlog.event_data.ImagePath": "string:%COMSPEC% /c whoami",
			"winlog.event_data.StartType": "string:demand start", "winlog.event_data.AccountName": "string:LocalSystem",
			"winlog.keywords": "", "event.outcome": "", "winlog.task_name": ""})
	f("1102", "<134>May 10 11:37:47 DC01 Microsoft-Windows-Eventlog: 1102: "+msg1102,
		map[string]string{"winlog.channel": "string:Security", "winlog.user_data.SubjectUserName": "string:admin",
			"winlog.user_data.SubjectDomainName": "string:CORP", "winlog.event_data.SubjectUserName": ""})
}

// TestWindowsTextLeavesOthers: records that only look Windows-like are
// not taken.
func TestWindowsTextLeavesOthers(t *testing.T) {
	w := New()
	for _, rec := range []string{
		"<134>May 10 11:37:47 web1 sshd[42]: 4625: Failed password for root",
		"<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing[600]: something without an event id",
		"<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing[600]: 99999999: too long an id",
		"<134>May 10 11:37:47 web1 app: user MSWinEventLog mentioned in passing",
		"<13>May 10 11:37:47 DC01 MSWinEventLog\t1\tSecurity\t42\tFri May 10 11:37:47 2024\tnot-an-id\tX\tN/A\tN/A\tInformation\tDC01\tNone\t\tx",
		"<13>May 10 11:37:47 DC01 MSWinEventLog\t1\tSecurity\t42",
	} {
		e := syslogParse(t, rec)
		before := normtest.Fields(e)
		if w.Normalize(e) {
			t.Errorf("took %q: %v", rec, normtest.Fields(e))
			continue
		}
		after := normtest.Fields(e)
		if len(after) != len(before) {
			t.Errorf("changed %q: %v", rec, after)
		}
	}
}

func TestWindowsTextAccountManagement(t *testing.T) {
	msg := "A user account was deleted.\n\nSubject:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-500\n\tAccount Name:\t\tadmin\n\tAccount Domain:\t\tCORP\n\tLogon ID:\t\t0x1d2e3\n\n" +
		"Target Account:\n\tSecurity ID:\t\tS-1-5-21-1-2-3-1110\n\tAccount Name:\t\tcarol\n\tAccount Domain:\t\tCORP\n\nAdditional Information:\n\tPrivileges\t-"
	e := syslogParse(t, "<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing: 4726: "+flat(msg))
	if !New().Normalize(e) {
		t.Fatal("not recognised")
	}
	got := normtest.Fields(e)
	for k, v := range map[string]string{"winlog.event_data.TargetSid": "string:S-1-5-21-1-2-3-1110",
		"winlog.event_data.TargetUserName": "string:carol", "winlog.event_data.SubjectUserName": "string:admin",
		"winlog.event_data.TargetUserSid": "", "user.name": "string:admin", "user.target.name": "string:carol"} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
