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
	if s == "" {
		return "", false
	}
	if s[0] != '<' {
		return s, true
	}
	j := strings.IndexByte(s, '>')
	if j <= 0 || j > 4 {
		return s, true
	}
	if e.Has("log.syslog.version") {
		return rfc5424Body(s[j+1:]), true
	}
	if prog := e.GetString("process.name"); prog != "" {
		from := j + 1
		if h := e.GetString("host.hostname"); h != "" {
			if k := strings.Index(s[from:], " "+h+" "); k >= 0 {
				from += k + len(h) + 1
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
				return strings.TrimLeft(rest[1:], " "), true
			}
			// A tag without a colon is the parser's guess at the first
			// word of the message: the message starts there.
			return s[i:], true
		}
	}
	return s[j+1:], true
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
