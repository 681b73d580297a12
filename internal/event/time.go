package event

import (
	"errors"
	"math"
	"strconv"
	"time"
)

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02",
}

// FieldTimeGuessed is true on an event whose record carried no time Vigil
// could read: its @timestamp is the time Vigil received it (docs/formats.md).
const FieldTimeGuessed = "vigil.time_guessed"

// ErrBadTime is returned by ParseTime for text that is not a time.
var ErrBadTime = errors.New("not a recognised time")

// ParseTime parses the time formats logs commonly carry: RFC 3339 with or
// without fraction and zone (no zone means UTC), a space instead of the T,
// and Unix epoch seconds, milliseconds, microseconds or nanoseconds (chosen
// by magnitude). The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, ErrBadTime
	}
	if c := s[0]; c >= '0' && c <= '9' && len(s) < 10 || isNumber(s) {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return time.Time{}, ErrBadTime
		}
		return EpochTime(f), nil
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, ErrBadTime
}

func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' && !dot {
			dot = true
			continue
		}
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// EpochTime converts a Unix epoch number to a time, guessing its unit from
// its magnitude: seconds up to 1e11 (year 5138), then milliseconds,
// microseconds and nanoseconds.
func EpochTime(f float64) time.Time {
	abs := math.Abs(f)
	switch {
	case abs < 1e11:
		sec, frac := math.Modf(f)
		return time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC()
	case abs < 1e14:
		return time.UnixMicro(int64(f * 1e3)).UTC()
	case abs < 1e17:
		return time.UnixMicro(int64(f)).UTC()
	default:
		return time.Unix(0, int64(f)).UTC()
	}
}
