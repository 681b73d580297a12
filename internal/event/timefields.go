package event

import (
	"strconv"
	"strings"
	"time"
)

// The fields that give a record without @timestamp its event time, in order
// of preference: the first present one that parses as a time (ParseTime:
// RFC 3339 or a space for the T, with or without zone; epoch s/ms/µs/ns by
// magnitude) between 1980 and 2200 is the event time. Windows' own record
// time comes first (TimeCreated, or TimeCreated.SystemTime /
// TimeCreated.@SystemTime at any depth, then NXLog's EventTime); then the
// generic names of application logs; then the creation times of cloud and
// SaaS audit logs (CloudTrail eventTime, Azure time/TimeGenerated,
// Microsoft 365 CreationTime, Entra ID createdDateTime, Okta published,
// GuardDuty createdAt); Zeek's ts; and date last, as it is often a day
// alone. docs/formats.md lists them.
const (
	timeRankNone = iota
	timeRankTimeCreated
	timeRankEventTime
	timeRankTimestamp
	timeRankTimestampUpper
	timeRankTime
	timeRankEventTimeLower
	timeRankTimeGenerated
	timeRankCreationTime
	timeRankCreatedDateTime
	timeRankPublished
	timeRankCreatedAt
	timeRankTs
	timeRankDate
	// NumTimeRanks bounds TimeFieldRank.
	NumTimeRanks
)

// TimeFieldRank returns the preference of a field name as the event time
// (1 is the most preferred), or 0 when it is none of the time fields.
// The names are top-level ones; TimeCreated's SystemTime counts at any
// depth too (IsSystemTime), with TimeCreated's rank.
func TimeFieldRank(name string) int {
	switch name {
	case "TimeCreated":
		return timeRankTimeCreated
	case "EventTime":
		return timeRankEventTime
	case "timestamp":
		return timeRankTimestamp
	case "Timestamp":
		return timeRankTimestampUpper
	case "time":
		return timeRankTime
	case "eventTime":
		return timeRankEventTimeLower
	case "TimeGenerated":
		return timeRankTimeGenerated
	case "CreationTime":
		return timeRankCreationTime
	case "createdDateTime":
		return timeRankCreatedDateTime
	case "published":
		return timeRankPublished
	case "createdAt":
		return timeRankCreatedAt
	case "ts":
		return timeRankTs
	case "date":
		return timeRankDate
	}
	return timeRankNone
}

// IsSystemTime reports whether a flattened name is a TimeCreated element's
// SystemTime (TimeCreated.SystemTime, TimeCreated.@SystemTime, at the top
// or below it).
func IsSystemTime(name string) bool {
	for _, leaf := range [...]string{"TimeCreated.SystemTime", "TimeCreated.@SystemTime"} {
		if strings.HasSuffix(name, leaf) && (len(name) == len(leaf) || name[len(name)-len(leaf)-1] == '.') {
			return true
		}
	}
	return false
}

// RecordTime parses the value of a time field as an event time: text
// (ParseTime) or a number of epoch units, between 1980 and 2200. Integers
// are exact to the nanosecond.
func RecordTime(v Value) (time.Time, bool) {
	var t time.Time
	switch v.kind {
	case KindString:
		var err error
		if t, err = ParseTime(v.s); err != nil {
			return time.Time{}, false
		}
	case KindInt:
		t = epochInt(v.Int())
	case KindFloat:
		t = EpochTime(v.Float())
	case KindTime:
		t = v.Time()
	default:
		return time.Time{}, false
	}
	return t, PlausibleTime(t)
}

// RecordNumberTime is RecordTime for a number written as text (a JSON
// number literal), exact for integers.
func RecordNumberTime(raw string) (time.Time, bool) {
	if strings.IndexAny(raw, ".eE") < 0 {
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			t := epochInt(n)
			return t, PlausibleTime(t)
		}
	}
	t, err := ParseTime(raw)
	return t, err == nil && PlausibleTime(t)
}

// PlausibleTime says whether a stand-in time field holds an event time
// rather than a duration or a counter that shares its name ("time": 0.25):
// between 1980 and 2200.
func PlausibleTime(t time.Time) bool {
	y := t.Year()
	return y >= 1980 && y < 2200
}

// epochInt is EpochTime for an integer, exact to the nanosecond (a
// float64 keeps only about 16 digits).
func epochInt(n int64) time.Time {
	abs := n
	if abs < 0 {
		abs = -abs
	}
	switch {
	case abs < 1e11:
		return time.Unix(n, 0).UTC()
	case abs < 1e14:
		return time.UnixMilli(n).UTC()
	case abs < 1e17:
		return time.UnixMicro(n).UTC()
	default:
		return time.Unix(0, n).UTC()
	}
}

// FindRecordTime returns the event time the fields of e carry in one of
// the time fields (TimeFieldRank), the most preferred that parses. Sources
// that build events themselves (Elasticsearch bulk, HEC events) get their
// time from it when the record has no @timestamp.
func FindRecordTime(e *Event) (time.Time, bool) {
	best, rank := time.Time{}, NumTimeRanks
	for i := range e.Fields {
		n := e.Fields[i].Name
		r := TimeFieldRank(n)
		if r == timeRankNone && len(n) > len("TimeCreated.SystemTime") && IsSystemTime(n) {
			r = timeRankTimeCreated
		}
		if r == timeRankNone || r >= rank {
			continue
		}
		if t, ok := RecordTime(e.Fields[i].Value); ok {
			best, rank = t, r
		}
	}
	return best, rank < NumTimeRanks
}
