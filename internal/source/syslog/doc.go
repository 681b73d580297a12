// Package syslog owns the syslog listeners: UDP (RFC 5426), TCP (RFC 6587)
// and TLS (RFC 5425), registered as source type "syslog".
//
// Framing over TCP and TLS is detected per connection from its first byte:
// a digit means octet counting (RFC 6587 §3.4.1, "LEN SP MSG"), anything
// else non-transparent framing, where a message ends at LF, CRLF or NUL. A
// complete message is handed to the connection's pipeline.Batcher as soon as
// its terminator arrives, never held back for the next one; a final message
// without a terminator is handed on when the connection closes or has been
// quiet for PartialFlush. An octet-counted header that is not "LEN SP"
// (a log line that merely starts with a digit) switches the connection to
// LF framing, so its bytes become messages instead of being dropped.
// Messages longer than max_message_bytes are cut to that length; the cut is
// counted as a discard.
//
// UDP: one datagram is one message, as RFC 5426 §3.1 requires ("each syslog
// UDP datagram MUST contain only one syslog message") and as rsyslog,
// syslog-ng, logger and network devices send. Line feeds inside a datagram
// belong to the message (multi-line messages are legal); trailing LF, CR and
// NUL are trimmed. Datagrams are never cut: the read buffer holds the largest
// possible UDP payload.
//
// Event ids: syslog records have no position, so identical messages are
// numbered by their occurrence (event.Occurrences): within the connection
// for TCP and TLS, within the listener's life for UDP. Three identical
// failed logins within a second are three events with three ids.
//
// Back-pressure: when the pipeline is full, Batcher.Add blocks, the
// connection stops being read and TCP pushes back on the sender. UDP cannot
// push back: the kernel drops datagrams once the socket buffer (8 MiB asked
// for) is full.
//
// The framing decoder is written here rather than taken from a library:
// leodido/go-syslog's octet-counting scanner holds the last LF-framed message
// until the next one arrives (DESIGN §10), which breaks "searchable within 2
// seconds" for low-rate senders.
package syslog
