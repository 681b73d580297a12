// Package winxml owns the Windows Event XML record format: one
// <Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
// document per record, as Windows Event Forwarding collectors, NXLog
// (im_msvistalog with $raw_event as XML) and EvtRender produce it,
// optionally with RenderingInfo (whose Message becomes message).
//
// The fields are exactly those the EVTX decoder gives for the same event:
// both feed evtx.Builder, which owns the layout (see package evtx). A test
// renders every record of the shared EVTX files as XML, parses it back and
// compares.
//
// The parser is hand-written rather than encoding/xml, whose token API
// allocates per token and copies every name and value: this one slices the
// record, decodes entities only where there are some, and interns element
// and attribute names. It accepts a BOM, an XML declaration, comments,
// processing instructions, CDATA, character references and the five
// predefined entities (an unknown entity is kept as written, as Windows
// renders one); it rejects DTDs, mismatched or unclosed tags and anything
// after the root element with an error wrapping parse.ErrFormat. Namespace
// prefixes on element names are dropped.
package winxml

import (
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/evtx"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

const format = "winxml"

// maxDepth bounds element nesting; Windows events nest five or six deep.
const maxDepth = 256

// maxNames bounds the interned names.
const maxNames = 4096

// Parser parses Windows Event XML records. It is not safe for concurrent use.
type Parser struct {
	b     evtx.Builder
	names map[string]string
	stack []string
	text  []byte
}

// New returns a parser.
func New() *Parser { return &Parser{names: make(map[string]string)} }

func fail(part string, pos int, reason string) error {
	return formaterr.At(format, part, pos, reason)
}

// Parse adds the fields of the Windows event in data to e.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	p.b.Reset()
	p.stack = p.stack[:0]
	i := 0
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		i = 3
	}
	root := false
	for i < len(data) {
		c := data[i]
		if c != '<' {
			j := indexByte(data, i, '<')
			if len(p.stack) == 0 {
				if !isSpace(data[i:j]) {
					return fail("content", i, "text outside the root element")
				}
			} else if err := p.textRun(data[i:j], i); err != nil {
				return err
			}
			i = j
			continue
		}
		var err error
		switch {
		case hasPrefix(data, i, "<?"):
			i, err = skipTo(data, i, "?>", "processing instruction")
		case hasPrefix(data, i, "<!--"):
			i, err = skipTo(data, i, "-->", "comment")
		case hasPrefix(data, i, "<![CDATA["):
			if len(p.stack) == 0 {
				return fail("cdata", i, "CDATA outside the root element")
			}
			end := index(data, i+9, "]]>")
			if end < 0 {
				return fail("cdata", i, "unterminated CDATA section")
			}
			p.b.Text(data[i+9 : end])
			i = end + 3
		case hasPrefix(data, i, "<!"):
			return fail("markup", i, "DTDs and declarations are not accepted")
		case hasPrefix(data, i, "</"):
			i, err = p.endTag(data, i)
		default:
			if root && len(p.stack) == 0 {
				return fail("element", i, "a second root element")
			}
			root = true
			i, err = p.startTag(data, i)
		}
		if err != nil {
			return err
		}
	}
	if !root {
		return fail("document", len(data), "no element")
	}
	if len(p.stack) > 0 {
		return fail("document", len(data), "element "+p.stack[len(p.stack)-1]+" is not closed")
	}
	p.b.Finish(e)
	return nil
}

// startTag parses <name attr="v" …> or <name … /> at data[i].
func (p *Parser) startTag(data []byte, i int) (int, error) {
	start := i
	i++
	j := nameEnd(data, i)
	if j == i {
		return 0, fail("element", start, "missing element name")
	}
	name := p.intern(localName(data[i:j]))
	if len(p.stack) == 0 && name != "Event" {
		return 0, fail("element", start, "root element "+name+", want Event")
	}
	if len(p.stack) >= maxDepth {
		return 0, fail("element", start, "nested too deep")
	}
	p.stack = append(p.stack, name)
	p.b.Start(name)
	i = j
	for {
		i = skipSpace(data, i)
		if i >= len(data) {
			return 0, fail("element", start, "unterminated start tag")
		}
		switch data[i] {
		case '>':
			return i + 1, nil
		case '/':
			if i+1 >= len(data) || data[i+1] != '>' {
				return 0, fail("element", i, "'/' not followed by '>'")
			}
			p.stack = p.stack[:len(p.stack)-1]
			p.b.End()
			return i + 2, nil
		}
		k := nameEnd(data, i)
		if k == i {
			return 0, fail("attribute", i, "missing attribute name")
		}
		attr := p.intern(data[i:k])
		i = skipSpace(data, k)
		if i >= len(data) || data[i] != '=' {
			return 0, fail("attribute", i, "missing '='")
		}
		i = skipSpace(data, i+1)
		if i >= len(data) || data[i] != '"' && data[i] != '\'' {
			return 0, fail("attribute", i, "value not quoted")
		}
		q := data[i]
		end := indexByte(data, i+1, q)
		if end >= len(data) {
			return 0, fail("attribute", i, "unterminated value")
		}
		raw := data[i+1 : end]
		if indexByte(raw, 0, '<') < len(raw) {
			return 0, fail("attribute", i, "'<' in a value")
		}
		v, err := p.decode(raw, i+1, true)
		if err != nil {
			return 0, err
		}
		p.b.Attr(attr, v)
		i = end + 1
	}
}

// endTag parses </name> at data[i].
func (p *Parser) endTag(data []byte, i int) (int, error) {
	start := i
	i += 2
	j := nameEnd(data, i)
	name := localName(data[i:j])
	i = skipSpace(data, j)
	if i >= len(data) || data[i] != '>' {
		return 0, fail("end tag", start, "unterminated end tag")
	}
	if len(p.stack) == 0 || p.stack[len(p.stack)-1] != string(name) {
		return 0, fail("end tag", start, "end tag "+string(name)+" does not match the open element")
	}
	p.stack = p.stack[:len(p.stack)-1]
	p.b.End()
	return i + 1, nil
}

// textRun passes element content to the builder, decoding references.
func (p *Parser) textRun(raw []byte, pos int) error {
	v, err := p.decode(raw, pos, false)
	if err != nil {
		return err
	}
	p.b.Text(v)
	return nil
}

// decode resolves character and entity references in raw; attribute
// values also get their tabs and line ends turned into spaces, as XML
// requires. Text without either is returned as is.
func (p *Parser) decode(raw []byte, pos int, attr bool) ([]byte, error) {
	special := false
	for _, c := range raw {
		if c == '&' || attr && (c == '\t' || c == '\n' || c == '\r') || c == '\r' {
			special = true
			break
		}
	}
	if !special {
		return raw, nil
	}
	out := p.text[:0]
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '&':
			end := indexByte(raw, i, ';')
			if end >= len(raw) || end-i > 16 {
				return nil, fail("reference", pos+i, "unterminated reference")
			}
			ref := raw[i+1 : end]
			var ok bool
			out, ok = appendRef(out, ref)
			if !ok {
				return nil, fail("reference", pos+i, "bad character reference")
			}
			i = end
		case c == '\r':
			// Line ends normalise to \n (attributes: to a space).
			if i+1 < len(raw) && raw[i+1] == '\n' {
				i++
			}
			if attr {
				out = append(out, ' ')
			} else {
				out = append(out, '\n')
			}
		case attr && (c == '\t' || c == '\n'):
			out = append(out, ' ')
		default:
			out = append(out, c)
		}
	}
	p.text = out
	return out, nil
}

// appendRef appends what &ref; stands for. Unknown entities are kept as
// written; a character reference must name a valid character.
func appendRef(dst, ref []byte) ([]byte, bool) {
	switch string(ref) {
	case "lt":
		return append(dst, '<'), true
	case "gt":
		return append(dst, '>'), true
	case "amp":
		return append(dst, '&'), true
	case "quot":
		return append(dst, '"'), true
	case "apos":
		return append(dst, '\''), true
	}
	if len(ref) < 2 || ref[0] != '#' {
		if len(ref) == 0 {
			return dst, false
		}
		dst = append(dst, '&')
		dst = append(dst, ref...)
		return append(dst, ';'), true
	}
	var r rune
	digits := ref[1:]
	base := rune(10)
	if digits[0] == 'x' {
		base, digits = 16, digits[1:]
	}
	if len(digits) == 0 {
		return dst, false
	}
	for _, c := range digits {
		var d rune
		switch {
		case c >= '0' && c <= '9':
			d = rune(c - '0')
		case base == 16 && c >= 'a' && c <= 'f':
			d = rune(c-'a') + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = rune(c-'A') + 10
		default:
			return dst, false
		}
		r = r*base + d
		if r > utf8.MaxRune {
			return dst, false
		}
	}
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return utf8.AppendRune(dst, r), true
}

func (p *Parser) intern(b []byte) string {
	if s, ok := p.names[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(p.names) < maxNames {
		p.names[s] = s
	}
	return s
}

// localName drops a namespace prefix.
func localName(b []byte) []byte {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == ':' {
			return b[i+1:]
		}
	}
	return b
}

func nameEnd(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r', '>', '/', '=', '<', '"', '\'':
			return i
		}
		i++
	}
	return i
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

func isSpace(b []byte) bool { return skipSpace(b, 0) == len(b) }

// indexByte returns the index of c in data at or after i, or len(data).
func indexByte(data []byte, i int, c byte) int {
	for ; i < len(data); i++ {
		if data[i] == c {
			return i
		}
	}
	return len(data)
}

func hasPrefix(data []byte, i int, s string) bool {
	return len(data)-i >= len(s) && string(data[i:i+len(s)]) == s
}

func index(data []byte, i int, s string) int {
	for ; i+len(s) <= len(data); i++ {
		if string(data[i:i+len(s)]) == s {
			return i
		}
	}
	return -1
}

func skipTo(data []byte, i int, end, what string) (int, error) {
	j := index(data, i+2, end)
	if j < 0 {
		return 0, fail(what, i, "unterminated "+what)
	}
	return j + len(end), nil
}
