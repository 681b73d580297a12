package windows

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize/internal/normtest"
)

// TestWindowsECS: the ECS fields of Windows event data, one mapping each,
// from NXLog/OTRF-shaped records (the EVTX layout gets the same).
func TestWindowsECS(t *testing.T) {
	w := New()
	f := func(name, record string, want map[string]string, absent ...string) {
		t.Run(name, func(t *testing.T) {
			e := winParse(t, record)
			if !w.Normalize(e) {
				t.Fatal("not recognised")
			}
			got := normtest.Fields(e)
			for k, v := range want {
				if got[k] != v {
					t.Errorf("%s = %q, want %q", k, got[k], v)
				}
			}
			for _, k := range absent {
				if v, ok := got[k]; ok {
					t.Errorf("%s = %q, want none", k, v)
				}
			}
		})
	}
	f("4624 logon", `{"EventID":4624,"Channel":"Security","Hostname":"DC01","SubjectUserName":"DC01$","SubjectDomainName":"CORP",
		"TargetUserName":"alice","TargetDomainName":"CORP","WorkstationName":"WS07","IpAddress":"10.20.1.5","IpPort":"51234",
		"ProcessName":"C:\\Windows\\System32\\lsass.exe","ProcessId":"0x2c4","Keywords":"0x8020000000000000"}`,
		map[string]string{"source.ip": "ip:10.20.1.5", "source.port": "int:51234", "source.domain": "string:WS07",
			"user.name": "string:alice", "user.domain": "string:CORP", "process.executable": "string:C:\\Windows\\System32\\lsass.exe",
			"process.pid": "int:708", "event.outcome": "string:success",
			"winlog.event_data.IpAddress": "string:10.20.1.5", "winlog.event_data.TargetUserName": "string:alice"},
		"user.target.name")
	f("4625 failure, local", `{"EventID":4625,"Channel":"Security","Hostname":"WS1","TargetUserName":"bob","IpAddress":"-","IpPort":"0",
		"Keywords":"0x8010000000000000"}`,
		map[string]string{"user.name": "string:bob", "event.outcome": "string:failure"}, "source.ip", "source.port")
	f("4769 ticket, mapped IPv4", `{"EventID":4769,"Channel":"Security","Hostname":"DC01","TargetUserName":"admmig@CORP.LAN",
		"IpAddress":"::ffff:10.23.23.9","IpPort":"55180"}`,
		map[string]string{"source.ip": "ip:10.23.23.9", "source.port": "int:55180", "user.name": "string:admmig@CORP.LAN"})
	f("4720 account created: subject acts on target", `{"EventID":4720,"Channel":"Security","Hostname":"DC01",
		"SubjectUserName":"admin","SubjectDomainName":"CORP","TargetUserName":"newuser","TargetDomainName":"CORP"}`,
		map[string]string{"user.name": "string:admin", "user.domain": "string:CORP", "user.target.name": "string:newuser",
			"user.target.domain": "string:CORP"})
	f("4688 process", `{"EventID":4688,"Channel":"Security","Hostname":"WS1","SubjectUserName":"alice","NewProcessName":"C:\\Windows\\System32\\cmd.exe",
		"NewProcessId":"0x10ec","ProcessId":"0x11f0","CommandLine":"cmd /c whoami","ParentProcessName":"C:\\Windows\\explorer.exe"}`,
		map[string]string{"process.executable": "string:C:\\Windows\\System32\\cmd.exe", "process.pid": "int:4332",
			"process.parent.pid": "int:4592", "process.command_line": "string:cmd /c whoami",
			"process.parent.executable": "string:C:\\Windows\\explorer.exe", "user.name": "string:alice"})
	f("sysmon 1", `{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","Image":"C:\\x.exe","ProcessId":"6196",
		"ParentImage":"C:\\p.exe","ParentProcessId":"100","ParentCommandLine":"p.exe","User":"CORP\\alice"}`,
		map[string]string{"process.executable": "string:C:\\x.exe", "process.pid": "int:6196", "process.parent.executable": "string:C:\\p.exe",
			"process.parent.pid": "int:100", "process.parent.command_line": "string:p.exe", "user.name": "string:alice",
			"user.domain": "string:CORP"})
	f("sysmon 3", `{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","SourceIp":"10.0.0.5","SourcePort":"50000",
		"DestinationIp":"203.0.113.7","DestinationPort":"443","DestinationHostname":"example.org","SourceHostname":"ws1.corp"}`,
		map[string]string{"source.ip": "ip:10.0.0.5", "source.port": "int:50000", "destination.ip": "ip:203.0.113.7",
			"destination.port": "int:443", "destination.domain": "string:example.org", "source.domain": "string:ws1.corp"})
	f("sysmon 11 and 22", `{"EventID":22,"Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","QueryName":"evil.example",
		"TargetFilename":"C:\\t.txt"}`,
		map[string]string{"dns.question.name": "string:evil.example", "file.path": "string:C:\\t.txt"})
	f("5156 WFP", `{"EventID":5156,"Channel":"Security","Hostname":"WS1","SourceAddress":"192.168.2.5","SourcePort":"56628",
		"DestAddress":"168.63.129.16","DestPort":"80"}`,
		map[string]string{"source.ip": "ip:192.168.2.5", "source.port": "int:56628", "destination.ip": "ip:168.63.129.16",
			"destination.port": "int:80"})
	f("defender 1116", `{"EventID":1116,"Channel":"Microsoft-Windows-Windows Defender/Operational","Hostname":"WS1",
		"Threat Name":"HackTool:Win64/Mikatz!dha","Process Name":"C:\\Windows\\explorer.exe","Detection User":"OFFSEC\\admmig"}`,
		map[string]string{"winlog.event_data.ThreatName": "string:HackTool:Win64/Mikatz!dha",
			"winlog.event_data.ProcessName": "string:C:\\Windows\\explorer.exe", "process.executable": "string:C:\\Windows\\explorer.exe",
			"user.name": "string:admmig", "user.domain": "string:OFFSEC"},
		"winlog.event_data.Threat Name")
	f("winlogbeat names with spaces", `{"winlog":{"channel":"Microsoft-Windows-Windows Defender/Operational","event_id":1116,
		"event_data":{"Threat Name":"EICAR","Source Name":"Real-Time Protection"}}}`,
		map[string]string{"winlog.event_data.ThreatName": "string:EICAR", "winlog.event_data.SourceName": "string:Real-Time Protection"},
		"winlog.event_data.Threat Name", "winlog.event_data.Source Name")
	f("present fields win, bad values are skipped", `{"winlog":{"channel":"Security","event_id":4624,
		"event_data":{"IpAddress":"10.1.1.1","TargetUserName":"alice","IpPort":"99999"}},"source":{"ip":"192.0.2.1"},"user":{"name":"x"}}`,
		map[string]string{"source.ip": "ip:192.0.2.1", "user.name": "string:x"}, "source.port")
}
