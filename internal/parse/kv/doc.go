// Package kv owns the key=value record format that firewalls, proxies and
// many applications write:
//
//	date=2026-11-23 srcip=10.0.0.1 action="accept" msg="Policy \"web\" matched", user=alice;bytes=42
//
// Pairs are separated by white space; ',' and ';' also separate when a
// "key=" follows them (so "tags=a,b,c" keeps its commas). Keys are
// letters, digits, '_', '.', '-' and '@', and are kept as given (no
// prefix), except envelope names (event.id, vigil.tenant, vigil.source,
// event.original, event.ingested, @timestamp), which become kv.<name>.
// Values are bare (up to the separator) or quoted with " or ' with
// backslash escapes (\" \' \\ \n \r \t; a backslash before anything else
// is kept). Empty values are kept as empty strings. Values are typed with
// event.Infer (ints, floats, bools and IPs when the whole text is one). A
// key that repeats becomes a list of its values' text.
//
// Text that is not a pair (before the first pair, or between pairs) is the
// message ("authentication failure; logname= uid=0" → message
// "authentication failure;"); when the record also has a message key, the
// text goes to kv.text instead. A record without any pair is an error.
package kv
