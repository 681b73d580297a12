package timefmt

import "time"

// RFC3339 reads an RFC 3339 timestamp at the start of s:
// YYYY-MM-DD"T"hh:mm:ss[.1*9DIGIT](Z|+hh:mm|-hh:mm). "t" and "z" are
// accepted in lower case (RFC 3339 §5.6). It returns the time in UTC and
// the bytes consumed; n is 0 on failure and then bad is the offset of the
// offending byte and reason says what was wanted.
func RFC3339(s string) (t time.Time, n int, bad int, reason string) {
	if len(s) < 20 {
		return time.Time{}, 0, len(s), "too short for an RFC 3339 timestamp"
	}
	year, ok := digits(s, 0, 4)
	if !ok {
		return time.Time{}, 0, 0, "want a 4-digit year"
	}
	if s[4] != '-' {
		return time.Time{}, 0, 4, "want '-' after the year"
	}
	month, ok := digits(s, 5, 2)
	if !ok || month < 1 || month > 12 {
		return time.Time{}, 0, 5, "want a month 01-12"
	}
	if s[7] != '-' {
		return time.Time{}, 0, 7, "want '-' after the month"
	}
	day, ok := digits(s, 8, 2)
	if !ok || day < 1 || day > daysIn(time.Month(month), year) {
		return time.Time{}, 0, 8, "want a day of the month"
	}
	if s[10] != 'T' && s[10] != 't' {
		return time.Time{}, 0, 10, "want 'T' between date and time"
	}
	hour, min, sec, ok := clock(s, 11)
	if !ok {
		return time.Time{}, 0, 11, "want hh:mm:ss"
	}
	i := 19
	nsec, i, ok := fraction(s, i)
	if !ok {
		return time.Time{}, 0, i, "want 1 to 9 fraction digits"
	}
	if i >= len(s) {
		return time.Time{}, 0, i, "want a time zone offset"
	}
	var off int
	switch s[i] {
	case 'Z', 'z':
		i++
	case '+', '-':
		if len(s) < i+6 || s[i+3] != ':' {
			return time.Time{}, 0, i, "want an offset +hh:mm"
		}
		oh, ok1 := digits(s, i+1, 2)
		om, ok2 := digits(s, i+4, 2)
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return time.Time{}, 0, i, "want an offset +hh:mm"
		}
		off = oh*3600 + om*60
		if s[i] == '-' {
			off = -off
		}
		i += 6
	default:
		return time.Time{}, 0, i, "want 'Z' or an offset"
	}
	t = time.Date(year, time.Month(month), day, hour, min, sec, nsec, time.UTC)
	if off != 0 {
		t = t.Add(-time.Duration(off) * time.Second)
	}
	return t, i, 0, ""
}

// digits reads exactly n decimal digits at s[i:].
func digits(s string, i, n int) (int, bool) {
	if i+n > len(s) {
		return 0, false
	}
	v := 0
	for _, c := range []byte(s[i : i+n]) {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// clock reads hh:mm:ss at s[i:]. Second 60 (a leap second) is accepted and
// lands on the next minute, as time.Date normalises it.
func clock(s string, i int) (hour, min, sec int, ok bool) {
	if i+8 > len(s) || s[i+2] != ':' || s[i+5] != ':' {
		return 0, 0, 0, false
	}
	hour, ok1 := digits(s, i, 2)
	min, ok2 := digits(s, i+3, 2)
	sec, ok3 := digits(s, i+6, 2)
	if !ok1 || !ok2 || !ok3 || hour > 23 || min > 59 || sec > 60 {
		return 0, 0, 0, false
	}
	return hour, min, sec, true
}

// fraction reads an optional "." or "," followed by 1 to 9 digits at s[i:]
// and returns nanoseconds and the index after it.
func fraction(s string, i int) (nsec, next int, ok bool) {
	if i >= len(s) || (s[i] != '.' && s[i] != ',') {
		return 0, i, true
	}
	j := i + 1
	scale := 100000000
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		if j-i > 9 {
			return 0, j, false
		}
		nsec += int(s[j]-'0') * scale
		scale /= 10
		j++
	}
	if j == i+1 {
		return 0, j, false
	}
	return nsec, j, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if isLeap(year) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}
