package auto

import (
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/cef"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/syslogsplit"
	"github.com/vigilsiem/vigil/internal/parse/json"
	"github.com/vigilsiem/vigil/internal/parse/kv"
	"github.com/vigilsiem/vigil/internal/parse/leef"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
)

// Options configure a Parser.
type Options struct {
	// Location is the zone of timestamps that carry none; nil means UTC.
	Location *time.Location
	// Now is the reference for year inference; nil means time.Now.
	Now func() time.Time
}

// Parser parses records of any supported format. It is not safe for
// concurrent use.
type Parser struct {
	split *syslogsplit.Splitter
	cef   *cef.Parser
	leef  *leef.Parser
	json  *json.Parser
	kv    *kv.Parser
	w     fields.Writer
}

// New returns a parser.
func New(opts Options) *Parser {
	return &Parser{
		split: syslogsplit.New(rfc3164.Options{Location: opts.Location, Now: opts.Now}),
		cef:   cef.New(cef.Options{Location: opts.Location, Now: opts.Now}),
		leef:  leef.New(leef.Options{Location: opts.Location, Now: opts.Now}),
		json:  json.New(),
		kv:    kv.New(),
	}
}

// Parse implements the parse.Parser contract. It never returns an error.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.w.Begin(e)
	if !p.container(s) {
		p.parse(s)
	}
	p.w.End()
	return nil
}

func (p *Parser) parse(s string) {
	e := p.w.Event()
	received := e.Timestamp
	if p.payload(s, 0) {
		return
	}
	body, at := s, 0
	if !syslogsplit.Stampless(s) {
		// A JSON object right after the host name (no TAG) is the body,
		// as CEF and LEEF are: "{" is no program name.
		b, a, _, err := p.split.Split(s, &p.w, "CEF:", "LEEF:", "{")
		if err == nil {
			body, at = b, a
		} else {
			p.w.Truncate(0)
			e.Timestamp = received
		}
	}
	if at > 0 && p.payload(body, at) {
		return
	}
	if p.keyValue(body, at) {
		return
	}
	if m := trimEnd(body); m != "" {
		p.w.Put(event.FieldMessage, event.String(m))
	}
}

// payload parses s as CEF, LEEF or JSON when it starts like one; false
// (with nothing written) when it does not or the parser rejects it.
func (p *Parser) payload(s string, at int) bool {
	if s == "" {
		return false
	}
	mark, ts := p.w.Mark(), p.w.Event().Timestamp
	var err error
	switch c := s[0]; {
	case c == 'C' && strings.HasPrefix(s, "CEF:"):
		err = p.cef.Body(s, at, &p.w)
	case c == 'L' && strings.HasPrefix(s, "LEEF:"):
		err = p.leef.Body(s, at, &p.w)
	case c == '{' || (c == ' ' || c == '\t') && strings.HasPrefix(strings.TrimLeft(s, " \t"), "{"):
		err = p.json.Body(s, at, &p.w)
	case c == '@' && strings.HasPrefix(s, ceeCookie):
		// rsyslog's CEE cookie (mmjsonparse, omelasticsearch, the
		// lumberjack convention): "@cee:" then a JSON object.
		n := len(ceeCookie)
		for n < len(s) && s[n] == ' ' {
			n++
		}
		if n < len(s) && s[n] == '{' {
			err = p.json.Body(s[n:], at+n, &p.w)
		} else {
			return false
		}
	default:
		return false
	}
	if err != nil || p.w.Mark() == mark {
		// Rejected, or accepted without a single field ("LEEF:1||||"):
		// the text is worth more as the message.
		p.w.Truncate(mark)
		p.w.Event().Timestamp = ts
		return false
	}
	return true
}

// ceeCookie opens a JSON message in the CEE (Common Event Expression)
// convention rsyslog and syslog-ng follow.
const ceeCookie = "@cee:"

// keyValue parses s as key=value text when at least two pairs cover more
// than half of it.
func (p *Parser) keyValue(s string, at int) bool {
	eq := strings.IndexByte(s, '=')
	if eq < 0 || strings.IndexByte(s[eq+1:], '=') < 0 {
		return false
	}
	mark := p.w.Mark()
	st, _, err := p.kv.Body(s, at, &p.w)
	if err == nil && st.Pairs >= 2 && 2*st.Covered > len(strings.TrimSpace(s)) {
		return true
	}
	p.w.Truncate(mark)
	return false
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
