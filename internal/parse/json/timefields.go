package json

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// Without @timestamp (slot 0), the time fields of event.TimeFieldRank give
// a record its event time, each in the slot of its rank.
const numTimeFields = event.NumTimeRanks

// slotTimeCreated is the slot of TimeCreated, which nested SystemTime
// values (Windows XML rendered as JSON) fill too.
var slotTimeCreated = event.TimeFieldRank("TimeCreated")

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
