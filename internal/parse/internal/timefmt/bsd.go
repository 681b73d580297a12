package timefmt

import "time"

// Stamp is a timestamp as a BSD syslog header writes it: no zone, and
// usually no year.
type Stamp struct {
	Year  int // 0 when the stamp has none
	Month time.Month
	Day   int
	Hour  int
	Min   int
	Sec   int
	Nsec  int
}

// BSD reads a BSD syslog timestamp at the start of s and returns the bytes
// consumed (0 when s does not start with one). Accepted forms:
//
//	Oct 11 22:14:15        RFC 3164
//	Oct  1 22:14:15        space-padded day
//	Oct 1 22:14:15         unpadded day
//	Oct 11 22:14:15.123    1 to 9 fraction digits
//	Oct 11 2026 22:14:15   year before the time (Cisco, CEF rt)
//
// The month name is matched without regard to case.
func BSD(s string) (st Stamp, n int) {
	if len(s) < 14 {
		return Stamp{}, 0
	}
	m := monthOf(s)
	if m == 0 || s[3] != ' ' {
		return Stamp{}, 0
	}
	i := 4
	if s[i] == ' ' {
		i++
	}
	day := 0
	j := i
	for j < len(s) && j < i+2 && s[j] >= '0' && s[j] <= '9' {
		day = day*10 + int(s[j]-'0')
		j++
	}
	if j == i || day < 1 || day > 31 || j >= len(s) || s[j] != ' ' {
		return Stamp{}, 0
	}
	i = j + 1
	year := 0
	if y, ok := digits(s, i, 4); ok && i+4 < len(s) && s[i+4] == ' ' {
		year = y
		i += 5
	}
	hour, min, sec, ok := clock(s, i)
	if !ok {
		return Stamp{}, 0
	}
	i += 8
	nsec, i, ok := fraction(s, i)
	if !ok {
		return Stamp{}, 0
	}
	if year != 0 && day > daysIn(m, year) {
		return Stamp{}, 0
	}
	return Stamp{Year: year, Month: m, Day: day, Hour: hour, Min: min, Sec: sec, Nsec: nsec}, i
}

// monthOf returns the month named by the first three bytes of s, or 0.
func monthOf(s string) time.Month {
	if len(s) < 3 {
		return 0
	}
	// Fold ASCII letters to lower case; a non-letter gives no match below.
	a, b, c := s[0]|0x20, s[1]|0x20, s[2]|0x20
	switch a {
	case 'j':
		switch {
		case b == 'a' && c == 'n':
			return time.January
		case b == 'u' && c == 'n':
			return time.June
		case b == 'u' && c == 'l':
			return time.July
		}
	case 'f':
		if b == 'e' && c == 'b' {
			return time.February
		}
	case 'm':
		if b == 'a' && c == 'r' {
			return time.March
		}
		if b == 'a' && c == 'y' {
			return time.May
		}
	case 'a':
		if b == 'p' && c == 'r' {
			return time.April
		}
		if b == 'u' && c == 'g' {
			return time.August
		}
	case 's':
		if b == 'e' && c == 'p' {
			return time.September
		}
	case 'o':
		if b == 'c' && c == 't' {
			return time.October
		}
	case 'n':
		if b == 'o' && c == 'v' {
			return time.November
		}
	case 'd':
		if b == 'e' && c == 'c' {
			return time.December
		}
	}
	return 0
}

// IsMonth reports whether s starts with an English month abbreviation.
func IsMonth(s string) bool { return monthOf(s) != 0 }

// The year-inference window: a stamp up to a day ahead of the reference
// time is accepted as clock skew between sender and receiver; further ahead
// it is taken to be from last year. A stamp more than eleven months behind
// is taken to be from next year: a sender whose clock already turned the
// year (Jan 1 00:00:05 seen on Dec 31 23:59:58) or records replayed across
// New Year.
const (
	futureSkew = 24 * time.Hour
	pastMonths = 11
)

// Time returns the stamp as a time in loc (nil means UTC). A stamp without
// a year gets the year that puts it nearest to now by the rule documented
// at futureSkew: in the year of now, unless that is more than a day in the
// future (then the year before) or more than eleven months in the past
// (then the year after). Feb 29 in a year without one goes to the most
// recent leap year that is not in the future.
func (st Stamp) Time(now time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	if st.Year != 0 {
		return st.at(st.Year, loc).UTC()
	}
	y := now.In(loc).Year()
	limit := now.Add(futureSkew)
	if st.Month != time.February || st.Day != 29 || isLeap(y) {
		t := st.at(y, loc)
		switch {
		case t.After(limit):
			if st.Month != time.February || st.Day != 29 {
				return st.at(y-1, loc).UTC()
			}
		case t.Before(now.AddDate(0, -pastMonths, 0)):
			if st.Month != time.February || st.Day != 29 || isLeap(y+1) {
				return st.at(y+1, loc).UTC()
			}
		default:
			return t.UTC()
		}
	}
	for yy := y + 1; yy > y-9; yy-- {
		if !isLeap(yy) {
			continue
		}
		if t := st.at(yy, loc); !t.After(limit) {
			return t.UTC()
		}
	}
	return st.at(y, loc).UTC()
}

func (st Stamp) at(year int, loc *time.Location) time.Time {
	return time.Date(year, st.Month, st.Day, st.Hour, st.Min, st.Sec, st.Nsec, loc)
}
