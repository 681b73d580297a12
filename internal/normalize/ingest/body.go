package ingest

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// FieldRaw names the record's text after its syslog header: the message
// as sent, before any parser split key=value pairs out of it. The auto
// parser moves pairs of a syslog body into fields and keeps only the rest
// as message, so a pipeline that wants the whole text reads _raw.
const FieldRaw = "_raw"

// body returns the original after the syslog header: after the program
// tag ("sshd[42]: ") of RFC 3164, after the structured data of RFC 5424,
// else after the priority, else the whole original.
func body(e *event.Event) (string, bool) {
	s := e.Original
	if s == "" || s[0] != '<' {
		return s, s != ""
	}
	// One pass finds the three fields bodyOf needs.
	// The first of a name counts, as with Get.
	rfc5424 := false
	var prog, host string
	var progSet, hostSet bool
	for i := range e.Fields {
		f := &e.Fields[i]
		switch f.Name {
		case "log.syslog.version":
			rfc5424 = true
		case "process.name":
			if !progSet {
				prog, progSet = textOf(f.Value), true
			}
		case "host.hostname":
			if !hostSet {
				host, hostSet = textOf(f.Value), true
			}
		}
	}
	return bodyOf(s, rfc5424, prog, host), true
}

// bodyOf is body of the original s given what the parser found: an RFC
// 5424 header, the program and the host.
func bodyOf(s string, rfc5424 bool, prog, host string) string {
	if s == "" || s[0] != '<' {
		return s
	}
	j := strings.IndexByte(s, '>')
	if j <= 0 || j > 4 {
		return s
	}
	if rfc5424 {
		return rfc5424Body(s[j+1:])
	}
	if prog != "" {
		from := j + 1
		if host != "" {
			if k := strings.Index(s[from:], " "+host+" "); k >= 0 {
				from += k + len(host) + 1
			}
		}
		if i := strings.Index(s[from:], prog); i >= 0 {
			i += from
			rest := s[i+len(prog):]
			if strings.HasPrefix(rest, "[") {
				if k := strings.IndexByte(rest, ']'); k >= 0 {
					rest = rest[k+1:]
				}
			}
			if strings.HasPrefix(rest, ":") {
				return strings.TrimLeft(rest[1:], " ")
			}
			// A tag without a colon is the parser's guess at the first
			// word of the message: the message starts there.
			return s[i:]
		}
	}
	return s[j+1:]
}

// rfc5424Body skips VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID and
// the structured data.
func rfc5424Body(s string) string {
	for n := 0; n < 6; n++ {
		i := strings.IndexByte(s, ' ')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	if strings.HasPrefix(s, "-") {
		return strings.TrimPrefix(strings.TrimPrefix(s, "-"), " ")
	}
	for strings.HasPrefix(s, "[") {
		i := 1
		for i < len(s) && s[i] != ']' {
			if s[i] == '"' {
				i++
				for i < len(s) && s[i] != '"' {
					if s[i] == '\\' {
						i++
					}
					i++
				}
			}
			i++
		}
		if i >= len(s) {
			return ""
		}
		s = s[i+1:]
	}
	return strings.TrimPrefix(s, " ")
}
