package json

import "strings"

// The fields that give a record without @timestamp its event time, in order
// of preference: the first present one that parses as a time (RFC 3339 or
// a space for the T, with or without zone; epoch s/ms/µs/ns by magnitude)
// between 1980 and 2200 sets @timestamp. They are kept as fields too.
// Windows' own record time comes first; then the generic names of
// application logs; then the creation times of cloud and SaaS audit logs
// (CloudTrail eventTime, Azure time/TimeGenerated, Microsoft 365
// CreationTime, Entra ID createdDateTime, Okta published, GuardDuty
// createdAt); Zeek's ts; and date last, as it is often a day alone.
const (
	slotTimestamp = iota // @timestamp, handled apart: it may not be kept
	slotTimeCreated
	slotEventTimeUpper
	slotTimestampLower
	slotTimestampUpper
	slotTime
	slotEventTime
	slotTimeGenerated
	slotCreationTime
	slotCreatedDateTime
	slotPublished
	slotCreatedAt
	slotTs
	slotDate
	numTimeFields
)

// timeField returns the slot of a top-level key, 0 when it is none.
func timeField(key string) int {
	switch key {
	case "TimeCreated":
		return slotTimeCreated
	case "EventTime":
		return slotEventTimeUpper
	case "timestamp":
		return slotTimestampLower
	case "Timestamp":
		return slotTimestampUpper
	case "time":
		return slotTime
	case "eventTime":
		return slotEventTime
	case "TimeGenerated":
		return slotTimeGenerated
	case "CreationTime":
		return slotCreationTime
	case "createdDateTime":
		return slotCreatedDateTime
	case "published":
		return slotPublished
	case "createdAt":
		return slotCreatedAt
	case "ts":
		return slotTs
	case "date":
		return slotDate
	}
	return 0
}

// isTimeCreated says whether the object being read (path, dotted, with a
// trailing dot) is a TimeCreated element: TimeCreated. at the top or
// .TimeCreated. below it.
func isTimeCreated(path []byte) bool {
	const name = "TimeCreated."
	if !strings.HasSuffix(string(path), name) {
		return false
	}
	return len(path) == len(name) || path[len(path)-len(name)-1] == '.'
}
