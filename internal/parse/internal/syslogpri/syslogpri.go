// Package syslogpri owns the syslog PRI part (<PRI>, RFC 3164 §4.1.1 and
// RFC 5424 §6.2.1) and the ECS fields it maps to: log.syslog.priority,
// log.syslog.facility.code/name, log.syslog.severity.code/name and
// log.level.
package syslogpri

import "github.com/vigilsiem/vigil/internal/event"

// Field names written by Append.
const (
	FieldPriority     = "log.syslog.priority"
	FieldFacilityCode = "log.syslog.facility.code"
	FieldFacilityName = "log.syslog.facility.name"
	FieldSeverityCode = "log.syslog.severity.code"
	FieldSeverityName = "log.syslog.severity.name"
	FieldLevel        = "log.level"
)

// Max is the largest valid priority: facility 23 (local7), severity 7.
const Max = 191

var facilityNames = [24]string{
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
}

var severityNames = [8]string{
	"emergency", "alert", "critical", "error", "warning", "notice", "informational", "debug",
}

// FacilityName returns the name of facility code f (0..23), or "".
func FacilityName(f int) string {
	if f < 0 || f >= len(facilityNames) {
		return ""
	}
	return facilityNames[f]
}

// SeverityName returns the name of severity code s (0..7), or "".
func SeverityName(s int) string {
	if s < 0 || s >= len(severityNames) {
		return ""
	}
	return severityNames[s]
}

// Parse reads "<PRI>" at the start of s. It returns the priority and the
// number of bytes consumed; n is 0 when s does not start with a valid PRI,
// and reason then says why. PRI is 1 to 3 digits without leading zeros
// (except "0" itself), at most 191.
func Parse(s string) (pri, n int, reason string) {
	if len(s) == 0 || s[0] != '<' {
		return 0, 0, "want '<'"
	}
	i := 1
	for i < len(s) && i <= 4 && s[i] >= '0' && s[i] <= '9' {
		pri = pri*10 + int(s[i]-'0')
		i++
	}
	digits := i - 1
	switch {
	case digits == 0:
		return 0, 0, "want a digit after '<'"
	case digits > 3:
		return 0, 0, "more than 3 digits"
	case i >= len(s) || s[i] != '>':
		return 0, 0, "want '>' after the digits"
	case digits > 1 && s[1] == '0':
		return 0, 0, "leading zero"
	case pri > Max:
		return 0, 0, "priority above 191"
	}
	return pri, i + 1, ""
}

// Append appends the priority fields of pri to e. The caller guarantees
// that e holds none of them yet.
func Append(e *event.Event, pri int) {
	fac, sev := pri>>3, pri&7
	e.Append(FieldPriority, event.Int(int64(pri)))
	e.Append(FieldFacilityCode, event.Int(int64(fac)))
	e.Append(FieldFacilityName, event.String(facilityNames[fac]))
	e.Append(FieldSeverityCode, event.Int(int64(sev)))
	e.Append(FieldSeverityName, event.String(severityNames[sev]))
	e.Append(FieldLevel, event.String(severityNames[sev]))
}
