package ingest

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/event"
)

type dateOpts struct {
	Field       string   `yaml:"field"`
	TargetField string   `yaml:"target_field"`
	Formats     []string `yaml:"formats"`
	Timezone    string   `yaml:"timezone"`
}

// now is the clock of year-less dates; tests replace it.
var now = time.Now

// buildDate parses a time with the first format that fits: Java-style
// layouts (yyyy-MM-dd HH:mm:ss, MMM d HH:mm:ss …) or ISO8601, UNIX,
// UNIX_MS. A layout without a year takes the current one, or the last
// one when that puts the time more than a day ahead.
func buildDate(n *yaml.Node, cm common) (func(*event.Event) error, error) {
	var o dateOpts
	if err := decodeNode(n, &o); err != nil {
		return nil, err
	}
	if err := need(o.Field, "field"); err != nil {
		return nil, err
	}
	if o.TargetField == "" {
		o.TargetField = event.FieldTimestamp
	}
	if len(o.Formats) == 0 {
		return nil, errors.New("formats is required")
	}
	loc := time.UTC
	if o.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(o.Timezone); err != nil {
			return nil, fmt.Errorf("timezone: %w", err)
		}
	}
	parsers := make([]func(string) (time.Time, bool), len(o.Formats))
	for i, f := range o.Formats {
		p, err := dateParser(f, loc)
		if err != nil {
			return nil, fmt.Errorf("formats[%d]: %w", i, err)
		}
		parsers[i] = p
	}
	target := o.TargetField
	return func(e *event.Event) error {
		var s string
		if v, ok := e.Get(o.Field); ok && v.Kind() == event.KindFloat {
			// Shortest decimal form, not 1.7e+09: epoch seconds stay exact.
			s = strconv.FormatFloat(v.Float(), 'f', -1, 64)
		} else if s, ok = text(e, o.Field); !ok {
			return cm.missing(o.Field)
		}
		s = strings.TrimSpace(s)
		for _, p := range parsers {
			if t, ok := p(s); ok {
				e.Set(target, event.Time(t.UTC()))
				return nil
			}
		}
		return fmt.Errorf("%s %q fits none of the formats", o.Field, s)
	}, nil
}

func dateParser(format string, loc *time.Location) (func(string) (time.Time, bool), error) {
	switch format {
	case "ISO8601":
		return func(s string) (time.Time, bool) {
			for _, l := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00", "2006-01-02 15:04:05.999999999"} {
				if t, err := time.ParseInLocation(l, s, loc); err == nil {
					return t, true
				}
			}
			return time.Time{}, false
		}, nil
	case "UNIX", "UNIX_MS":
		scale := 1.0
		if format == "UNIX_MS" {
			scale = 1000
		}
		return func(s string) (time.Time, bool) {
			if t, ok := epochDecimal(s, format == "UNIX_MS"); ok {
				return t, true
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return time.Time{}, false
			}
			return event.EpochTime(f / scale), true
		}, nil
	}
	layout, hasYear, err := javaLayout(format)
	if err != nil {
		return nil, err
	}
	var fast *numericLayout
	if hasYear {
		fast = newNumericLayout(layout)
	}
	return func(s string) (time.Time, bool) {
		if fast != nil {
			if t, ok, sure := fast.parse(s, loc); sure {
				return t, ok
			}
		}
		t, err := time.ParseInLocation(layout, s, loc)
		if err != nil {
			return time.Time{}, false
		}
		if !hasYear {
			n := now().In(loc)
			t = t.AddDate(n.Year(), 0, 0)
			if t.After(n.Add(24 * time.Hour)) {
				t = t.AddDate(-1, 0, 0)
			}
		}
		return t, true
	}, nil
}

// javaLayout converts a Java DateTimeFormatter pattern (the form Elastic's
// date processor takes) into a Go layout.
func javaLayout(p string) (layout string, hasYear bool, err error) {
	var b strings.Builder
	for i := 0; i < len(p); {
		c := p[i]
		if c == '\'' {
			j := strings.IndexByte(p[i+1:], '\'')
			if j < 0 {
				return "", false, fmt.Errorf("unclosed quote in %q", p)
			}
			b.WriteString(p[i+1 : i+1+j])
			i += j + 2
			continue
		}
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			b.WriteByte(c)
			i++
			continue
		}
		n := 1
		for i+n < len(p) && p[i+n] == c {
			n++
		}
		i += n
		var tok string
		switch c {
		case 'y', 'u':
			hasYear = true
			tok = "2006"
			if n == 2 {
				tok = "06"
			}
		case 'M':
			tok = map[int]string{1: "1", 2: "01", 3: "Jan"}[n]
			if n >= 4 {
				tok = "January"
			}
		case 'd':
			tok = "_2"
			if n >= 2 {
				tok = "02"
			}
		case 'H':
			tok = "15"
		case 'h':
			tok = "3"
			if n >= 2 {
				tok = "03"
			}
		case 'm':
			tok = "4"
			if n >= 2 {
				tok = "04"
			}
		case 's':
			tok = "5"
			if n >= 2 {
				tok = "05"
			}
		case 'S':
			tok = strings.Repeat("0", n)
			out := b.String()
			if !strings.HasSuffix(out, ".") && !strings.HasSuffix(out, ",") {
				return "", false, fmt.Errorf("fraction of second S must follow . or , in %q", p)
			}
		case 'a':
			tok = "PM"
		case 'E':
			tok = "Mon"
			if n >= 4 {
				tok = "Monday"
			}
		case 'Z':
			tok = "-0700"
			if n == 2 {
				tok = "-07:00"
			}
		case 'X':
			tok = map[int]string{1: "Z07", 2: "Z0700"}[n]
			if n >= 3 {
				tok = "Z07:00"
			}
		case 'x':
			tok = map[int]string{1: "-07", 2: "-0700"}[n]
			if n >= 3 {
				tok = "-07:00"
			}
		case 'z':
			tok = "MST"
		case 'T':
			tok = "T"
		default:
			return "", false, fmt.Errorf("pattern letter %q in %q is not supported", c, p)
		}
		b.WriteString(tok)
	}
	return b.String(), hasYear, nil
}

// epochDecimal reads seconds (or milliseconds) since the epoch written as
// decimal text exactly, without the rounding of a float64.
func epochDecimal(s string, ms bool) (time.Time, bool) {
	whole, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || len(frac) > 9 {
		return time.Time{}, false
	}
	digits := 9
	if ms {
		digits = 6
	}
	var nanos int64
	for i := 0; i < digits; i++ {
		nanos *= 10
		if i < len(frac) {
			c := frac[i]
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
			nanos += int64(c - '0')
		}
	}
	if ms {
		return time.UnixMilli(n).Add(time.Duration(nanos)).UTC(), true
	}
	return time.Unix(n, nanos).UTC(), true
}
