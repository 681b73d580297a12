package rfc3164

import (
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/syslogpri"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
)

const format = "rfc3164"

// Field names this package writes besides the priority fields.
const (
	FieldHostname = "host.hostname"
	FieldHostName = "host.name"
	FieldProcess  = "process.name"
	FieldPID      = "process.pid"
	FieldProcID   = "log.syslog.procid"
	FieldSequence = "event.sequence"
)

// Options configure a Parser.
type Options struct {
	// Location is the zone of timestamps that carry none; nil means UTC.
	Location *time.Location
	// Now is the reference for year inference; nil means time.Now.
	Now func() time.Time
}

// Parser parses RFC 3164 records. It is not safe for concurrent use.
type Parser struct {
	loc *time.Location
	now func() time.Time
	w   fields.Writer
}

// New returns a parser.
func New(opts Options) *Parser {
	p := &Parser{loc: opts.Location, now: opts.Now}
	if p.loc == nil {
		p.loc = time.UTC
	}
	if p.now == nil {
		p.now = time.Now
	}
	return p
}

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.w.Begin(e)
	h, err := p.Header(s, &p.w)
	if err == nil {
		msg := h.Rest
		if !h.Repeated {
			var tag Tag
			tag, msg = SplitTag(h.Rest, !h.Stamped)
			tag.Append(&p.w)
		}
		if msg != "" {
			p.w.Append(event.FieldMessage, event.String(msg))
		}
	}
	p.w.End()
	return err
}

// Head is what Header found.
type Head struct {
	// Rest is the record after the header: TAG and MSG, line terminators
	// at the end removed.
	Rest string
	// At is the offset of Rest in the record.
	At int
	// Stamped is false for a record with a PRI and no timestamp: Rest is
	// then all MSG (RFC 3164 §4.3.3) and only a TAG ending in ':' is taken.
	Stamped bool
	// Repeated marks syslogd's "last message repeated N times": all MSG.
	Repeated bool
}

// Header parses the PRI, timestamp and HOSTNAME at the start of s, writing
// their fields through w (which the caller has begun on the event), and
// returns the rest. CEF and auto use it to look at what follows the
// hostname before splitting a TAG off.
func (p *Parser) Header(s string, w *fields.Writer) (Head, error) {
	s = trimEnd(s)
	e := w.Event()
	i := 0
	hasPRI := false
	if len(s) > 0 && s[0] == '<' {
		pri, n, reason := syslogpri.Parse(s)
		if n == 0 {
			return Head{}, formaterr.At(format, "priority", 0, reason)
		}
		syslogpri.Append(e, pri)
		hasPRI = true
		i = n
	}
	// Cisco IOS: "<189>123: *Mar  1 00:00:00.000: …": a sequence number,
	// then '*' or '.' when the clock is not synchronised.
	if seq, n := sequence(s[i:]); n > 0 {
		w.Append(FieldSequence, event.Int(seq))
		i += n
	}
	if i < len(s) && (s[i] == '*' || s[i] == '.') && i+1 < len(s) && timefmt.IsMonth(s[i+1:]) {
		i++
	}
	n := 0
	if st, m := timefmt.BSD(s[i:]); m > 0 {
		e.Timestamp = st.Time(p.now(), p.loc)
		n = m
	} else if t, m, _, _ := timefmt.RFC3339(s[i:]); m > 0 {
		e.Timestamp = t
		n = m
	}
	if n == 0 {
		if !hasPRI {
			return Head{}, formaterr.At(format, "timestamp", i, "want a PRI or a timestamp (Mmm dd hh:mm:ss or RFC 3339)")
		}
		rest := trimEnd(s[i:])
		return Head{Rest: rest, At: i}, nil
	}
	i += n
	if i < len(s) && s[i] == ':' { // Cisco: "Oct 11 2026 22:14:15: %ASA-…"
		i++
	}
	if i < len(s) && s[i] != ' ' {
		return Head{}, formaterr.At(format, "timestamp", i, "want a space after the timestamp")
	}
	for i < len(s) && s[i] == ' ' {
		i++
	}
	rest := trimEnd(s[i:])
	if repeated(rest) {
		return Head{Rest: rest, At: i, Stamped: true, Repeated: true}, nil
	}
	if host, ok := hostname(rest); ok {
		w.Append(FieldHostname, event.String(host))
		w.Append(FieldHostName, event.String(host))
		i += len(host)
		for i < len(s) && s[i] == ' ' {
			i++
		}
		rest = trimEnd(s[i:])
		if repeated(rest) {
			return Head{Rest: rest, At: i, Stamped: true, Repeated: true}, nil
		}
	}
	return Head{Rest: rest, At: i, Stamped: true}, nil
}

// sequence reads a Cisco sequence number "NNN: " (1 to 10 digits, colon,
// space) at the start of s.
func sequence(s string) (int64, int) {
	var v int64
	i := 0
	for i < len(s) && i < 10 && s[i] >= '0' && s[i] <= '9' {
		v = v*10 + int64(s[i]-'0')
		i++
	}
	if i == 0 || i+1 >= len(s) || s[i] != ':' || s[i+1] != ' ' {
		return 0, 0
	}
	// A 4-digit number followed by ':' could start an RFC 3339 time only
	// with '-', so "2026: " is still a sequence number.
	return v, i + 2
}

func repeated(s string) bool {
	return strings.HasPrefix(s, "last message repeated ") || strings.HasPrefix(s, "--- last message repeated ")
}

// hostname returns the first word of s when it can be a HOSTNAME.
func hostname(s string) (string, bool) {
	end := strings.IndexByte(s, ' ')
	if end <= 0 {
		return "", false
	}
	h := s[:end]
	if h[len(h)-1] == ':' {
		return "", false
	}
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '[', ']', '|', '=', '"', '(', ')', ',', ';':
			return "", false
		}
		if h[i] < 33 || h[i] == 127 {
			return "", false
		}
	}
	return h, true
}

func trimEnd(s string) string {
	for len(s) > 0 {
		switch s[len(s)-1] {
		case '\n', '\r', 0:
			s = s[:len(s)-1]
			continue
		}
		break
	}
	return s
}
