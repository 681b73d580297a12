package windows

import (
	"syscall"
	"testing"
	"time"
)

// benchWindows measures the Windows normaliser on one JSON record: each
// iteration restores the parsed fields and normalises them again.
var benchSink bool

func benchWindows(b *testing.B, record string) {
	orig := winParse(b, record)
	e := orig.Clone()
	w := New()
	b.ReportAllocs()
	b.SetBytes(int64(len(record)))
	for b.Loop() {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		benchSink = w.Normalize(e)
	}
}

const (
	benchWinlogbeat = `{"@timestamp":"2023-01-02T03:04:05.678Z","event":{"code":"4624"},"log":{"level":"information"},"winlog":{"channel":"Security","computer_name":"DC01","event_id":"4624","record_id":"1234","task":"Logon","keywords":["Audit Success"],"provider_name":"Microsoft-Windows-Security-Auditing","process":{"pid":636,"thread":{"id":700}},"event_data":{"LogonType":"3","TargetUserName":"alice","SubjectUserSid":"S-1-5-18","IpAddress":"10.0.0.5","WorkstationName":"WS1"}}}`
	benchNXLog      = `{"EventTime":"2020-06-09 22:50:54","Hostname":"WS6.mordor.local","Keywords":-9223372036854775808,"EventType":"AUDIT_SUCCESS","SeverityValue":2,"Severity":"INFO","EventID":4688,"SourceName":"Microsoft-Windows-Security-Auditing","Version":2,"Task":13312,"OpcodeValue":0,"RecordNumber":95837,"ProcessID":4,"ThreadID":7364,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\cmd.exe","ProcessId":"0x1a4","CommandLine":"cmd.exe /c whoami","SourceModuleType":"im_msvistalog"}`
	benchNotWindows = `{"@timestamp":"2023-01-02T03:04:05Z","message":"GET /index.html 200","source":{"ip":"10.0.0.1","port":443},"user":{"name":"bob"},"http":{"response":{"status_code":200}}}`
)

func BenchmarkWindows(b *testing.B) {
	b.Run("winlogbeat", func(b *testing.B) { benchWindows(b, benchWinlogbeat) })
	b.Run("nxlog", func(b *testing.B) { benchWindows(b, benchNXLog) })
	b.Run("other", func(b *testing.B) { benchWindows(b, benchNotWindows) })
}

// benchText measures the normaliser on one syslog record, parsed once:
// each iteration restores the parsed fields and normalises them again.
func benchText(b *testing.B, record string) {
	orig := syslogParse(b, record)
	e := orig.Clone()
	w := New()
	b.ReportAllocs()
	b.SetBytes(int64(len(record)))
	cpu0 := cpuTime(b)
	for b.Loop() {
		e.Fields = append(e.Fields[:0], orig.Fields...)
		e.Reindex()
		benchSink = w.Normalize(e)
	}
	// CPU time, which a shared machine's load does not inflate as it
	// does ns/op.
	b.ReportMetric(float64(cpuTime(b)-cpu0)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the process's user+system CPU time.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkWindowsText(b *testing.B) {
	b.Run("snare", func(b *testing.B) { benchText(b, snare4625("\t")) })
	b.Run("snare#011", func(b *testing.B) { benchText(b, snare4625("#011")) })
	b.Run("syslog", func(b *testing.B) {
		benchText(b, "<134>May 10 11:37:47 DC01 Microsoft-Windows-Security-Auditing[724]: 4625: "+flat(msg4625))
	})
	b.Run("other syslog", func(b *testing.B) {
		benchText(b, "<38>Mar 10 11:59:00 bastion sshd[2411]: Failed password for invalid user admin from 198.51.100.7 port 40000 ssh2")
	})
}
