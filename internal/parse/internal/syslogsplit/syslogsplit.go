// Package syslogsplit owns finding a payload format (CEF, LEEF, JSON, …)
// behind an optional syslog header: it parses an RFC 5424 or RFC 3164
// header with those packages and returns the body that follows.
package syslogsplit

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
	"github.com/vigilsiem/vigil/internal/parse/rfc5424"
)

// Kind says which header a record had.
type Kind uint8

// The header kinds.
const (
	None Kind = iota
	RFC5424
	RFC3164
)

// Splitter splits records; it is not safe for concurrent use.
type Splitter struct {
	r5 *rfc5424.Parser
	r3 *rfc3164.Parser
}

// New returns a splitter whose RFC 3164 parser has the given options.
func New(opts rfc3164.Options) *Splitter {
	return &Splitter{r5: rfc5424.New(), r3: rfc3164.New(opts)}
}

// Is5424 reports whether s starts like an RFC 5424 record: "<PRI>" then a
// version number and a space.
func Is5424(s string) bool {
	i := strings.IndexByte(s, '>')
	if i < 2 || i > 4 || s[0] != '<' {
		return false
	}
	j := i + 1
	for j < len(s) && j < i+4 && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	return j > i+1 && j < len(s) && s[j] == ' ' && s[i+1] != '0'
}

// Split parses the header of s, writing its fields through w, and returns
// the body and its offset in s. With no header (s starts with one of
// prefixes) the body is s and the kind None. For RFC 5424 the body is MSG.
// For RFC 3164 it is the text after the hostname when that starts with one
// of prefixes ("host CEF:0|…"), else the message after the TAG, whose
// fields are written too. A record that is not syslog (no PRI and no
// timestamp) or has an invalid header gives an error wrapping ErrFormat;
// the caller rolls back what w got.
func (sp *Splitter) Split(s string, w *fields.Writer, prefixes ...string) (body string, at int, kind Kind, err error) {
	if hasPrefix(s, prefixes) {
		return s, 0, None, nil
	}
	if Is5424(s) {
		msg, at, err := sp.r5.Header(s, w)
		return msg, at, RFC5424, err
	}
	h, err := sp.r3.Header(s, w)
	if err != nil {
		return "", 0, RFC3164, err
	}
	if h.Repeated || hasPrefix(h.Rest, prefixes) {
		return h.Rest, h.At, RFC3164, nil
	}
	tag, msg := rfc3164.SplitTag(h.Rest, !h.Stamped)
	tag.Append(w)
	return msg, h.At + len(h.Rest) - len(msg), RFC3164, nil
}

func hasPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// Stampless reports whether s has neither a PRI nor something a syslog
// header could start with, so Split would fail: callers that sniff (auto)
// skip the attempt.
func Stampless(s string) bool {
	if s == "" {
		return true
	}
	c := s[0]
	return c != '<' && !(c >= '0' && c <= '9') && !(len(s) > 3 && s[3] == ' ' && timefmt.IsMonth(s))
}
