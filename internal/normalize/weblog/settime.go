package weblog

import (
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// setTime makes ts, the time written in the log line, the event's time.
// Access logs and nginx's error log write whole seconds; when the parser
// already found a finer time in the same second (a container runtime's
// envelope stamps each line to the nanosecond: internal/parse/auto), that
// is the same moment told more precisely, and it is kept. The receive time
// (@timestamp still equal to event.ingested) is no time of the line and is
// always replaced.
func setTime(e *event.Event, ts time.Time) {
	ts = ts.UTC()
	if ts.Nanosecond() == 0 && !e.Timestamp.Equal(e.Ingested) && e.Timestamp.Truncate(time.Second).Equal(ts) {
		return
	}
	e.Timestamp = ts
}
