package rfc5424

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/syslogpri"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
)

const format = "rfc5424"

// Field names this package writes besides the priority fields.
const (
	FieldVersion  = "log.syslog.version"
	FieldHostname = "host.hostname"
	FieldHostName = "host.name"
	FieldProcess  = "process.name"
	FieldPID      = "process.pid"
	FieldProcID   = "log.syslog.procid"
	FieldMsgID    = "log.syslog.msgid"
	SDPrefix      = "log.syslog.structured_data."
)

// Parser parses RFC 5424 records. It is not safe for concurrent use.
type Parser struct {
	w     fields.Writer
	names sdNames
}

// New returns a parser.
func New() *Parser { return &Parser{} }

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.w.Begin(e)
	msg, _, err := p.Header(s, &p.w)
	if err == nil && msg != "" {
		p.w.Append(event.FieldMessage, event.String(msg))
	}
	p.w.End()
	return err
}

// Header parses s up to MSG, writing the header fields through w (which
// the caller has begun on the event), and returns MSG (BOM and trailing
// line terminators removed) and its offset in s. It sets no message field:
// callers that parse MSG further (CEF, auto) decide what the message is.
func (p *Parser) Header(s string, w *fields.Writer) (msg string, at int, err error) {
	pri, i, reason := syslogpri.Parse(s)
	if i == 0 {
		return "", 0, formaterr.At(format, "priority", 0, reason)
	}
	// VERSION = NONZERO-DIGIT 0*2DIGIT
	v, j := 0, i
	for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '9' {
		v = v*10 + int(s[j]-'0')
		j++
	}
	if j == i || s[i] == '0' {
		return "", 0, formaterr.At(format, "version", i, "want a version 1-999")
	}
	if j >= len(s) || s[j] != ' ' {
		return "", 0, formaterr.At(format, "version", j, "want a space after the version")
	}
	i = j + 1
	e := w.Event()
	syslogpri.Append(e, pri)
	w.Append(FieldVersion, event.Int(int64(v)))

	// TIMESTAMP
	if nilValue(s, i) {
		i += 2
	} else {
		t, n, bad, reason := timefmt.RFC3339(s[i:])
		if n == 0 {
			return "", 0, formaterr.At(format, "timestamp", i+bad, reason)
		}
		if i+n >= len(s) || s[i+n] != ' ' {
			return "", 0, formaterr.At(format, "timestamp", i+n, "want a space after the timestamp")
		}
		e.Timestamp = t
		i += n + 1
	}

	var tok string
	// HOSTNAME
	if tok, i, err = token(s, i, "hostname"); err != nil {
		return "", 0, err
	}
	if tok != "" {
		w.Append(FieldHostname, event.String(tok))
		w.Append(FieldHostName, event.String(tok))
	}
	// APP-NAME
	if tok, i, err = token(s, i, "app-name"); err != nil {
		return "", 0, err
	}
	if tok != "" {
		w.Append(FieldProcess, event.String(tok))
	}
	// PROCID
	if tok, i, err = token(s, i, "procid"); err != nil {
		return "", 0, err
	}
	if tok != "" {
		if pid, ok := number(tok); ok {
			w.Append(FieldPID, event.Int(pid))
		} else {
			w.Append(FieldProcID, event.String(tok))
		}
	}
	// MSGID
	if tok, i, err = token(s, i, "msgid"); err != nil {
		return "", 0, err
	}
	if tok != "" {
		w.Append(FieldMsgID, event.String(tok))
	}
	// STRUCTURED-DATA
	if i >= len(s) {
		return "", 0, formaterr.At(format, "structured data", i, "missing")
	}
	if s[i] == '-' {
		i++
	} else {
		if i, err = p.structuredData(s, i, w); err != nil {
			return "", 0, err
		}
	}
	if i == len(s) {
		return "", i, nil
	}
	if s[i] != ' ' {
		if isTerminator(s[i:]) {
			return "", i, nil
		}
		return "", 0, formaterr.At(format, "structured data", i, "want a space or the end after structured data")
	}
	i++
	if strings.HasPrefix(s[i:], "\xef\xbb\xbf") {
		i += 3
	}
	return TrimEnd(s[i:]), i, nil
}

// TrimEnd removes line terminators (LF, CR, NUL) that framing left at the
// end of a message.
func TrimEnd(s string) string {
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

func isTerminator(s string) bool { return TrimEnd(s) == "" }

func nilValue(s string, i int) bool {
	return i+1 < len(s) && s[i] == '-' && s[i+1] == ' '
}

// token reads a header field of PRINTUSASCII (33..126) ending in a space;
// "-" (NILVALUE) gives "".
func token(s string, i int, part string) (string, int, error) {
	start := i
	for i < len(s) && s[i] != ' ' {
		if s[i] < 33 || s[i] > 126 {
			return "", 0, formaterr.At(format, part, i, "want printable US-ASCII")
		}
		i++
	}
	if i == start {
		return "", 0, formaterr.At(format, part, i, "empty (NILVALUE is \"-\")")
	}
	if i == len(s) {
		return "", 0, formaterr.At(format, part, i, "record ends inside the header")
	}
	tok := s[start:i]
	if tok == "-" {
		tok = ""
	}
	return tok, i + 1, nil
}

// number parses a decimal int64 without sign, as PROCIDs are written.
func number(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 18 || (s[0] == '0' && len(s) > 1) {
		// "007" stays text: a number would not give it back.
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
