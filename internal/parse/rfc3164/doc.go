// Package rfc3164 owns the BSD syslog record format (RFC 3164) and the
// variants real senders emit:
//
//	<PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG        RFC 3164, logger --rfc3164
//	<PRI>2026-11-23T10:20:30.123456+01:00 HOST TAG: MSG rsyslog RSYSLOG_ForwardFormat
//	Mmm dd hh:mm:ss HOSTNAME TAG: MSG                  files written by syslogd (no PRI)
//	<PRI>Mmm dd hh:mm:ss TAG: MSG                      no HOSTNAME (local senders)
//	<PRI>Mmm dd yyyy hh:mm:ss[.fff]: ...               year and fraction (Cisco)
//	<PRI>NNN: *Mmm dd hh:mm:ss.fff: ...                sequence number and '*' (Cisco IOS)
//
// Fields: the priority fields (log.syslog.priority, facility and severity
// codes and names, log.level), @timestamp, host.hostname and host.name,
// process.name (TAG without [PID]), process.pid (numeric PID; any other
// goes to log.syslog.procid), event.sequence (Cisco sequence number) and
// message.
//
// How the header is read:
//   - PRI is optional; when present it must be valid.
//   - A record without a timestamp is accepted only after a PRI, and then
//     (RFC 3164 §4.3.3) there is no HOSTNAME: the rest is MSG, from which a
//     TAG is taken only when it ends in ':' ("sshd[12]: …").
//   - BSD timestamps carry no year. The year is inferred from Options.Now:
//     the current year, unless the stamp would then lie more than a day in
//     the future (it is from last year) or more than eleven months in the
//     past (a sender already in the new year: it is from next year). Feb 29
//     goes to the latest leap year not in the future. The zone is
//     Options.Location (UTC when nil). RFC 3339 timestamps carry their own.
//   - The word after the timestamp is the HOSTNAME unless it looks like a
//     TAG: it ends in ':' or contains one of []|="(),; (so "su: …",
//     "sshd[42]: …" and "CEF:0|…" are not taken for host names), or it is
//     the only word (then it is the message).
//   - "last message repeated N times" (and syslogd's "--- last message
//     repeated N times ---") has no TAG: it is all message.
//   - TAG runs to the first ':', '[' or space; a first word holding '='
//     is not a TAG (key=value text follows the header directly). "TAG[PID]:", "TAG:", "TAG"
//     followed by a space (no colon) are all accepted. A TAG containing
//     spaces is accepted only when it starts with a letter or '-' and reaches
//     "[digits]:" within 48 bytes ("Google Chrome[123]: …" as macOS
//     writes it).
//
// The parser is hand-written for speed: it slices every field out of the
// record and allocates nothing on the common path.
package rfc3164
