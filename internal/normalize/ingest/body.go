package ingest

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/containerlog"
)

// FieldRaw names the record's text after its syslog header: the message
// as sent, before any parser split key=value pairs out of it. The auto
// parser moves pairs of a syslog body into fields and keeps only the rest
// as message, so a pipeline that wants the whole text reads _raw.
const FieldRaw = "_raw"

// body returns the original after the syslog header: after the program
// tag ("sshd[42]: ") of RFC 3164, after the structured data of RFC 5424,
// else after the priority, else the whole original. A header without
// the priority (a syslog file: "May 10 11:37:47 mx1 postfix/smtpd[42]: …",
// "2024-05-10T11:37:47Z web01 sshd[42]: …") is skipped the same way when
// the parser found its program or its RFC 5424 version.
func body(e *event.Event) (string, bool) {
	s := recordText(e)
	if s == "" || (s[0] != '<' && !mayBeHeader(s)) {
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

// recordText is the record the body is read from, and what a pipeline
// reads as event.original: the original, or the line inside a container
// runtime's envelope, which the auto parser took off and parsed as the
// record, so a pipeline sees the line as if it had come alone
// (internal/parse/containerlog; other records are told apart by their first
// bytes). The stored event.original keeps the envelope.
func recordText(e *event.Event) string {
	if line, _, ok := containerlog.Split(e.Original); ok {
		return line
	}
	return e.Original
}

// bodyOf is body of the original s given what the parser found: an RFC
// 5424 header, the program and the host.
func bodyOf(s string, rfc5424 bool, prog, host string) string {
	if s == "" {
		return s
	}
	// j is the index of the priority's '>', or -1 where there is none.
	j := -1
	if s[0] == '<' {
		j = strings.IndexByte(s, '>')
		if j <= 0 || j > 4 {
			return s
		}
	} else if !mayBeHeader(s) || (!rfc5424 && prog == "" && host == "") {
		return s
	}
	if rfc5424 {
		return rfc5424Body(s[j+1:])
	}
	if host != "" {
		// No program: a JSON object right after the host name is the
		// body (the auto parser reads it so). A process.name is then not
		// the header's but one a normaliser that ran before the pipelines
		// took from the JSON (the Windows normaliser names a Defender
		// detection's process), and may be found inside the object.
		if k := strings.Index(s[j+1:], " "+host+" {"); k >= 0 {
			return s[j+1+k+len(host)+2:]
		}
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
				if j < 0 && !hasLetter(prog) {
					// Without a priority, a "tag:" with no letter is the
					// parser's guess at a line that is not syslog (an ELB
					// log's client address and port after its time and name).
					return s
				}
				return strings.TrimLeft(rest[1:], " ")
			}
			// A tag without a colon is the parser's guess at the first
			// word of the message: the message starts there.
			return s[i:]
		}
	}
	return s[j+1:]
}

// mayBeHeader reports whether s may open with a syslog header that has no
// priority: an RFC 3164 timestamp ("May 10 "), an ISO 8601 one
// ("2024-05-10T…"), or RFC 5424's version before one ("1 2024-…").
// JSON, CEF, LEEF and key=value text do not.
func mayBeHeader(s string) bool {
	if len(s) < 6 {
		return false
	}
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	isLower := func(c byte) bool { return c >= 'a' && c <= 'z' }
	switch {
	case s[0] >= 'A' && s[0] <= 'Z':
		return isLower(s[1]) && isLower(s[2]) && s[3] == ' '
	case isDigit(s[0]) && s[1] == ' ':
		return isDigit(s[2])
	case isDigit(s[0]):
		return isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-'
	}
	return false
}

func hasLetter(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c >= 'a' && c <= 'z' {
			return true
		}
	}
	return false
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
		end, ok := sdElementEnd(s)
		if !ok {
			return ""
		}
		s = s[end+1:]
	}
	return strings.TrimPrefix(s, " ")
}

// sdElementEnd returns the index of the ] that closes the structured-data
// element s starts with: the first ] outside a quoted value, where a
// backslash in a value escapes the byte after it. It jumps from quote to
// quote with the CPU's byte search (structured data is most of a Junos or
// Windows record's header), and steps over escapes one at a time.
func sdElementEnd(s string) (int, bool) {
	i, k := 1, 0 // k: the first ] at or after i, once i <= k
	for {
		if i >= len(s) {
			return 0, false
		}
		if k < i {
			n := strings.IndexByte(s[i:], ']')
			if n < 0 {
				return 0, false
			}
			k = i + n
		}
		q := strings.IndexByte(s[i:k], '"')
		if q < 0 {
			return k, true
		}
		// A quoted value: find its closing quote.
		j := i + q + 1
		for {
			c := strings.IndexByte(s[j:], '"')
			if c < 0 {
				return 0, false
			}
			b := strings.IndexByte(s[j:j+c], '\\')
			if b < 0 {
				j += c
				break
			}
			j += b + 2 // the backslash and the byte it escapes
			if j >= len(s) {
				return 0, false
			}
		}
		i = j + 1
	}
}
