package api

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

// ParseTimeParam reads a time bound as users write it: RFC 3339, a Unix
// epoch number, "now", or a duration relative to now ("-15m", "now-1h",
// "-7d"). The empty string is the zero time (an open bound).
func ParseTimeParam(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return time.Time{}, nil
	case s == "now":
		return now.UTC(), nil
	}
	rel := strings.TrimPrefix(s, "now")
	if strings.HasPrefix(rel, "-") || strings.HasPrefix(rel, "+") {
		d, err := config.ParseDuration(rel[1:])
		if err != nil {
			return time.Time{}, fmt.Errorf("time %q: %w", s, err)
		}
		if rel[0] == '-' {
			d = -d
		}
		return now.Add(d).UTC(), nil
	}
	t, err := event.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("time %q: want RFC 3339, epoch seconds, now or -15m style: %w", s, err)
	}
	return t, nil
}
