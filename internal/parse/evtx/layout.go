package evtx

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/event/winlog"
)

// Field names of the Windows event layout (see the package doc), as
// internal/event/winlog names them for the parsers and the Windows
// normaliser alike.
const (
	FieldChannel           = winlog.FieldChannel
	FieldEventID           = winlog.FieldEventID
	FieldEventCode         = winlog.FieldEventCode
	FieldProviderName      = winlog.FieldProviderName
	FieldProviderGUID      = winlog.FieldProviderGUID
	FieldEventSource       = winlog.FieldEventSource
	FieldComputerName      = winlog.FieldComputerName
	FieldHostName          = winlog.FieldHostName
	FieldRecordID          = winlog.FieldRecordID
	FieldLevel             = winlog.FieldLevel
	FieldLogLevel          = winlog.FieldLogLevel
	FieldTask              = winlog.FieldTask
	FieldOpcode            = winlog.FieldOpcode
	FieldKeywords          = winlog.FieldKeywords
	FieldVersion           = winlog.FieldVersion
	FieldProcessPID        = winlog.FieldProcessPID
	FieldThreadID          = winlog.FieldThreadID
	FieldUserIdentifier    = winlog.FieldUserIdentifier
	FieldActivityID        = winlog.FieldActivityID
	FieldRelatedActivityID = winlog.FieldRelatedActivityID
	PrefixEventData        = winlog.PrefixEventData
	PrefixUserData         = winlog.PrefixUserData
)

// LevelName returns the log.level name of a Windows level (see
// winlog.LevelName).
func LevelName(level int64) string { return winlog.LevelName(level) }

type role uint8

const (
	roleIgnore role = iota
	roleRoot
	roleSystem
	roleEventData
	roleUserData
	roleRendering
	roleSection // an unknown child of Event: flattened under winlog.<name>
	roleWrapper // the single child of UserData
	roleData    // EventData/Data
	roleNested  // an element below EventData (not Data), UserData's child or a section
	roleMessage // RenderingInfo/Message
	// System children.
	roleProvider
	roleEventID
	roleVersion
	roleLevel
	roleTask
	roleOpcode
	roleKeywords
	roleTimeCreated
	roleRecordID
	roleCorrelation
	roleExecution
	roleChannel
	roleComputer
	roleSecurity
)

// systemRole returns the role of a child of System.
func systemRole(name string) role {
	switch name {
	case "Provider":
		return roleProvider
	case "EventID":
		return roleEventID
	case "Version":
		return roleVersion
	case "Level":
		return roleLevel
	case "Task":
		return roleTask
	case "Opcode":
		return roleOpcode
	case "Keywords":
		return roleKeywords
	case "TimeCreated":
		return roleTimeCreated
	case "EventRecordID":
		return roleRecordID
	case "Correlation":
		return roleCorrelation
	case "Execution":
		return roleExecution
	case "Channel":
		return roleChannel
	case "Computer":
		return roleComputer
	case "Security":
		return roleSecurity
	}
	return roleIgnore
}

// text reports whether the text content of an element of role r
// becomes a field.
func (r role) text() bool {
	switch r {
	case roleData, roleNested, roleMessage, roleEventID, roleVersion, roleLevel, roleTask,
		roleOpcode, roleKeywords, roleRecordID, roleChannel, roleComputer:
		return true
	}
	return false
}

type frame struct {
	role     role
	children bool
	path     string // field name (roleData, roleNested) or prefix (sections, wrapper)
	start    int    // arena offset where the element's text starts
	bound    int    // index in bounds of the element's first list boundary
}

type pendingKind uint8

const (
	pendingString pendingKind = iota
	pendingInt
	pendingList
)

// pending is a field whose text lives in the arena until Finish makes one
// string of it.
type pending struct {
	name       string
	kind       pendingKind
	start, end int   // arena range; for a list, the range of its bounds
	n          int64 // int value
}

// Builder turns the element structure of one Windows event into Vigil's
// field layout (package doc). The EVTX decoder and the winxml parser both
// feed it, so the two produce the same fields for the same event.
//
// Use: Reset, then Start/Attr/Text/End in document order (attributes of an
// element right after its Start), then Finish. Text may come in pieces.
// Item separates the items of a list value (an array substitution). Names
// passed to Start and Attr may be kept; byte slices are copied.
//
// All text of an event is gathered in one buffer and becomes one string, so
// an event costs one allocation for its text whatever its number of fields.
type Builder struct {
	stack   []frame
	arena   []byte
	bounds  []int
	pend    []pending
	ts      time.Time
	dataIdx int
	unnamed bool   // an unnamed Data element gave a paramN field
	sig     uint64 // bit per name hash of the pending fields, for duplicates

	dataNames map[string]string // Name attribute → winlog.event_data.Name
	paths     map[pathKey]string
}

type pathKey struct{ parent, name string }

// maxDepth bounds element nesting; deeper elements are ignored, so crafted
// input cannot grow the stack without limit.
const maxDepth = 64

// maxNameCache bounds the caches of composed field names.
const maxNameCache = 8192

// Reset prepares b for a new event.
func (b *Builder) Reset() {
	b.stack = b.stack[:0]
	b.arena = b.arena[:0]
	b.bounds = b.bounds[:0]
	b.pend = b.pend[:0]
	b.ts = time.Time{}
	b.dataIdx = 0
	b.unnamed = false
	b.sig = 0
}

func (b *Builder) top() *frame {
	if len(b.stack) == 0 {
		return nil
	}
	return &b.stack[len(b.stack)-1]
}

// Start opens an element.
func (b *Builder) Start(name string) {
	if len(b.stack) >= maxDepth {
		b.stack = append(b.stack[:len(b.stack):len(b.stack)], frame{role: roleIgnore})
		return
	}
	f := frame{start: len(b.arena), bound: len(b.bounds)}
	parent := b.top()
	if parent == nil {
		f.role = roleRoot
		b.stack = append(b.stack, f)
		return
	}
	parent.children = true
	switch parent.role {
	case roleRoot:
		switch name {
		case "System":
			f.role = roleSystem
		case "EventData":
			f.role = roleEventData
		case "UserData":
			f.role = roleUserData
		case "RenderingInfo":
			f.role = roleRendering
		default:
			f.role = roleSection
			f.path = b.path("winlog", name)
		}
	case roleSystem:
		f.role = systemRole(name)
	case roleEventData:
		if name == "Data" {
			f.role = roleData
			b.dataIdx++
		} else {
			f.role = roleNested
			f.path = b.path("winlog.event_data", name)
		}
	case roleUserData:
		f.role = roleWrapper
		f.path = "winlog.user_data"
	case roleWrapper, roleNested, roleSection, roleData:
		f.role = roleNested
		p := parent.path
		if parent.role == roleData {
			p = b.dataField(parent)
		}
		f.path = b.path(p, name)
	case roleRendering:
		if name == "Message" {
			f.role = roleMessage
			f.path = event.FieldMessage
		}
	}
	b.stack = append(b.stack, f)
}

// path returns parent + "." + name, cached.
func (b *Builder) path(parent, name string) string {
	k := pathKey{parent, name}
	if p, ok := b.paths[k]; ok {
		return p
	}
	p := parent + "." + name
	if b.paths == nil {
		b.paths = make(map[pathKey]string)
	}
	if len(b.paths) < maxNameCache {
		b.paths[k] = p
	}
	return p
}

// dataField returns the field name of an EventData/Data element: its Name
// attribute, or param<N> for the N-th Data element when it has none
// (Winlogbeat's convention).
func (b *Builder) dataField(f *frame) string {
	if f.path == "" {
		f.path = PrefixEventData + "param" + strconv.Itoa(b.dataIdx)
		b.unnamed = true
	}
	return f.path
}

func (b *Builder) dataName(value []byte) string {
	if s, ok := b.dataNames[string(value)]; ok {
		return s
	}
	s := PrefixEventData + DataName(string(value))
	if b.dataNames == nil {
		b.dataNames = make(map[string]string)
	}
	if len(b.dataNames) < maxNameCache {
		b.dataNames[string(value)] = s
	}
	return s
}

// DataName returns the field name of an event-data name (see
// winlog.DataName).
func DataName(name string) string { return winlog.DataName(name) }

// wantsAttr reports whether the attribute of the current element becomes a
// field, so a caller can skip rendering values nobody reads.
func (b *Builder) wantsAttr(name string) bool {
	f := b.top()
	if f == nil {
		return false
	}
	switch f.role {
	case roleProvider:
		return name == "Name" || name == "Guid" || name == "EventSourceName"
	case roleTimeCreated:
		return name == "SystemTime"
	case roleCorrelation:
		return name == "ActivityID" || name == "RelatedActivityID"
	case roleExecution:
		return name == "ProcessID" || name == "ThreadID"
	case roleSecurity:
		return name == "UserID"
	case roleData:
		return name == "Name"
	case roleNested, roleEventData:
		return !isXMLNS(name)
	}
	return false
}

func isXMLNS(name string) bool {
	return name == "xmlns" || len(name) > 6 && name[:6] == "xmlns:"
}

// Attr sets an attribute of the element opened last.
func (b *Builder) Attr(name string, value []byte) {
	if len(value) == 0 || !b.wantsAttr(name) {
		return
	}
	f := b.top()
	switch f.role {
	case roleProvider:
		switch name {
		case "Name":
			b.addString(FieldProviderName, value)
		case "Guid":
			b.addString(FieldProviderGUID, value)
		default:
			b.addString(FieldEventSource, value)
		}
	case roleTimeCreated:
		if t, ok := parseSystemTime(value); ok {
			b.ts = t
		}
	case roleCorrelation:
		if name == "ActivityID" {
			b.addString(FieldActivityID, value)
		} else {
			b.addString(FieldRelatedActivityID, value)
		}
	case roleExecution:
		if name == "ProcessID" {
			b.addInt(FieldProcessPID, value)
		} else {
			b.addInt(FieldThreadID, value)
		}
	case roleSecurity:
		b.addString(FieldUserIdentifier, value)
	case roleData:
		f.path = b.dataName(value)
	case roleNested:
		b.addString(b.path(f.path, name), value)
		// The element's text starts after its attributes.
		f.start = len(b.arena)
	case roleEventData:
		// EventData itself rarely has attributes (classic DNS server
		// events name themselves with Name); they join the event data.
		b.addString(b.path("winlog.event_data", name), value)
	}
}

// Text adds text to the content of the element opened last.
func (b *Builder) Text(text []byte) {
	if f := b.top(); f != nil && f.role.text() {
		b.arena = append(b.arena, text...)
	}
}

// textTarget reports whether text for the current element is kept; the
// EVTX decoder then renders values straight into b.arena.
func (b *Builder) textTarget() bool {
	f := b.top()
	return f != nil && f.role.text()
}

// Item ends one item of an array value and starts the next. Windows shows
// an array as its element repeated once per item, so an unnamed
// EventData/Data element gives the next paramN, and any other element a
// list field (the repeated name).
func (b *Builder) Item() {
	f := b.top()
	if f == nil || !f.role.text() {
		return
	}
	if f.role == roleData && f.path == "" && len(b.bounds) == f.bound {
		if len(b.arena) > f.start {
			b.addRange(b.dataField(f), f.start)
		}
		b.dataIdx++
		f.path = ""
		f.start = len(b.arena)
		return
	}
	b.bounds = append(b.bounds, len(b.arena))
}

// End closes the element opened last.
func (b *Builder) End() {
	n := len(b.stack)
	if n == 0 {
		return
	}
	f := b.stack[n-1]
	b.stack = b.stack[:n-1]
	if !f.role.text() {
		return
	}
	if f.children {
		if len(b.bounds) > f.bound {
			b.bounds = b.bounds[:f.bound]
		}
		return
	}
	text := b.arena[f.start:]
	if len(b.bounds) > f.bound {
		b.addList(b.fieldOf(&f), f.start, f.bound)
		return
	}
	if len(text) == 0 {
		return
	}
	switch f.role {
	case roleData, roleNested, roleMessage:
		b.addRange(b.fieldOf(&f), f.start)
	case roleEventID:
		if v, ok := parseInt(text); ok {
			b.push(pending{name: FieldEventID, kind: pendingInt, n: v})
			b.addRange(FieldEventCode, f.start)
		} else {
			b.addRange(FieldEventID, f.start)
		}
	case roleVersion:
		b.addIntRange(FieldVersion, f.start)
	case roleLevel:
		if v, ok := parseInt(text); ok {
			b.push(pending{name: FieldLevel, kind: pendingInt, n: v})
			b.arena = b.arena[:f.start]
			if name := LevelName(v); name != "" {
				start := len(b.arena)
				b.arena = append(b.arena, name...)
				b.addRange(FieldLogLevel, start)
			}
		} else {
			b.addRange(FieldLevel, f.start)
		}
	case roleTask:
		b.addIntRange(FieldTask, f.start)
	case roleOpcode:
		b.addIntRange(FieldOpcode, f.start)
	case roleKeywords:
		b.addRange(FieldKeywords, f.start)
	case roleRecordID:
		b.addIntRange(FieldRecordID, f.start)
	case roleChannel:
		b.addRange(FieldChannel, f.start)
	case roleComputer:
		b.addRange(FieldComputerName, f.start)
		b.push(pending{name: FieldHostName, kind: pendingString, start: f.start, end: len(b.arena)})
	}
}

func (b *Builder) fieldOf(f *frame) string {
	if f.role == roleData {
		return b.dataField(f)
	}
	return f.path
}

func (b *Builder) push(p pending) {
	b.pend = append(b.pend, p)
}

func (b *Builder) addString(name string, value []byte) {
	start := len(b.arena)
	b.arena = append(b.arena, value...)
	b.pend = append(b.pend, pending{name: name, kind: pendingString, start: start, end: len(b.arena)})
}

// addRange adds the arena text from start to its end as a string field.
func (b *Builder) addRange(name string, start int) {
	b.pend = append(b.pend, pending{name: name, kind: pendingString, start: start, end: len(b.arena)})
}

// addIntRange adds the arena text from start as an int field, or as a
// string field when it is not an integer.
func (b *Builder) addIntRange(name string, start int) {
	if v, ok := parseInt(b.arena[start:]); ok {
		b.arena = b.arena[:start]
		b.push(pending{name: name, kind: pendingInt, n: v})
		return
	}
	b.addRange(name, start)
}

func (b *Builder) addInt(name string, value []byte) {
	if v, ok := parseInt(value); ok {
		b.push(pending{name: name, kind: pendingInt, n: v})
		return
	}
	b.addString(name, value)
}

// addList adds the text from start as a list, split at the boundaries
// recorded from bound on: the pending field keeps the bounds range
// [start, boundaries…, end].
func (b *Builder) addList(name string, start, bound int) {
	inner := len(b.bounds) - bound
	b.bounds = append(b.bounds, 0, 0)
	copy(b.bounds[bound+1:], b.bounds[bound:bound+inner])
	b.bounds[bound] = start
	b.bounds[bound+inner+1] = len(b.arena)
	b.push(pending{name: name, kind: pendingList, start: bound, end: bound + inner + 2})
}

// Finish appends the fields of the event to e and sets its @timestamp
// when the event had a TimeCreated/@SystemTime. Fields already in e are
// kept; a name that occurs more than once in the event becomes one list
// field with every value, in order.
func (b *Builder) Finish(e *event.Event) {
	if !b.ts.IsZero() {
		e.Timestamp = b.ts
	}
	if len(b.pend) == 0 {
		return
	}
	s := string(b.arena)
	first := len(e.Fields)
	var sig uint64
	for i := range b.pend {
		p := &b.pend[i]
		var v event.Value
		switch p.kind {
		case pendingString:
			v = event.String(s[p.start:p.end])
		case pendingInt:
			v = event.Int(p.n)
		case pendingList:
			bs := b.bounds[p.start:p.end]
			items := make([]string, 0, len(bs)-1)
			for j := 0; j+1 < len(bs); j++ {
				items = append(items, s[bs[j]:bs[j+1]])
			}
			v = event.List(items)
		}
		bit := uint64(1) << (uint(len(p.name)*7+int(p.name[len(p.name)-1])) & 63)
		if sig&bit != 0 && mergeDuplicate(e.Fields[first:], p.name, v) {
			continue
		}
		sig |= bit
		e.Fields = append(e.Fields, event.Field{Name: p.name, Value: v})
	}
	if b.unnamed {
		addUnnamedData(e, first)
	}
}

// FieldData holds the values of an event's unnamed Data elements, as the
// list Sigma rules read as `Data` (SigmaHQ's Application-log rules: MSSQL,
// MsiInstaller, ESENT); they are also param1, param2, … by position.
const FieldData = PrefixEventData + "Data"

// addUnnamedData adds FieldData, the list of the paramN values among the
// fields from first on, unless the event has a Data element named Data.
func addUnnamedData(e *event.Event, first int) {
	const prefix = PrefixEventData + "param"
	var items []string
	for _, f := range e.Fields[first:] {
		if f.Name == FieldData {
			return
		}
		if !strings.HasPrefix(f.Name, prefix) {
			continue
		}
		if f.Value.Kind() == event.KindList {
			items = append(items, f.Value.List()...)
		} else {
			items = append(items, f.Value.Text())
		}
	}
	if len(items) > 0 {
		e.Fields = append(e.Fields, event.Field{Name: FieldData, Value: event.List(items)})
	}
}

// mergeDuplicate folds v into the field of the same name, if there is one,
// making it a list.
func mergeDuplicate(fields []event.Field, name string, v event.Value) bool {
	for i := range fields {
		f := &fields[i]
		if f.Name != name {
			continue
		}
		var items []string
		if f.Value.Kind() == event.KindList {
			items = append(items, f.Value.List()...)
		} else {
			items = append(items, f.Value.Text())
		}
		if v.Kind() == event.KindList {
			items = append(items, v.List()...)
		} else {
			items = append(items, v.Text())
		}
		f.Value = event.List(items)
		return true
	}
	return false
}

// parseInt parses a decimal integer, or a 0x hex one, as Windows may write
// either.
func parseInt(b []byte) (int64, bool) {
	if len(b) > 2 && b[0] == '0' && (b[1] == 'x' || b[1] == 'X') {
		u, err := strconv.ParseUint(string(b[2:]), 16, 64)
		return int64(u), err == nil
	}
	if len(b) == 0 || len(b) > 19 {
		if len(b) == 20 {
			u, err := strconv.ParseUint(string(b), 10, 64)
			return int64(u), err == nil
		}
		return 0, false
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// parseSystemTime parses the SystemTime attribute: RFC 3339 in UTC with up
// to nine fraction digits (Windows writes seven or nine). The fixed layout
// is parsed by hand; anything else goes through event.ParseTime.
func parseSystemTime(b []byte) (time.Time, bool) {
	if len(b) >= 20 && b[4] == '-' && b[7] == '-' && b[10] == 'T' && b[13] == ':' && b[16] == ':' && b[len(b)-1] == 'Z' {
		num := func(s []byte) (int, bool) {
			n := 0
			for _, c := range s {
				if c < '0' || c > '9' {
					return 0, false
				}
				n = n*10 + int(c-'0')
			}
			return n, true
		}
		y, ok1 := num(b[0:4])
		mo, ok2 := num(b[5:7])
		d, ok3 := num(b[8:10])
		h, ok4 := num(b[11:13])
		mi, ok5 := num(b[14:16])
		s, ok6 := num(b[17:19])
		ns := 0
		ok7 := true
		rest := b[19 : len(b)-1]
		if len(rest) > 0 {
			if rest[0] != '.' || len(rest) > 10 || len(rest) < 2 {
				ok7 = false
			} else {
				ns, ok7 = num(rest[1:])
				for i := len(rest) - 1; i < 9; i++ {
					ns *= 10
				}
			}
		}
		if ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h < 24 && mi < 60 && s < 61 {
			return time.Date(y, time.Month(mo), d, h, mi, s, ns, time.UTC), true
		}
	}
	t, err := event.ParseTime(string(b))
	return t, err == nil
}
