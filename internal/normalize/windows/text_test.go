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
	"event.code", "event.outcome", "host.name", "process.executable", "process.command_line", "process.pid", "process.parent.executable",
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
			if got["process.name"] != "" {
				t.Errorf("process.name %q kept from the syslog tag", got["process.name"])
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
