package hunt

import (
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// normalizeWindows maps a Windows record exported as flat JSON (NXLog's
// im_msvistalog as in the OTRF data sets: EventID, Channel, Hostname,
// SourceName and the event data as top-level keys) to the EVTX field
// layout the Windows rules read. Records already in the layout (EVTX,
// Winlogbeat's winlog.* objects) are left alone, as is anything without a
// Channel and an EventID. The Windows normaliser (internal/normalize)
// replaces this once it lands.
func normalizeWindows(e *event.Event) {
	if e.Has("winlog.channel") {
		if !e.Has("winlog.event_id") {
			if n, err := strconv.ParseInt(e.GetString("event.code"), 10, 64); err == nil {
				e.Set("winlog.event_id", event.Int(n))
			}
		}
		if v, ok := e.Get("winlog.event_id"); ok && v.Kind() == event.KindString {
			if n, err := strconv.ParseInt(v.Str(), 10, 64); err == nil {
				e.Set("winlog.event_id", event.Int(n))
			}
		}
		if !e.Has("event.code") {
			e.SetString("event.code", e.GetString("winlog.event_id"))
		}
		return
	}
	ch, id := e.GetString("Channel"), e.GetString("EventID")
	if ch == "" || id == "" {
		return
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return
	}
	old := e.Fields
	e.Fields = make([]event.Field, 0, len(old)+4)
	e.Set("winlog.channel", event.String(ch))
	e.Set("winlog.event_id", event.Int(n))
	e.SetString("event.code", id)
	for _, f := range old {
		switch f.Name {
		case "Channel", "EventID":
		case "Hostname", "Computer":
			e.SetString("winlog.computer_name", f.Value.Text())
			e.SetString("host.name", f.Value.Text())
		case "SourceName", "ProviderName", "Provider_Name":
			e.SetString("winlog.provider_name", f.Value.Text())
		case "ProviderGuid":
			e.SetString("winlog.provider_guid", f.Value.Text())
		case "RecordNumber", "EventRecordID":
			e.Set("winlog.record_id", f.Value)
		case "Task":
			e.Set("winlog.task", f.Value)
		case "Version":
			e.Set("winlog.version", f.Value)
		case "ExecutionProcessID":
			e.Set("winlog.process.pid", f.Value)
		case "ThreadID":
			e.Set("winlog.process.thread.id", f.Value)
		case "UserID":
			e.SetString("winlog.user.identifier", f.Value.Text())
		case "Message":
			e.Set("message", f.Value)
		case "Keywords", "EventType", "SeverityValue", "Severity", "OpcodeValue", "Opcode", "Category",
			"EventTime", "EventReceivedTime", "SourceModuleName", "SourceModuleType", "AccountName",
			"AccountType", "Domain", "port", "tags", "host", "@version":
			e.Set("nxlog."+f.Name, f.Value)
		default:
			if strings.HasPrefix(f.Name, "@") || strings.Contains(f.Name, ".") {
				e.Set(f.Name, f.Value)
				continue
			}
			// event data is text in the Windows XML
			e.SetString("winlog.event_data."+f.Name, f.Value.Text())
		}
	}
}
