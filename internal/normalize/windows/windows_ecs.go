package windows

import (
	"net/netip"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/event/winlog"
	"github.com/vigilsiem/vigil/internal/normalize/internal/ecsfield"
)

// The ECS fields of a Windows event, read from its event data (Security
// auditing, Sysmon, Windows Filtering Platform) as Elastic's Windows
// integrations map them. The winlog.event_data.* originals stay: Sigma rules
// read those. A field the event already has is never overwritten, "-" and
// empty values are skipped, and an address that is not an IP is left out.
//
//	source.ip        IpAddress, ClientAddress (4768/4769), SourceIp
//	                 (Sysmon 3), SourceAddress (5156)
//	source.port      IpPort, ClientPort, SourcePort (0 is no port)
//	source.domain    WorkstationName, SourceHostname
//	destination.ip   DestinationIp, DestAddress; .port DestinationPort,
//	                 DestPort; .domain DestinationHostname
//	user.name        TargetUserName for logon events (4624, 4625, 4634,
//	                 4647, 4740, 4768, 4769, 4771, 4776, 4778, 4779,
//	                 4800–4803), else SubjectUserName, else TargetUserName,
//	                 else Sysmon's User or Defender's Detection User
//	                 ("DOMAIN\name" split into user.domain); user.domain
//	                 from the matching *DomainName
//	user.target.name TargetUserName when user.name is the subject
//	                 (and user.target.domain)
//	process.executable  NewProcessName (4688), Image, ProcessName
//	process.command_line CommandLine; process.parent.executable
//	                 ParentImage, ParentProcessName; .command_line
//	                 ParentCommandLine
//	process.pid      NewProcessId (4688, hex), else ProcessId;
//	                 process.parent.pid ProcessId (4688), ParentProcessId
//	file.path        TargetFilename
//	dns.question.name QueryName (Sysmon 22)
//	process.name     the file name of process.executable
//	event.action, event.category, event.type  of the Security log's
//	                 common events and 7045 (securityActions)
//	event.outcome    success / failure from the audit keywords
const (
	wIpAddress = iota
	wClientAddress
	wSourceIp
	wSourceAddress
	wIpPort
	wClientPort
	wSourcePort
	wWorkstationName
	wSourceHostname
	wDestinationIp
	wDestAddress
	wDestinationPort
	wDestPort
	wDestinationHostname
	wTargetUserName
	wTargetDomainName
	wSubjectUserName
	wSubjectDomainName
	wUser
	wDetectionUser
	wNewProcessName
	wImage
	wProcessName
	wCommandLine
	wParentImage
	wParentProcessName
	wParentCommandLine
	wNewProcessId
	wProcessId
	wParentProcessId
	wTargetFilename
	wQueryName
	numWinData
)

var winDataSlots = map[string]int{
	"IpAddress": wIpAddress, "ClientAddress": wClientAddress, "SourceIp": wSourceIp, "SourceAddress": wSourceAddress,
	"IpPort": wIpPort, "ClientPort": wClientPort, "SourcePort": wSourcePort,
	"WorkstationName": wWorkstationName, "SourceHostname": wSourceHostname,
	"DestinationIp": wDestinationIp, "DestAddress": wDestAddress, "DestinationPort": wDestinationPort,
	"DestPort": wDestPort, "DestinationHostname": wDestinationHostname,
	"TargetUserName": wTargetUserName, "TargetDomainName": wTargetDomainName,
	"SubjectUserName": wSubjectUserName, "SubjectDomainName": wSubjectDomainName, "User": wUser, "DetectionUser": wDetectionUser,
	"NewProcessName": wNewProcessName, "Image": wImage, "ProcessName": wProcessName,
	"CommandLine": wCommandLine, "ParentImage": wParentImage, "ParentProcessName": wParentProcessName,
	"ParentCommandLine": wParentCommandLine, "NewProcessId": wNewProcessId, "ProcessId": wProcessId,
	"ParentProcessId": wParentProcessId, "TargetFilename": wTargetFilename, "QueryName": wQueryName,
}

// logonEvents are the Security events whose TargetUserName is the user
// acting (logging on, off, locking, asking for a ticket).
var logonEvents = map[int64]bool{4624: true, 4625: true, 4634: true, 4647: true, 4740: true, 4768: true,
	4769: true, 4771: true, 4776: true, 4778: true, 4779: true, 4800: true, 4801: true, 4802: true, 4803: true}

// The fields windowsECS may set; an event that has one already keeps it.
const (
	tSourceIP = iota
	tSourcePort
	tSourceDomain
	tDestinationIP
	tDestinationPort
	tDestinationDomain
	tUserName
	tUserDomain
	tUserTargetName
	tUserTargetDomain
	tProcessExecutable
	tProcessCommandLine
	tParentExecutable
	tParentCommandLine
	tProcessPID
	tParentPID
	tFilePath
	tDNSQuestionName
	tEventOutcome
	tProcessName
	tEventAction
	tEventCategory
	tEventType
	numWinTargets
)

var winTargetNames = [numWinTargets]string{"source.ip", "source.port", "source.domain", "destination.ip",
	"destination.port", "destination.domain", "user.name", "user.domain", "user.target.name",
	"user.target.domain", "process.executable", "process.command_line", "process.parent.executable",
	"process.parent.command_line", "process.pid", "process.parent.pid", "file.path", "dns.question.name",
	"event.outcome", "process.name", "event.action", "event.category", "event.type"}

var winTargets = func() map[string]int {
	m := make(map[string]int, numWinTargets)
	for i, n := range winTargetNames {
		m[n] = i
	}
	return m
}()

// winECS is the state of windowsECS for one event.
type winECS struct {
	e    *event.Event
	slot [numWinData]int32 // index+1 of the event-data field
	have [numWinTargets]bool
}

// windowsECS adds the ECS fields of e's event data (table above).
func windowsECS(e *event.Event) {
	w := winECS{e: e}
	eventID, keywords, channel := int64(-1), "", ""
	found := false
	for i := range e.Fields {
		f := &e.Fields[i]
		n := f.Name
		if d, ok := strings.CutPrefix(n, winlog.PrefixEventData); ok {
			if s, ok := winDataSlots[d]; ok {
				w.slot[s] = int32(i + 1)
				found = true
			}
			continue
		}
		switch n {
		case winlog.FieldEventID:
			if id, ok := intOf(f.Value); ok {
				eventID = id
			}
			continue
		case winlog.FieldKeywords:
			keywords = ecsfield.Text(f.Value)
			continue
		case winlog.FieldChannel:
			channel = ecsfield.Text(f.Value)
			continue
		}
		switch n[0] {
		case 'e':
			// event.code, event.kind … are common; event.outcome is the
			// only target among them.
			switch n {
			case "event.outcome":
				w.have[tEventOutcome] = true
			case "event.action":
				w.have[tEventAction] = true
			case "event.category":
				w.have[tEventCategory] = true
			case "event.type":
				w.have[tEventType] = true
			}
		case 's', 'd', 'u', 'p', 'f':
			if t, ok := winTargets[n]; ok {
				w.have[t] = true
			}
		}
	}
	if found {
		w.ip(tSourceIP, wIpAddress, wClientAddress, wSourceIp, wSourceAddress)
		w.num(tSourcePort, true, wIpPort, wClientPort, wSourcePort)
		w.str(tSourceDomain, wWorkstationName, wSourceHostname)
		w.ip(tDestinationIP, wDestinationIp, wDestAddress)
		w.num(tDestinationPort, true, wDestinationPort, wDestPort)
		w.str(tDestinationDomain, wDestinationHostname)
		w.user(eventID)
		if w.exe(tProcessExecutable, wNewProcessName, wImage, wProcessName) {
			exe := w.e.Fields[len(w.e.Fields)-1].Value.Str()
			if j := strings.LastIndexAny(exe, `\/`); j >= 0 && j < len(exe)-1 {
				w.put(tProcessName, event.String(exe[j+1:]))
			}
		}
		w.str(tProcessCommandLine, wCommandLine)
		w.exe(tParentExecutable, wParentImage, wParentProcessName)
		w.str(tParentCommandLine, wParentCommandLine)
		if w.slot[wNewProcessId] > 0 {
			w.num(tProcessPID, false, wNewProcessId)
			w.num(tParentPID, false, wProcessId)
		} else {
			w.num(tProcessPID, false, wProcessId)
		}
		w.num(tParentPID, false, wParentProcessId)
		w.str(tFilePath, wTargetFilename)
		w.str(tDNSQuestionName, wQueryName)
	}
	if a, ok := securityActions[eventID]; ok && (channel == "Security" || eventID == 7045 && channel == "System") {
		w.put(tEventAction, event.String(a.action))
		w.put(tEventCategory, event.List(a.category))
		w.put(tEventType, event.List(a.kind))
	}
	switch keywords {
	case auditKeywords["Audit Success"]:
		w.put(tEventOutcome, event.String("success"))
	case auditKeywords["Audit Failure"]:
		w.put(tEventOutcome, event.String("failure"))
	}
}

// text returns the text of event-data slot s, "" when absent or "-".
func (w *winECS) text(s int) string {
	if i := w.slot[s]; i > 0 {
		if t := ecsfield.Text(w.e.Fields[i-1].Value); t != "-" {
			return t
		}
	}
	return ""
}

func (w *winECS) put(t int, v event.Value) {
	if !w.have[t] {
		w.e.Fields = append(w.e.Fields, event.Field{Name: winTargetNames[t], Value: v})
		w.have[t] = true
	}
}

// str sets target t to the first non-empty of the slots.
func (w *winECS) str(t int, slots ...int) {
	for _, s := range slots {
		if x := w.text(s); x != "" {
			w.put(t, event.String(x))
			return
		}
	}
}

// exe is str for executables: Defender writes "Unknown" where it knows no
// process, which names no executable. It reports whether it appended the
// field (last in e.Fields).
func (w *winECS) exe(t int, slots ...int) bool {
	for _, s := range slots {
		if x := w.text(s); x != "" && !strings.EqualFold(x, "Unknown") {
			if w.have[t] {
				return false
			}
			w.put(t, event.String(x))
			return true
		}
	}
	return false
}

// ip sets target t to the first of the slots that is an IP address.
func (w *winECS) ip(t int, slots ...int) {
	for _, s := range slots {
		if x := w.text(s); x != "" {
			if a, err := netip.ParseAddr(x); err == nil {
				w.put(t, event.IP(a))
				return
			}
		}
	}
}

// num sets target t to the first of the slots that is a positive number
// (decimal or 0x hex; a port at most 65535).
func (w *winECS) num(t int, port bool, slots ...int) {
	for _, s := range slots {
		if i := w.slot[s]; i > 0 {
			if n, ok := intOf(w.e.Fields[i-1].Value); ok && n > 0 && (!port || n <= 65535) {
				w.put(t, event.Int(n))
				return
			}
		}
	}
}

// user sets user.name and user.domain (and user.target.* when the user
// acting is the subject).
func (w *winECS) user(eventID int64) {
	target, subject := w.text(wTargetUserName), w.text(wSubjectUserName)
	switch {
	case target != "" && (logonEvents[eventID] || subject == ""):
		w.str(tUserName, wTargetUserName)
		w.str(tUserDomain, wTargetDomainName)
	case subject != "":
		w.str(tUserName, wSubjectUserName)
		w.str(tUserDomain, wSubjectDomainName)
		w.str(tUserTargetName, wTargetUserName)
		w.str(tUserTargetDomain, wTargetDomainName)
	default:
		u := w.text(wUser)
		if u == "" {
			u = w.text(wDetectionUser)
		}
		if dom, name, ok := strings.Cut(u, `\`); ok && name != "" {
			w.put(tUserName, event.String(name))
			if dom != "" {
				w.put(tUserDomain, event.String(dom))
			}
		} else if u != "" {
			w.put(tUserName, event.String(u))
		}
	}
}
