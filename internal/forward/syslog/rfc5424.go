package syslog

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Header is the part of an RFC 5424 message before MSG. It is Vigil's one
// RFC 5424 writer: the syslog output and the syslog response
// (internal/response) both render their messages with AppendHeader.
type Header struct {
	// Facility (0-23) and Severity (0-7) make PRI.
	Facility, Severity int
	Time               time.Time
	// Hostname, AppName, ProcID and MsgID are header fields: see
	// AppendHeader for what becomes of bytes they may not hold.
	Hostname, AppName, ProcID, MsgID string
	// SDID names the one structured-data element, holding Params; with no
	// SDID the structured data is the NILVALUE "-".
	SDID   string
	Params []Param
}

// Param is one SD-PARAM of the structured-data element.
type Param struct{ Name, Value string }

// Lengths of the header fields (RFC 5424 §6).
const (
	maxHostname = 255
	maxAppName  = 48
	maxProcID   = 128
	maxMsgID    = 32
)

// AppendHeader appends h as "<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID
// SD " (the space before MSG included). The one rule for bytes the format
// does not allow:
//
//   - a header field holds printable US-ASCII without spaces (33-126): any
//     other byte becomes '_' (so the receiver sees that something was
//     there, and where), the field is cut to its RFC length (HOSTNAME 255,
//     APP-NAME 48, PROCID 128, MSGID 32), and an empty field is "-";
//   - a PARAM-VALUE is UTF-8: an invalid sequence becomes U+FFFD, and '"',
//     '\' and ']' take a backslash (§6.3.3);
//   - MSG, which the caller appends, may hold any octets (§6.4).
//
// The timestamp is UTC with microseconds.
func AppendHeader(dst []byte, h *Header) []byte {
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(h.Facility*8+h.Severity), 10)
	dst = append(dst, ">1 "...)
	dst = h.Time.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	dst = append(dst, ' ')
	dst = appendHeaderField(dst, h.Hostname, maxHostname)
	dst = append(dst, ' ')
	dst = appendHeaderField(dst, h.AppName, maxAppName)
	dst = append(dst, ' ')
	dst = appendHeaderField(dst, h.ProcID, maxProcID)
	dst = append(dst, ' ')
	dst = appendHeaderField(dst, h.MsgID, maxMsgID)
	dst = append(dst, ' ')
	if h.SDID == "" {
		return append(dst, '-', ' ')
	}
	dst = append(dst, '[')
	dst = appendHeaderField(dst, h.SDID, maxMsgID)
	for _, p := range h.Params {
		dst = appendParam(dst, p.Name, p.Value)
	}
	return append(dst, ']', ' ')
}

// appendHeaderField appends a header field under AppendHeader's rule.
func appendHeaderField(dst []byte, s string, max int) []byte {
	if s == "" {
		return append(dst, '-')
	}
	if len(s) > max {
		s = s[:max]
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			c = '_'
		}
		dst = append(dst, c)
	}
	return dst
}

// appendParam appends ` name="value"` under AppendHeader's rule.
func appendParam(dst []byte, name, value string) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, '=', '"')
	valid := utf8.ValidString(value)
	for i := 0; i < len(value); {
		c := value[i]
		switch {
		case c == '"' || c == '\\' || c == ']':
			dst = append(dst, '\\', c)
		case c < utf8.RuneSelf || valid:
			dst = append(dst, c)
		default:
			r, n := utf8.DecodeRuneInString(value[i:])
			dst = utf8.AppendRune(dst, r) // U+FFFD for an invalid sequence
			i += n
			continue
		}
		i++
	}
	return append(dst, '"')
}
