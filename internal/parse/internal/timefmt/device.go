package timefmt

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Device parses the time forms CEF (rt, start, end) and LEEF (devTime
// without devTimeFormat) allow: Unix epoch milliseconds (seconds when the
// magnitude says so), "MMM dd yyyy HH:mm:ss[.SSS][ zone]", "MMM dd
// HH:mm:ss[.SSS][ zone]" (year inferred as for syslog) and RFC 3339.
// A stamp without a zone is in loc. The zone may be Z, UTC, GMT, a numeric
// offset (+0100, +01:00), a common North-American or European abbreviation
// (PST, CEST, …) or an IANA name (Europe/Berlin).
func Device(s string, now time.Time, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if c := s[0]; c >= '0' && c <= '9' {
		if allDigits(s) {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return time.Time{}, false
			}
			return event.EpochTime(f), true
		}
		if t, n, _, _ := RFC3339(s); n == len(s) {
			return t, true
		}
		t, err := event.ParseTime(s)
		return t, err == nil
	}
	st, n := BSD(s)
	if n == 0 {
		return time.Time{}, false
	}
	rest := s[n:]
	if rest != "" {
		if rest[0] != ' ' {
			return time.Time{}, false
		}
		z, ok := Zone(strings.TrimSpace(rest))
		if !ok {
			return time.Time{}, false
		}
		loc = z
	}
	return st.Time(now, loc), true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < '0' || s[i] > '9') && s[i] != '.' {
			return false
		}
	}
	return true
}

// abbreviations maps the zone abbreviations devices print to their offsets
// in hours. Only unambiguous ones are listed (IST, BST and CST-as-China
// are left out on purpose: guessing wrong shifts every event).
var abbreviations = map[string]int{
	"UTC": 0, "GMT": 0, "UT": 0, "Z": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6,
	"PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10,
	"WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
	"MSK": 3, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}

// Zone returns the location named by a zone suffix: an abbreviation from
// the table above, a numeric offset (+hh, +hhmm, +hh:mm) or an IANA name.
func Zone(z string) (*time.Location, bool) {
	if z == "" {
		return nil, false
	}
	if h, ok := abbreviations[z]; ok {
		if h == 0 {
			return time.UTC, true
		}
		return time.FixedZone(z, h*3600), true
	}
	if z[0] == '+' || z[0] == '-' {
		d := strings.ReplaceAll(z[1:], ":", "")
		var h, m int
		var ok1, ok2 bool
		switch len(d) {
		case 2:
			h, ok1 = digits(d, 0, 2)
			ok2 = true
		case 4:
			h, ok1 = digits(d, 0, 2)
			m, ok2 = digits(d, 2, 2)
		}
		if !ok1 || !ok2 || h > 23 || m > 59 {
			return nil, false
		}
		off := h*3600 + m*60
		if z[0] == '-' {
			off = -off
		}
		if off == 0 {
			return time.UTC, true
		}
		return time.FixedZone("", off), true
	}
	if strings.IndexByte(z, '/') > 0 {
		return loadLocation(z)
	}
	return nil, false
}
