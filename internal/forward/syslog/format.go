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
	ts := e.Timestamp
	if ts.IsZero() {
		ts = time.Now()
	}
	host := e.GetString("host.name")
	if o.cfg.Format == FormatRFC3164 {
		dst = append(dst, '<')
		dst = strconv.AppendInt(dst, int64(*o.cfg.Facility*8+o.severity(e)), 10)
		dst = append(dst, '>')
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
	tenant := e.Tenant
	if tenant == "" {
		tenant = event.DefaultTenant
	}
	o.params = append(o.params[:0], Param{"id", e.ID}, Param{"tenant", tenant})
	if e.Source != "" {
		o.params = append(o.params, Param{"source", e.Source})
	}
	o.hdr = Header{Facility: *o.cfg.Facility, Severity: o.severity(e), Time: ts, Hostname: host, AppName: o.cfg.AppName,
		SDID: o.cfg.SDID, Params: o.params}
	dst = AppendHeader(dst, &o.hdr)
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
