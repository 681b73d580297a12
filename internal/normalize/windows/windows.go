package windows

import (
	"context"
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/event/winlog"
)

// Windows gives Windows events that arrive as JSON the field layout and
// types of events decoded from EVTX (package evtx documents the layout), so
// Sigma rules, searches and storage see one shape whatever the transport.
//
// Two shapes are recognised, after the JSON parser has flattened them:
//
//   - Winlogbeat: winlog.event_id, winlog.channel, winlog.event_data.X, …
//     Types are fixed: winlog.event_id (a string in Winlogbeat 8),
//     winlog.record_id, winlog.version, winlog.process.pid and
//     winlog.process.thread.id become ints, event.code the event id's text,
//     host.name the computer name, event and user data values text.
//     winlog.task and winlog.opcode hold names in Winlogbeat; a name that is
//     not a number moves to winlog.task_name / winlog.opcode_name. log.level
//     gives winlog.level when that is missing. winlog.keywords is a list of
//     keyword names in Winlogbeat; ["Audit Success"] and ["Audit Failure"]
//     become the hex values Windows writes for them (0x8020000000000000,
//     0x8010000000000000), other lists are kept.
//   - NXLog im_msvistalog and the OTRF Security-Datasets (flat JSON with
//     EventID and Channel, SourceName, ProviderName, Hostname or Computer):
//     the system fields are renamed (table in windowsFlat), NXLog's own
//     fields go under nxlog.*, fields that already have a dotted name and
//     the shipper's (host, port, tags, @version, type) stay, and every other
//     top-level field is event data: winlog.event_data.<name>, as text.
//     Keywords, an int64 in NXLog, becomes hex text.
//
// Both shapes, and events decoded from EVTX (which have the layout
// already), then get the ECS fields of their event data: source.ip,
// user.name, process.executable … (windows_ecs.go); the originals stay.
// Event-data names lose their spaces (Defender's "Threat Name" is
// ThreatName, as Sigma rules and the EVTX decoder spell it).
//
// Events of neither shape cost one pass over their field names.
type Windows struct{}

// New returns the Windows normaliser.
func New() *Windows { return &Windows{} }

// Name implements pipeline.Processor.
func (*Windows) Name() string { return "normalize_windows" }

// Process implements pipeline.Processor. It never drops an event.
func (w *Windows) Process(_ context.Context, events []*event.Event) []*event.Event {
	for _, e := range events {
		w.Normalize(e)
	}
	return events
}

// Normalize maps e if it is a Windows event in one of the shapes above and
// reports whether it was.
func (w *Windows) Normalize(e *event.Event) bool {
	beat, eventID, windows := false, false, false
	program, message := "", ""
	for i := range e.Fields {
		n := e.Fields[i].Name
		if len(n) < 7 {
			continue
		}
		switch n[0] {
		case 'p':
			if n == "process.name" {
				program = e.Fields[i].Value.Text()
			}
		case 'm':
			if n == event.FieldMessage {
				message = e.Fields[i].Value.Text()
			}
		case 'w':
			if n == winlog.FieldEventID || n == winlog.FieldChannel || n == winlog.FieldProviderName {
				beat = true
			}
		case 'E':
			eventID = eventID || n == "EventID"
		case 'C', 'S', 'P', 'H':
			switch n {
			case "Channel", "SourceName", "ProviderName", "Hostname", "Computer":
				windows = true
			}
		}
	}
	switch {
	case beat:
		normalizeBeat(e)
	case eventID && windows:
		normalizeFlat(e)
	case !normalizeText(e, program, message):
		return false
	}
	windowsECS(e)
	return true
}

// Winlogbeat ---------------------------------------------------------------

func normalizeBeat(e *event.Event) {
	// One pass finds the fields to fix; most events (EVTX's among them)
	// already have the right types and are left as they are.
	var idx [len(beatFields)]int
	for i := range idx {
		idx[i] = -1
	}
	for i := range e.Fields {
		f := &e.Fields[i]
		if s := beatSlot(f.Name); s >= 0 {
			idx[s] = i
			continue
		}
		data := strings.HasPrefix(f.Name, winlog.PrefixEventData)
		if k := f.Value.Kind(); k != event.KindString && k != event.KindList &&
			(data || strings.HasPrefix(f.Name, winlog.PrefixUserData)) {
			f.Value = event.String(f.Value.Text())
		}
		if data && strings.IndexByte(f.Name, ' ') >= 0 {
			// "Threat Name" is ThreatName, unless the record has both.
			if n := winlog.PrefixEventData + winlog.DataName(f.Name[len(winlog.PrefixEventData):]); !e.Has(n) {
				f.Name = n
				e.Reindex()
			}
		}
	}
	get := func(name string) (event.Value, bool) {
		if i := idx[beatSlot(name)]; i >= 0 {
			return e.Fields[i].Value, true
		}
		return event.Value{}, false
	}
	set := func(name string, v event.Value) {
		s := beatSlot(name)
		if i := idx[s]; i >= 0 {
			e.Fields[i].Value = v
			return
		}
		idx[s] = len(e.Fields)
		e.Fields = append(e.Fields, event.Field{Name: name, Value: v})
	}
	for _, n := range [...]string{winlog.FieldRecordID, winlog.FieldVersion, winlog.FieldProcessPID, winlog.FieldThreadID} {
		if v, ok := get(n); ok && v.Kind() != event.KindInt {
			if i, ok := intOf(v); ok {
				set(n, event.Int(i))
			}
		}
	}
	if v, ok := get(winlog.FieldEventID); ok {
		if id, ok := intOf(v); ok {
			if v.Kind() != event.KindInt {
				set(winlog.FieldEventID, event.Int(id))
			}
			if c, ok := get(winlog.FieldEventCode); !ok || c.Kind() != event.KindString || c.Str() != strconv.FormatInt(id, 10) {
				set(winlog.FieldEventCode, event.String(strconv.FormatInt(id, 10)))
			}
		}
	}
	drop := [2]int{-1, -1}
	for k, n := range [...]string{winlog.FieldTask, winlog.FieldOpcode} {
		if v, ok := get(n); ok && v.Kind() != event.KindInt {
			if i, ok := intOf(v); ok {
				set(n, event.Int(i))
			} else if e.Has(n + "_name") {
				// The name is there already: the field is redundant.
				drop[k] = idx[beatSlot(n)]
			} else {
				e.Fields[idx[beatSlot(n)]].Name = n + "_name"
			}
		}
	}
	if v, ok := get(winlog.FieldLevel); ok {
		if l, ok := intOf(v); ok {
			if v.Kind() != event.KindInt {
				set(winlog.FieldLevel, event.Int(l))
			}
			if name := winlog.LevelName(l); name != "" {
				if cur, ok := get(winlog.FieldLogLevel); !ok || cur.Text() != name {
					set(winlog.FieldLogLevel, event.String(name))
				}
			}
		}
	} else if ll, ok := get(winlog.FieldLogLevel); ok {
		name := strings.ToLower(ll.Text())
		if l, ok := levelOf[name]; ok {
			set(winlog.FieldLevel, event.Int(l))
			set(winlog.FieldLogLevel, event.String(name))
		}
	}
	if v, ok := get(winlog.FieldKeywords); ok {
		if v.Kind() == event.KindList {
			if l := v.List(); len(l) == 1 {
				if hex, ok := auditKeywords[l[0]]; ok {
					set(winlog.FieldKeywords, event.String(hex))
				}
			}
		} else if v.Kind() != event.KindString {
			set(winlog.FieldKeywords, keywordsText(v))
		}
	}
	if c, ok := get(winlog.FieldComputerName); ok {
		if h, ok := get(winlog.FieldHostName); !ok || h.Text() != c.Text() {
			set(winlog.FieldHostName, event.String(c.Text()))
		}
	}
	if drop[0] < drop[1] {
		drop[0], drop[1] = drop[1], drop[0]
	}
	for _, i := range drop {
		if i >= 0 {
			e.Fields = append(e.Fields[:i], e.Fields[i+1:]...)
		}
	}
	e.Reindex()
}

// beatFields are the fields normalizeBeat may fix.
var beatFields = [...]string{winlog.FieldEventID, winlog.FieldEventCode, winlog.FieldRecordID, winlog.FieldVersion,
	winlog.FieldProcessPID, winlog.FieldThreadID, winlog.FieldTask, winlog.FieldOpcode, winlog.FieldLevel,
	winlog.FieldLogLevel, winlog.FieldKeywords, winlog.FieldComputerName, winlog.FieldHostName}

// beatSlot returns the index of name in beatFields, or -1.
func beatSlot(name string) int {
	if len(name) < 9 || name[0] != 'w' && name[0] != 'e' && name[0] != 'l' && name[0] != 'h' {
		return -1
	}
	for i, n := range beatFields {
		if n == name {
			return i
		}
	}
	return -1
}

// levelOf maps log.level names back to Windows levels.
var levelOf = map[string]int64{"critical": 1, "error": 2, "warning": 3, "information": 4, "verbose": 5}

// auditKeywords are the Keywords of Security audit events by the name
// Windows renders for them.
var auditKeywords = map[string]string{
	"Audit Success": "0x8020000000000000",
	"Audit Failure": "0x8010000000000000",
}

// NXLog / OTRF ---------------------------------------------------------------

// windowsFlat maps the system fields of NXLog's im_msvistalog (and the OTRF
// data sets, collected with it) to the layout. The first of several names
// for one field wins.
var windowsFlat = map[string]string{
	"EventID":            winlog.FieldEventID,
	"Channel":            winlog.FieldChannel,
	"Hostname":           winlog.FieldComputerName,
	"Computer":           winlog.FieldComputerName,
	"SourceName":         winlog.FieldProviderName,
	"ProviderName":       winlog.FieldProviderName,
	"ProviderGuid":       winlog.FieldProviderGUID,
	"EventSourceName":    winlog.FieldEventSource,
	"RecordNumber":       winlog.FieldRecordID,
	"EventRecordID":      winlog.FieldRecordID,
	"Task":               winlog.FieldTask,
	"OpcodeValue":        winlog.FieldOpcode,
	"Version":            winlog.FieldVersion,
	"Level":              winlog.FieldLevel,
	"Keywords":           winlog.FieldKeywords,
	"ExecutionProcessID": winlog.FieldProcessPID,
	"ProcessID":          winlog.FieldProcessPID,
	"ExecutionThreadID":  winlog.FieldThreadID,
	"ThreadID":           winlog.FieldThreadID,
	"UserID":             winlog.FieldUserIdentifier,
	"ActivityID":         winlog.FieldActivityID,
	"RelatedActivityID":  winlog.FieldRelatedActivityID,
	"Message":            event.FieldMessage,
	"AccountName":        "winlog.user.name",
	"Domain":             "winlog.user.domain",
	"AccountType":        "winlog.user.type",
}

// nxlogFields are NXLog's own fields: they describe the collection, not
// the event, and go under nxlog.*.
var nxlogFields = map[string]bool{
	"EventTime": true, "EventReceivedTime": true, "SourceModuleName": true, "SourceModuleType": true,
	"Severity": true, "SeverityValue": true, "Category": true, "Opcode": true, "EventTypeOrignal": true,
	"EventTypeOriginal": true, "RecordType": true, "ERROR_EVT_UNRESOLVED": true,
}

// shipperFields are added by the shipper (Logstash, Filebeat) and stay.
var shipperFields = map[string]bool{"host": true, "port": true, "tags": true, "@version": true, "type": true, "path": true}

// nxlogEventTypes are the values of NXLog's EventType; any other value is
// event data (Sysmon's EventType, for instance, which OTRF keeps there).
var nxlogEventTypes = map[string]bool{
	"INFO": true, "AUDIT_SUCCESS": true, "AUDIT_FAILURE": true, "WARNING": true, "ERROR": true,
	"CRITICAL": true, "VERBOSE": true, "DEBUG": true,
}

func normalizeFlat(e *event.Event) {
	out := make([]event.Field, 0, len(e.Fields)+4)
	has := func(name string) bool {
		for i := range out {
			if out[i].Name == name {
				return true
			}
		}
		return false
	}
	add := func(name string, v event.Value) {
		if !has(name) {
			out = append(out, event.Field{Name: name, Value: v})
		}
	}
	for _, f := range e.Fields {
		name, v := f.Name, f.Value
		if to, ok := windowsFlat[name]; ok {
			switch to {
			case winlog.FieldEventID, winlog.FieldRecordID, winlog.FieldTask, winlog.FieldOpcode, winlog.FieldVersion,
				winlog.FieldLevel, winlog.FieldProcessPID, winlog.FieldThreadID:
				i, ok := intOf(v)
				if !ok {
					add("nxlog."+name, v)
					continue
				}
				if has(to) {
					continue
				}
				add(to, event.Int(i))
				switch to {
				case winlog.FieldEventID:
					add(winlog.FieldEventCode, event.String(strconv.FormatInt(i, 10)))
				case winlog.FieldLevel:
					if n := winlog.LevelName(i); n != "" {
						add(winlog.FieldLogLevel, event.String(n))
					}
				}
			case winlog.FieldKeywords:
				add(to, keywordsText(v))
			case winlog.FieldComputerName:
				if !has(to) {
					add(to, event.String(v.Text()))
					add(winlog.FieldHostName, event.String(v.Text()))
				}
			default:
				add(to, event.String(v.Text()))
			}
			continue
		}
		switch {
		case name == "EventType" && nxlogEventTypes[v.Text()], nxlogFields[name]:
			add("nxlog."+name, v)
		case shipperFields[name] || strings.IndexByte(name, '.') >= 0 || event.IsEnvelope(name):
			add(name, v)
		default:
			if v.Kind() != event.KindString && v.Kind() != event.KindList {
				v = event.String(v.Text())
			}
			if s := v.Text(); s != "" {
				add(winlog.PrefixEventData+winlog.DataName(name), v)
			}
		}
	}
	clear(e.Fields)
	e.Fields = append(e.Fields[:0], out...)
	e.Reindex()
}

// Shared ---------------------------------------------------------------------

// intOf reads an int from an int value or from decimal or 0x-hex text.
func intOf(v event.Value) (int64, bool) {
	switch v.Kind() {
	case event.KindInt:
		return v.Int(), true
	case event.KindString:
		s := strings.TrimSpace(v.Str())
		if h, ok := strings.CutPrefix(s, "0x"); ok {
			u, err := strconv.ParseUint(h, 16, 64)
			return int64(u), err == nil
		}
		i, err := strconv.ParseInt(s, 10, 64)
		return i, err == nil
	}
	return 0, false
}

// keywordsText renders Keywords as Windows does: 0x and lowercase hex. An
// int is taken as the 64 bits (NXLog writes them signed).
func keywordsText(v event.Value) event.Value {
	if v.Kind() == event.KindInt {
		return event.String("0x" + strconv.FormatUint(uint64(v.Int()), 16))
	}
	return event.String(v.Text())
}
