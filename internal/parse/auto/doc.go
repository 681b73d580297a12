// Package auto owns the "auto" format: it recognises what each record is
// and parses it with the right format package. It never fails: a record it
// cannot place still becomes an event whose message is the record.
//
// The decision, cheapest test first, so most records pay for one parse:
//
//  1. The record starts with "CEF:" → cef; "LEEF:" → leef; "{" → json.
//  2. Otherwise, when it can start a syslog header ('<', a digit, a month
//     name): "<PRI>VERSION " → the RFC 5424 header, else the RFC 3164 header
//     (which also reads rsyslog's forward format, a missing PRI or
//     HOSTNAME, Cisco stamps). Its fields are kept and the body is the MSG
//     (5424) or the message after the TAG (3164); for "host CEF:0|…" the
//     body starts after the hostname. A record whose header does not parse
//     is all body.
//     A JSON object right after the hostname ("<13>Nov 23 10:00:00 h {…}",
//     no TAG) is the body, as CEF is.
//  3. The body: "CEF:" → cef, "LEEF:" → leef, "{" or rsyslog's CEE cookie
//     "@cee: {" → json (its fields are merged over the header's; a JSON
//     message replaces the syslog one); text
//     with at least two key=value pairs that cover more than half of it →
//     kv (text outside the pairs is the message); anything else is the
//     message.
//
// When a body parser rejects its input (a "{" that is not JSON, a broken CEF
// header), its fields are rolled back and the body is kept as the message:
// the record is never lost, and the header fields stay.
//
// A record that is a JSON batch ({"records":[…]}, json.Split) is split by
// the pipeline before it reaches the parser, as for the json format.
//
// Before step 1, a container runtime's envelope (a Kubernetes CRI line
// "TIME STREAM F|P LINE", a Docker json-file record {"log":…}) is taken
// off and its line parsed by the steps above; the envelope's time,
// stream and attributes are written over the line's fields (container.go,
// docs/formats.md#container-log-envelopes).
package auto
