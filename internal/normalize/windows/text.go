package windows

import (
	"strconv"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/event/winlog"
)

// Windows events forwarded as text over syslog are brought to the EVTX
// layout too, from two shapes:
//
//   - Snare (and agents writing its format: LogLogic, Snare Enterprise):
//     tab-separated tokens after the literal MSWinEventLog, optionally after
//     a syslog header, tabs written as real tabs or as rsyslog's "#011":
//     MSWinEventLog, criticality, log name (winlog.channel), Snare counter,
//     date, event id, source (winlog.provider_name), user
//     (winlog.user.name, DOMAIN\ split off), SID type, event log type
//     ("Success Audit"/"Failure Audit": winlog.keywords), computer
//     (winlog.computer_name, host.name), category (winlog.task_name), then
//     the data and expanded strings (the message) and an optional counter
//     or checksum and key=value extras. The RFC 3164 parser takes the
//     tab-joined head (or the host name Snare repeats) for a TAG; the
//     normaliser reads the record again from event.original (or from
//     process.name and message) and removes process.name and process.pid.
//   - The message rendered as text with the provider as the syslog program
//     (NXLog's to_syslog_bsd, eventlog-to-syslog, Kiwi, rsyslog's
//     imfile of such files): "Microsoft-Windows-Security-Auditing[600]:
//     4625: An account failed to log on. …", with or without the "4625:"
//     (then the first sentence names the event: textEventIDs). The program
//     becomes winlog.provider_name, its pid winlog.process.pid, the syslog
//     host winlog.computer_name; process.name and process.pid are removed
//     (they named the provider, not a process of the event).
//
// The message's "Label: Value" sections become winlog.event_data.* under
// the names the EVTX layout uses (text_labels.go); message keeps the text.
// Security audit events get winlog.keywords from the Snare event type or,
// without it, from the event (4625 and 4771 fail, 4768/4769/4776 fail when
// their status is not 0x0), so event.outcome comes out as from EVTX.

// snareTag is the literal that starts a Snare record.
const snareTag = "MSWinEventLog"

// textProviders are the syslog programs that carry a Windows event's
// provider, with the provider's full name and its channel.
var textProviders = map[string][2]string{
	"Microsoft-Windows-Security-Auditing": {"Microsoft-Windows-Security-Auditing", "Security"},
	"Security-Auditing":                   {"Microsoft-Windows-Security-Auditing", "Security"},
	"Security":                            {"Microsoft-Windows-Security-Auditing", "Security"},
	"Service Control Manager":             {"Service Control Manager", "System"},
	"Service_Control_Manager":             {"Service Control Manager", "System"},
	"Microsoft-Windows-Eventlog":          {"Microsoft-Windows-Eventlog", "Security"},
	"EventLog":                            {"EventLog", "System"},
	"Microsoft-Windows-Sysmon":            {"Microsoft-Windows-Sysmon", "Microsoft-Windows-Sysmon/Operational"},
}

// normalizeText maps a Snare record or a Windows message sent as syslog
// text, given its process.name and message; it reports whether e was one.
func normalizeText(e *event.Event, pn, msg string) bool {
	if strings.HasPrefix(pn, snareTag) {
		rec := e.Original
		if i := strings.Index(rec, snareTag); i >= 0 {
			rec = rec[i:]
		} else {
			rec = pn + " " + msg
		}
		return normalizeSnare(e, rec)
	}
	if pn != "" && (pn[0] == 'M' || pn[0] == 'S' || pn[0] == 'E') {
		if p, ok := textProviders[pn]; ok {
			return normalizeSyslogText(e, p[0], p[1])
		}
	}
	head := msg
	if len(head) > 96 {
		head = head[:96]
	}
	if i := strings.Index(head, snareTag); i >= 0 {
		return normalizeSnare(e, msg[i:])
	}
	return false
}

// snareSplit splits a Snare record at its tabs (or "#011").
func snareSplit(rec string) []string {
	sep := "\t"
	if strings.IndexByte(rec, '\t') < 0 {
		sep = "#011"
	}
	return strings.SplitN(strings.TrimRight(rec, "\r\n"), sep, 24)
}

func normalizeSnare(e *event.Event, rec string) bool {
	t := snareSplit(rec)
	if len(t) < 12 || t[0] != snareTag {
		return false
	}
	id, err := strconv.ParseInt(strings.TrimSpace(t[5]), 10, 64)
	if err != nil || id < 0 || id > 65535 {
		return false
	}
	// The message is the longest of the tokens after the category: data
	// string, expanded string, then a counter or checksum and extras.
	msg := ""
	for _, s := range t[12:] {
		if s = strings.TrimSpace(s); len(s) > len(msg) {
			msg = s
		}
	}
	// The syslog program of a Snare record is the tab-joined head or the
	// second host name Snare writes, never a process of the event.
	e.Delete("process.name")
	e.Delete("process.pid")
	w := textEvent{e: e, id: id}
	w.set(winlog.FieldChannel, strings.TrimSpace(t[2]))
	w.provider = strings.TrimSpace(t[6])
	w.set(winlog.FieldProviderName, w.provider)
	if u := strings.TrimSpace(t[7]); u != "" && u != "N/A" {
		if dom, name, ok := strings.Cut(u, `\`); ok {
			w.set("winlog.user.domain", dom)
			w.set("winlog.user.name", name)
		} else {
			w.set("winlog.user.name", u)
		}
	}
	switch strings.TrimSpace(t[9]) {
	case "Success Audit", "Audit Success", "AUDIT_SUCCESS":
		w.keywords = auditKeywords["Audit Success"]
	case "Failure Audit", "Audit Failure", "AUDIT_FAILURE":
		w.keywords = auditKeywords["Audit Failure"]
	}
	if c := strings.TrimSpace(t[10]); c != "" {
		w.set(winlog.FieldComputerName, c)
		e.Set(winlog.FieldHostName, event.String(c))
	}
	if c := strings.TrimSpace(t[11]); c != "" && c != "None" {
		w.set("winlog.task_name", c)
	}
	w.finish(msg)
	return true
}

func normalizeSyslogText(e *event.Event, provider, channel string) bool {
	msg := strings.TrimSpace(e.Message())
	var id int64 = -1
	if n := digitsPrefix(msg); n > 0 && n < 6 && n < len(msg) && msg[n] == ':' {
		id, _ = strconv.ParseInt(msg[:n], 10, 64)
		msg = strings.TrimSpace(msg[n+1:])
	} else {
		for s, i := range textEventIDs {
			if strings.HasPrefix(msg, s) {
				id = i
				break
			}
		}
	}
	if id < 0 {
		return false
	}
	pid, hasPID := e.Get("process.pid")
	e.Delete("process.name")
	e.Delete("process.pid")
	w := textEvent{e: e, id: id, provider: provider}
	if id == 1102 {
		channel = "Security"
	}
	w.set(winlog.FieldChannel, channel)
	w.set(winlog.FieldProviderName, provider)
	if hasPID {
		if p, ok := intOf(pid); ok {
			w.add(winlog.FieldProcessPID, event.Int(p))
		}
	}
	if h := e.GetString(winlog.FieldHostName); h != "" {
		w.set(winlog.FieldComputerName, h)
	}
	w.finish(msg)
	return true
}

// dataNames holds the full field names of the event-data names, so the
// common ones cost no concatenation.
var dataNames = func() map[string]string {
	m := map[string]string{}
	add := func(n string) {
		m[winlog.PrefixEventData+n] = ""
		m[winlog.PrefixUserData+n] = ""
	}
	for _, n := range textLabels {
		add(n)
	}
	for _, o := range eventLabels {
		for _, n := range o {
			add(n)
		}
	}
	for k := range m {
		m[k] = k
	}
	return m
}()

// dataName returns prefix+name, from dataNames when it is there.
func dataName(prefix, name string) string {
	var buf [64]byte
	if len(prefix)+len(name) <= len(buf) {
		k := append(append(buf[:0], prefix...), name...)
		if n, ok := dataNames[string(k)]; ok {
			return n
		}
	}
	return prefix + name
}

func digitsPrefix(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// textEvent builds the layout of one text event.
type textEvent struct {
	e        *event.Event
	id       int64
	keywords string
	provider string
}

func (w *textEvent) add(name string, v event.Value) {
	w.e.Fields = append(w.e.Fields, event.Field{Name: name, Value: v})
}

func (w *textEvent) set(name, v string) {
	if v != "" {
		w.add(name, event.String(v))
	}
}

// finish writes the event id, the event data of msg, the keywords and the
// message.
func (w *textEvent) finish(msg string) {
	e := w.e
	w.add(winlog.FieldEventID, event.Int(w.id))
	code := strconv.FormatInt(w.id, 10)
	status := ""
	prefix := winlog.PrefixEventData
	if w.id == 1102 {
		prefix = winlog.PrefixUserData
	}
	over := eventLabels[w.id]
	var seen [32]string
	nseen := 0
	parseLabels(msg, over, func(name, value string) {
		if name == "Status" {
			status = value
		}
		// The first of a repeated label wins: in the rendered order the
		// first is the one the event data holds.
		for _, n := range seen[:nseen] {
			if n == name {
				return
			}
		}
		if nseen < len(seen) {
			seen[nseen] = name
			nseen++
		}
		w.set(dataName(prefix, name), value)
	})
	if w.keywords == "" && w.provider == "Microsoft-Windows-Security-Auditing" {
		w.keywords = auditKeywords["Audit Success"]
		switch w.id {
		case 4625, 4771:
			w.keywords = auditKeywords["Audit Failure"]
		case 4768, 4769, 4776:
			if status != "" && status != "0x0" {
				w.keywords = auditKeywords["Audit Failure"]
			}
		}
	}
	if w.keywords != "" {
		w.add(winlog.FieldKeywords, event.String(w.keywords))
	}
	e.Reindex()
	e.Set(winlog.FieldEventCode, event.String(code))
	if msg != "" {
		e.Set(event.FieldMessage, event.String(msg))
	}
}

// parseLabels calls fn with the event-data name and value of each known
// label in msg. A label is a known name (text_labels.go) followed by ':'
// and starting msg or after white space; its value runs to the next known
// label. Unknown "Word:" text stays in the value it is in.
func parseLabels(msg string, over map[labelKey]string, fn func(name, value string)) {
	class := secNone
	label, valStart := "", -1
	emit := func(end int) {
		if valStart < 0 {
			return
		}
		v := strings.TrimLeft(msg[valStart:end], " \t\r\n")
		if c, ok := textHeaders[label]; ok && v == "" {
			class = c
			return
		}
		name := lookupLabel(over, class, label)
		if name != "TaskContent" {
			// A value is one line: the text after a line break or
			// a run of white space (a flattened line break) is the
			// event's explanation, not the value.
			if j := strings.IndexAny(v, "\t\r\n"); j >= 0 {
				v = v[:j]
			}
			if j := strings.Index(v, "  "); j >= 0 {
				v = v[:j]
			}
		}
		if v = strings.TrimSpace(v); name != "" && v != "" {
			fn(name, v)
		}
	}
	for i := 0; i < len(msg); i++ {
		if msg[i] != ':' {
			continue
		}
		start := labelBefore(msg, i)
		if start < 0 {
			continue
		}
		emit(start)
		label, valStart = msg[start:i], i+1
	}
	emit(len(msg))
}

// lookupLabel returns the event-data name of label under class.
func lookupLabel(over map[labelKey]string, class uint8, label string) string {
	for _, c := range [2]uint8{class, secNone} {
		k := labelKey{c, label}
		if n, ok := over[k]; ok {
			return n
		}
		if n, ok := textLabels[k]; ok {
			return n
		}
	}
	return ""
}

// labelBefore returns where the longest known label ending at msg[colon]
// starts, or -1.
func labelBefore(msg string, colon int) int {
	best := -1
	lo := max(0, colon-textLabelMax-1)
	for k := colon - 1; k >= lo; k-- {
		c := msg[k]
		// A label's words are one space apart: a colon, a line break, a
		// tab or two spaces end the search.
		if c == ':' || c == '\t' || c == '\n' || c == '\r' || c == ' ' && k > 0 && msg[k-1] == ' ' {
			break
		}
		// Every label starts a word with a capital letter.
		if c < 'A' || c > 'Z' || k > 0 && !isSpace(msg[k-1]) {
			continue
		}
		l := msg[k:colon]
		if isKnownLabel(l) {
			best = k
		}
	}
	return best
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// isKnownLabel reports whether l is a header or a label of any class.
func isKnownLabel(l string) bool { return knownLabels[l] }

var knownLabels = func() map[string]bool {
	m := map[string]bool{}
	for h := range textHeaders {
		m[h] = true
	}
	for k := range textLabels {
		m[k.label] = true
	}
	for _, o := range eventLabels {
		for k := range o {
			m[k.label] = true
		}
	}
	return m
}()
