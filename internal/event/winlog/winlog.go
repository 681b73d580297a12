// Package winlog owns the field names of Windows event log records — the
// layout the evtx and winxml parsers write and the Windows normaliser reads —
// so the normaliser does not import a parser for its names. Sigma, search
// and storage read these names: change none of them.
package winlog

import "strings"

// Field names of the Windows event layout.
const (
	FieldChannel           = "winlog.channel"
	FieldEventID           = "winlog.event_id"
	FieldEventCode         = "event.code"
	FieldProviderName      = "winlog.provider_name"
	FieldProviderGUID      = "winlog.provider_guid"
	FieldEventSource       = "winlog.event_source"
	FieldComputerName      = "winlog.computer_name"
	FieldHostName          = "host.name"
	FieldRecordID          = "winlog.record_id"
	FieldLevel             = "winlog.level"
	FieldLogLevel          = "log.level"
	FieldTask              = "winlog.task"
	FieldOpcode            = "winlog.opcode"
	FieldKeywords          = "winlog.keywords"
	FieldVersion           = "winlog.version"
	FieldProcessPID        = "winlog.process.pid"
	FieldThreadID          = "winlog.process.thread.id"
	FieldUserIdentifier    = "winlog.user.identifier"
	FieldActivityID        = "winlog.activity_id"
	FieldRelatedActivityID = "winlog.related_activity_id"
	PrefixEventData        = "winlog.event_data."
	PrefixUserData         = "winlog.user_data."
)

// LevelName returns the log.level name of a Windows level (0 and 4:
// information, 1 critical, 2 error, 3 warning, 5 verbose), or "" for the
// levels providers define themselves.
func LevelName(level int64) string {
	switch level {
	case 0, 4:
		return "information"
	case 1:
		return "critical"
	case 2:
		return "error"
	case 3:
		return "warning"
	case 5:
		return "verbose"
	}
	return ""
}

// DataName returns the field name of an event-data name: the name without
// its spaces, as Sigma rules and the Windows Security schema spell the
// names that Defender and a few other providers write with spaces ("Threat
// Name" → ThreatName).
func DataName(name string) string {
	if strings.IndexByte(name, ' ') < 0 {
		return name
	}
	return strings.ReplaceAll(name, " ", "")
}
