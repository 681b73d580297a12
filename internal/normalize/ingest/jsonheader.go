package ingest

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// A JSON record behind a syslog header ("<14>May 10 11:37:47 fwd-01
// connector: {…}", RFC 5424 with a JSON MSG, rsyslog's "@cee: {…}") is
// parsed by the auto parser into the header's fields and the object's
// keys, so the JSON-keyed pipelines select it as they select the bare
// object. But the header names the sender, not what the record is about:
// its host is the forwarder (an rsyslog relay, a SIEM connector, the
// sensor's manager) and its program the forwarding daemon, while the
// pipeline maps the endpoint, sensor or firewall the JSON names to
// host.name and the process it reports to process.*. A pipeline step that
// fills a field only where it is unset (override: false, if: 'NOT
// host.name:*') would keep the forwarder's.
//
// So while the pipeline runs, the header's host, program and pid are under
// the ECS fields for the syslog header, log.syslog.hostname,
// log.syslog.appname and log.syslog.procid (a pipeline that wants the
// sender reads them), and host.name, host.hostname, process.name and
// process.pid are the JSON's alone. After the pipeline, the header's values
// fill those the pipeline left unset, so a record whose JSON names no host
// keeps the sender's, as a plain syslog record does.

// headerFields are the fields a syslog header sets that a JSON body's
// pipeline maps from the JSON, each with the log.syslog field that keeps
// the header's value.
// with is the index of the field it goes back with (-1: alone).
var headerFields = [...]struct {
	name, syslog string
	with         int
}{
	{"host.name", "log.syslog.hostname", -1},
	{"host.hostname", "log.syslog.hostname", 0},
	{"process.name", "log.syslog.appname", -1},
	{"process.pid", "log.syslog.procid", 2},
}

// asideHeader holds the header's values moved aside for the pipeline.
type asideHeader struct {
	vals  [len(headerFields)]event.Value
	moved [len(headerFields)]bool
}

// jsonBehindHeader returns the text of the syslog header in front of a
// JSON body, given the record's body (the original after its header, a
// suffix of e.Original): "" when the body is no JSON object or the record
// has no header.
func jsonBehindHeader(original, body string) string {
	if len(body) >= len(original) {
		return ""
	}
	b := strings.TrimPrefix(body, "\xef\xbb\xbf") // RFC 5424's BOM
	if strings.HasPrefix(b, "@cee:") {
		b = strings.TrimLeft(b[len("@cee:"):], " ")
	}
	if b == "" || b[0] != '{' {
		return ""
	}
	return original[:len(original)-len(body)]
}

// fromHeader reports whether a header field's value is the header's (the
// JSON's keys are merged over the header's fields, and may have replaced
// it): its text is in the header, a pid as "[pid]" or " pid ".
func fromHeader(header string, name string, v event.Value) bool {
	t := v.Text()
	if t == "" {
		return false
	}
	if name == "process.pid" {
		return strings.Contains(header, "["+t+"]") || strings.Contains(header, " "+t+" ")
	}
	return strings.Contains(header, t)
}

// moveAside moves the header's values of e to log.syslog.*.
func (a *asideHeader) moveAside(e *event.Event, header string) {
	for i, f := range headerFields {
		v, ok := e.Get(f.name)
		if !ok || !fromHeader(header, f.name, v) {
			continue
		}
		a.vals[i], a.moved[i] = v, true
		e.Delete(f.name)
		if !e.Has(f.syslog) {
			e.Set(f.syslog, event.String(v.Text()))
		}
	}
}

// restore fills the fields the pipeline left unset with the header's
// values. The header's host.hostname goes back only with its host.name,
// its pid only with its program: they are not the hostname of a host, or
// the pid of a process, the JSON named.
func (a *asideHeader) restore(e *event.Event) {
	var back [len(headerFields)]bool
	for i, f := range headerFields {
		if !a.moved[i] || e.Has(f.name) {
			continue
		}
		if f.with >= 0 && !back[f.with] {
			continue
		}
		e.Set(f.name, a.vals[i])
		back[i] = true
	}
}
