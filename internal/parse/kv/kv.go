package kv

import (
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

const format = "kv"

// Parser parses key=value records. It is not safe for concurrent use.
type Parser struct {
	own  fields.Writer
	prot fields.Names
	text []string
}

// New returns a parser.
func New() *Parser { return &Parser{prot: fields.Names{Prefix: "kv."}} }

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.own.Begin(e)
	_, _, err := p.Body(s, 0, &p.own)
	p.own.End()
	return err
}

// Stats describe how much of a body was key=value pairs; auto uses them
// to decide whether a body is kv at all.
type Stats struct {
	Pairs   int // number of pairs
	Covered int // bytes of the body inside pairs
}

// Body parses s, writing fields through w (which the caller has begun on
// the event); at is the offset of s in the record, for error positions.
// It returns what it found besides writing it, so a caller can judge and
// roll back with w.Truncate.
func (p *Parser) Body(s string, at int, w *fields.Writer) (Stats, string, error) {
	var st Stats
	p.text = p.text[:0]
	textStart, textEnd := -1, -1 // the span of text while it is contiguous
	contiguous := true
	lastWasPair := false
	i := 0
	for {
		i = skipSpace(s, i)
		if i >= len(s) {
			break
		}
		if key, val, quoted, end, ok := pairAt(s, i); ok {
			if quoted && strings.IndexByte(val, '\\') >= 0 {
				val = unescape(val)
			}
			w.Collect(p.name(key), event.Infer(val))
			st.Pairs++
			st.Covered += end - i
			i = end
			if i < len(s) && (s[i] == ',' || s[i] == ';') {
				i++
			}
			lastWasPair = true
			continue
		}
		end := i
		for end < len(s) && !isSpace(s[end]) {
			end++
		}
		if end == i+1 && (s[i] == ',' || s[i] == ';') && lastWasPair {
			i = end // a separator standing alone between pairs
			continue
		}
		if textStart < 0 {
			textStart = i
		} else if lastWasPair {
			contiguous = false
		}
		textEnd = end
		p.text = append(p.text, s[i:end])
		lastWasPair = false
		i = end
	}
	if st.Pairs == 0 {
		return st, "", formaterr.At(format, "record", at, "no key=value pairs")
	}
	text := ""
	switch {
	case textStart < 0:
	case contiguous:
		text = s[textStart:textEnd]
	default:
		text = strings.Join(p.text, " ")
	}
	clear(p.text)
	if text != "" {
		name := event.FieldMessage
		if w.Find(event.FieldMessage) >= 0 {
			name = "kv.text"
		}
		w.Put(name, event.String(text))
	}
	return st, text, nil
}

func (p *Parser) name(key string) string {
	if c := key[0]; (c == '@' || c == 'e' || c == 'v') && event.IsProtected(key) {
		return p.prot.Get(key)
	}
	return key
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(s string, i int) int {
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// IsKeyChar reports whether c may appear in a key.
func IsKeyChar(c byte) bool { return keyChars[c] }

var keyChars = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '@'
	}
	return t
}()

// keyAt returns the end of "key=" at s[i], or -1.
func keyAt(s string, i int) int {
	j := i
	for j < len(s) && keyChars[s[j]] {
		j++
	}
	if j == i || j >= len(s) || s[j] != '=' {
		return -1
	}
	return j
}

// pairAt reads "key=value" at s[i]. end is the index after the value.
func pairAt(s string, i int) (key, val string, quoted bool, end int, ok bool) {
	eq := keyAt(s, i)
	if eq < 0 {
		return "", "", false, 0, false
	}
	key = s[i:eq]
	v := eq + 1
	if v < len(s) && (s[v] == '"' || s[v] == '\'') {
		q := s[v]
		for j := v + 1; j < len(s); j++ {
			if s[j] == '\\' {
				j++
				continue
			}
			if s[j] == q {
				return key, s[v+1 : j], true, j + 1, true
			}
		}
		// No closing quote: the value is bare, quote included.
	}
	j := v
	for j < len(s) && !isSpace(s[j]) {
		if c := s[j]; c == ',' || c == ';' {
			if k := skipSpace(s, j+1); k < len(s) && keyAt(s, k) >= 0 {
				break
			}
		}
		j++
	}
	return key, s[v:j], false, j, true
}

// unescape resolves \" \' \\ \n \r \t; other backslashes are kept.
func unescape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			switch s[i+1] {
			case '"', '\'', '\\':
				c = s[i+1]
				i++
			case 'n':
				c = '\n'
				i++
			case 'r':
				c = '\r'
				i++
			case 't':
				c = '\t'
				i++
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
