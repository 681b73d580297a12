package syslog

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// appendMessage appends one syslog message for e (without framing).
func (o *Output) appendMessage(dst []byte, e *event.Event) []byte {
	pri := *o.cfg.Facility*8 + o.severity(e)
	dst = append(dst, '<')
	dst = strconv.AppendInt(dst, int64(pri), 10)
	dst = append(dst, '>')
	ts := e.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	host := e.GetString("host.name")
	if o.cfg.Format == FormatRFC3164 {
		// Mmm dd hh:mm:ss HOST TAG: MSG (RFC 3164 §4.1.2; the day is
		// space-padded). The time is UTC: 3164 has no zone.
		dst = ts.UTC().AppendFormat(dst, time.Stamp)
		dst = append(dst, ' ')
		dst = appendHeaderField(dst, host, 255)
		dst = append(dst, ' ')
		dst = append(dst, o.cfg.AppName...)
		dst = append(dst, ':', ' ')
		return o.appendBody(dst, e)
	}
	// VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
	dst = append(dst, '1', ' ')
	dst = ts.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
	dst = append(dst, ' ')
	dst = appendHeaderField(dst, host, 255)
	dst = append(dst, ' ')
	dst = append(dst, o.cfg.AppName...)
	dst = append(dst, " - - ["...)
	dst = append(dst, o.cfg.SDID...)
	dst = appendParam(dst, "id", e.ID)
	tenant := e.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	dst = appendParam(dst, "tenant", tenant)
	if e.Source != "" {
		dst = appendParam(dst, "source", e.Source)
	}
	dst = append(dst, ']', ' ')
	return o.appendBody(dst, e)
}

func (o *Output) appendBody(dst []byte, e *event.Event) []byte {
	if o.cfg.Message == MessageOriginal {
		if e.Original != "" {
			return appendOriginal(dst, e)
		}
		return append(dst, e.Message()...)
	}
	return e.AppendJSON(dst)
}

// appendOriginal appends the record as it was received: the exact bytes
// of vigil.original_base64 when the record was not UTF-8 (event.original
// then has U+FFFD in their place; an RFC 5424 MSG may hold any octets), so
// a receiver gets what the sender sent.
func appendOriginal(dst []byte, e *event.Event) []byte {
	if strings.Contains(e.Original, "\uFFFD") {
		if b64 := e.GetString(event.FieldOriginalBase64); b64 != "" {
			if out, err := base64.StdEncoding.AppendDecode(dst, []byte(b64)); err == nil {
				return out
			}
		}
	}
	return append(dst, e.Original...)
}

// severity is the event's own syslog severity when it has one.
func (o *Output) severity(e *event.Event) int {
	if v, ok := e.Get("log.syslog.severity.code"); ok && v.Kind() == event.KindInt && v.Int() >= 0 && v.Int() <= 7 {
		return int(v.Int())
	}
	return *o.cfg.Severity
}

// appendHeaderField appends a header field: printable ASCII without
// spaces, at most max bytes; others bytes become '_', and an empty value
// is the NILVALUE "-".
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

// appendParam appends ` name="value"` with '"', '\' and ']' escaped
// (RFC 5424 §6.3.3).
func appendParam(dst []byte, name, value string) []byte {
	dst = append(dst, ' ')
	dst = append(dst, name...)
	dst = append(dst, '=', '"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '"', '\\', ']':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
