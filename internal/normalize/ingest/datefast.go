package ingest

import (
	"strings"
	"time"
)

// numericLayout is a Go time layout made of the fixed-width numbers 2006
// 01 02 15 04 05 and separators ("2006/01/02 15:04:05"), optionally
// followed by a time zone (" -0700", "Z07:00"). It parses the text that
// fits it exactly, where time.ParseInLocation costs a few hundred
// nanoseconds, and its error an allocation: the date step of most
// firewall pipelines. It is sure of its answer only where
// time.ParseInLocation would give the same; elsewhere the caller asks
// time.ParseInLocation.
type numericLayout struct {
	toks []byte // 'Y' (4 digits), 'M', 'D', 'h', 'm', 's' (2 digits), or a literal byte
	n    int    // the length of a text the layout takes
	zone bool   // a time zone other than -0700 follows them
	// numbers and nNumbers, of a layout that ends with a -0700 zone, are
	// how many of toks come before it and its spaces, and their length.
	numbers, nNumbers int
}

// newNumericLayout returns the numericLayout of layout, or nil.
func newNumericLayout(layout string) *numericLayout {
	l := &numericLayout{}
	numbers := map[string]byte{"2006": 'Y', "01": 'M', "02": 'D', "15": 'h', "04": 'm', "05": 's'}
	for i := 0; i < len(layout); {
		tok := ""
		for _, t := range []string{"2006", "01", "02", "15", "04", "05"} {
			if strings.HasPrefix(layout[i:], t) {
				tok = t
				break
			}
		}
		switch c := layout[i]; {
		case tok != "":
			l.toks = append(l.toks, numbers[tok])
			l.n += len(tok)
			i += len(tok)
		case strings.HasPrefix(layout[i:], "-0700") && i+len("-0700") == len(layout):
			// A numeric zone that ends the layout: +hhmm or -hhmm. A
			// space of the layout before it matches one space of the
			// text here (the fast path takes only that).
			l.numbers, l.nNumbers = len(l.toks), l.n
			for l.numbers > 0 && l.toks[l.numbers-1] == ' ' {
				l.numbers--
				l.nNumbers--
			}
			l.toks = append(l.toks, 'z')
			l.n += len("-0700")
			return l.check()
		case c == '-' && strings.HasPrefix(layout[i+1:], "07"),
			c == 'Z' && strings.HasPrefix(layout[i+1:], "07"),
			strings.HasPrefix(layout[i:], "MST"):
			// A time zone: nothing of the text may be left for it. A
			// space of the layout before it matches no space too.
			for len(l.toks) > 0 && l.toks[len(l.toks)-1] == ' ' {
				l.toks = l.toks[:len(l.toks)-1]
				l.n--
			}
			l.zone = true
			return l.check()
		case c == ' ' || c == '/' || c == ':' || c == 'T' || c == '-':
			// Bytes Go's layout reads as themselves (a - not before 07).
			l.toks = append(l.toks, c)
			l.n++
			i++
		default:
			return nil
		}
	}
	return l.check()
}

// check keeps a layout with a year, a month and a day (what the fast
// path builds a date from); the others go to time.ParseInLocation.
func (l *numericLayout) check() *numericLayout {
	var has [256]bool
	for _, t := range l.toks {
		has[t] = true
	}
	if !has['Y'] || !has['M'] || !has['D'] {
		return nil
	}
	return l
}

// parse parses s. sure is false when time.ParseInLocation must decide.
func (l *numericLayout) parse(s string, loc *time.Location) (t time.Time, ok, sure bool) {
	toks, zone := l.toks, l.zone
	if len(s) != l.n {
		if l.numbers == 0 || len(s) != l.nNumbers {
			return time.Time{}, false, false
		}
		// The text may be the numbers without the -0700 zone: Go fails.
		toks, zone = l.toks[:l.numbers], true
	}
	var v [256]int
	i := 0
	offset, hasOffset := 0, false
	for _, tok := range toks {
		w := 2
		switch tok {
		case 'z':
			sign := s[i]
			if sign != '+' && sign != '-' {
				return time.Time{}, false, false
			}
			n := 0
			for _, c := range []byte(s[i+1 : i+5]) {
				if c < '0' || c > '9' {
					return time.Time{}, false, false
				}
				n = n*10 + int(c-'0')
			}
			hh, mm := n/100, n%100
			if hh > 24 || mm > 60 {
				return time.Time{}, false, false
			}
			offset, hasOffset = (hh*60+mm)*60, true
			if sign == '-' {
				offset = -offset
			}
			i += 5
			continue
		case 'Y':
			w = 4
		case 'M', 'D', 'h', 'm', 's':
		default:
			if s[i] != tok {
				return time.Time{}, false, false
			}
			i++
			continue
		}
		n := 0
		for _, c := range []byte(s[i : i+w]) {
			if c < '0' || c > '9' {
				return time.Time{}, false, false
			}
			n = n*10 + int(c-'0')
		}
		v[tok] = n
		i += w
	}
	if zone {
		// The numbers took the whole text, each as many digits as Go
		// reads for it: the zone finds nothing, and Go fails.
		return time.Time{}, false, true
	}
	year, month, day := v['Y'], v['M'], v['D']
	if month < 1 || month > 12 || day < 1 || day > daysIn(time.Month(month), year) || v['h'] > 23 || v['m'] > 59 || v['s'] > 59 {
		return time.Time{}, false, false
	}
	if hasOffset {
		// The instant Go gives (its location, a fixed zone or the
		// local one of that offset, is not kept: date stores UTC).
		t := time.Date(year, time.Month(month), day, v['h'], v['m'], v['s'], 0, time.UTC)
		return t.Add(-time.Duration(offset) * time.Second), true, true
	}
	return time.Date(year, time.Month(month), day, v['h'], v['m'], v['s'], 0, loc), true, true
}

func daysIn(m time.Month, year int) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}
