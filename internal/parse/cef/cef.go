package cef

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/syslogsplit"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
)

const format = "cef"

// Options configure a Parser.
type Options struct {
	// Location is the zone of timestamps that carry none; nil means UTC.
	Location *time.Location
	// Now is the reference for year inference; nil means time.Now.
	Now func() time.Time
}

// Parser parses CEF records. It is not safe for concurrent use.
type Parser struct {
	loc   *time.Location
	now   func() time.Time
	split *syslogsplit.Splitter
	w     fields.Writer
	pairs []pair
	ext   fields.Names
}

type pair struct {
	key, val string
	at       int  // offset of the key in the record
	esc      bool // val holds a backslash
	label    bool // val is the label of another pair: not stored
}

// New returns a parser.
func New(opts Options) *Parser {
	p := &Parser{loc: opts.Location, now: opts.Now, ext: fields.Names{Prefix: "cef.extensions."}}
	if p.loc == nil {
		p.loc = time.UTC
	}
	if p.now == nil {
		p.now = time.Now
	}
	p.split = syslogsplit.New(rfc3164.Options{Location: p.loc, Now: p.now})
	return p
}

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.w.Begin(e)
	err := p.parse(s)
	p.w.End()
	return err
}

func (p *Parser) parse(s string) error {
	body, at, _, err := p.split.Split(s, &p.w, "CEF:")
	if err != nil {
		return err
	}
	if !strings.HasPrefix(body, "CEF:") {
		return formaterr.At(format, "header", at, `want "CEF:"`)
	}
	return p.Body(body, at, &p.w)
}

// Body parses s, which starts with "CEF:", writing fields through w (which
// the caller has begun on the event). at is the offset of s in the record,
// for error positions. The auto format uses it after its own sniffing.
func (p *Parser) Body(s string, at int, w *fields.Writer) error {
	var hdr [7]string
	var esc [7]bool
	i := 4
	ext := ""
	for n := 0; n < 7; n++ {
		start := i
		for i < len(s) && s[i] != '|' {
			if s[i] == '\\' && i+1 < len(s) {
				esc[n] = true
				i++
			}
			i++
		}
		hdr[n] = s[start:i]
		if i >= len(s) {
			if n < 6 {
				return formaterr.At(format, "header", at+i, "want 7 '|'-separated fields after CEF:, found "+strconv.Itoa(n+1))
			}
			break
		}
		i++
		if n == 6 {
			ext = s[i:]
		}
	}
	version, err := strconv.Atoi(strings.TrimSpace(hdr[0]))
	if err != nil || version < 0 {
		return formaterr.At(format, "version", at+4, "want a number")
	}
	if err := p.scan(ext, at+len(s)-len(ext)); err != nil {
		return err
	}
	for n := 1; n < 7; n++ {
		if esc[n] {
			hdr[n] = unescapeHeader(hdr[n])
		}
	}
	w.Append("cef.version", event.Int(int64(version)))
	appendString(w, "observer.vendor", hdr[1])
	appendString(w, "observer.product", hdr[2])
	appendString(w, "observer.version", hdr[3])
	appendString(w, "event.code", hdr[4])
	if sev, ok := severity(hdr[6]); ok {
		w.Append("event.severity", event.Int(sev))
	} else {
		appendString(w, "cef.severity", hdr[6])
	}
	hasMsg := false
	for _, pr := range p.pairs {
		if pr.key == "msg" && pr.val != "" {
			hasMsg = true
		}
	}
	if hasMsg {
		appendString(w, "cef.name", hdr[5])
	} else {
		appendString(w, event.FieldMessage, hdr[5])
	}
	p.extensions(w)
	return nil
}

func appendString(w *fields.Writer, name, s string) {
	if s != "" {
		w.Append(name, event.String(s))
	}
}

// severity maps the header Severity: 0-10, or the words of CEF rev. 25.
func severity(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.Atoi(s); err == nil {
		return int64(n), n >= 0 && n <= 10
	}
	switch strings.ToLower(s) {
	case "low":
		return 3, true
	case "medium":
		return 6, true
	case "high":
		return 8, true
	case "very-high", "very high", "veryhigh":
		return 10, true
	}
	return 0, false
}

// unescapeHeader resolves '\|' and '\\'; other backslashes are kept.
func unescapeHeader(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '|' || s[i+1] == '\\') {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unescapeValue resolves the extension escapes '\=', '\\', '\n', '\r';
// other backslashes are kept.
func unescapeValue(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '=', '\\':
				c = s[i+1]
				i++
			case 'n':
				c = '\n'
				i++
			case 'r':
				c = '\r'
				i++
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
