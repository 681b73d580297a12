// Package rfc5424 owns the RFC 5424 syslog record format:
//
//	<PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
//
// It maps a record to ECS fields: log.syslog.priority, facility and
// severity (codes and names), log.level, log.syslog.version, @timestamp,
// host.hostname and host.name, process.name (APP-NAME), process.pid
// (numeric PROCID; any other PROCID goes to log.syslog.procid),
// log.syslog.msgid, log.syslog.structured_data.<SD-ID>.<PARAM-NAME> (string
// values; a parameter repeated within an SD-ID becomes a list) and message.
// NILVALUE ("-") fields are absent.
//
// The parser is written by hand, not taken from leodido/go-syslog, because
// that library rejects rsyslog's forward-format timestamps and could not
// slice fields out of the record without copying (see DESIGN §10). It is
// strict on structure and reports the byte where a record goes wrong
// ("rfc5424: timestamp at 5: want a 4-digit year"), and lenient where real
// senders differ from the RFC without ambiguity: header fields longer than
// the RFC's maxima, 1 to 9 fraction digits, lower-case 't'/'z', an
// unescaped ']' inside a quoted PARAM-VALUE. A UTF-8 BOM at the start of
// MSG and line terminators (CR, LF, NUL) at its end are removed.
package rfc5424
