// Package timefmt owns the timestamp grammars of the record parsers: RFC
// 3339 as syslog and JSON senders write it, the BSD syslog stamp
// ("Oct 11 22:14:15") with the year inferred, the CEF/LEEF device time
// forms, and Java SimpleDateFormat patterns (LEEF devTimeFormat).
//
// The RFC 3339 and BSD readers are written by hand instead of using
// time.Parse: they run once per record on the hot path, must report how
// many bytes they consumed (the stamp is followed by more header), and
// accept what senders emit beyond the layouts time.Parse knows (1 to 9
// fraction digits, rsyslog's microseconds, a year inside the BSD stamp).
package timefmt
