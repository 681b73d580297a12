package csv

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

const format = "csv"

// Options configure a Parser.
type Options struct {
	// Header names the columns; empty means the first record is the header.
	Header []string
	// Delimiter separates fields; zero means ','.
	Delimiter rune
}

// Parser parses CSV records. It is not safe for concurrent use.
type Parser struct {
	delim   string
	names   []string // field name per column
	raw     []string // the header record as read, to recognise repeats
	learned bool
	w       fields.Writer
	cols    []string
	extra   fields.Names
}

// New returns a parser, or an error for a delimiter that cannot separate
// fields (a quote, a line break, an invalid rune).
func New(opts Options) (*Parser, error) {
	d := opts.Delimiter
	if d == 0 {
		d = ','
	}
	if d == '"' || d == '\r' || d == '\n' || !utf8.ValidRune(d) || d == utf8.RuneError {
		return nil, errors.New("csv: invalid delimiter " + strconv.QuoteRune(d))
	}
	p := &Parser{delim: string(d), extra: fields.Names{Prefix: "csv.column"}}
	if len(opts.Header) > 0 {
		p.setHeader(opts.Header)
	}
	return p, nil
}

func (p *Parser) setHeader(cols []string) {
	p.names = make([]string, len(cols))
	p.raw = make([]string, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		p.raw[i] = strings.Clone(c)
		n := c
		if i == 0 {
			n = strings.TrimPrefix(n, "\xef\xbb\xbf")
		}
		n = strings.TrimSpace(n)
		switch {
		case n == "" || seen[n]:
			n = "csv.column" + strconv.Itoa(i+1)
		case event.IsProtected(n):
			n = "csv." + n
		default:
			n = strings.Clone(n)
		}
		seen[n] = true
		p.names[i] = n
	}
}

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	if s == "" {
		return formaterr.ErrSkip
	}
	cols, err := p.split(s)
	defer clear(p.cols) // keep no strings of the record
	if err != nil {
		return err
	}
	if p.names == nil {
		p.setHeader(cols)
		p.learned = true
		return formaterr.ErrSkip
	}
	if p.learned && p.isHeader(cols) {
		return formaterr.ErrSkip
	}
	p.w.Begin(e)
	for i, c := range cols {
		if c == "" {
			continue
		}
		if i < len(p.names) {
			p.w.Append(p.names[i], event.Infer(c))
		} else {
			p.w.Put(p.extra.Get(strconv.Itoa(i+1)), event.Infer(c))
		}
	}
	p.w.End()
	return nil
}

func (p *Parser) isHeader(cols []string) bool {
	if len(cols) != len(p.raw) {
		return false
	}
	for i := range cols {
		if cols[i] != p.raw[i] {
			return false
		}
	}
	return true
}

// split cuts s into fields. The result is valid until the next call.
func (p *Parser) split(s string) ([]string, error) {
	cols := p.cols[:0]
	d := p.delim
	i := 0
	for {
		if i < len(s) && s[i] == '"' {
			j := i + 1
			doubled := false
			for {
				k := strings.IndexByte(s[j:], '"')
				if k < 0 {
					return nil, formaterr.At(format, "field", i, "quoted field has no closing quote")
				}
				j += k
				if j+1 < len(s) && s[j+1] == '"' {
					doubled = true
					j += 2
					continue
				}
				break
			}
			v := s[i+1 : j]
			if doubled {
				v = strings.ReplaceAll(v, `""`, `"`)
			}
			cols = append(cols, v)
			i = j + 1
			if i == len(s) {
				break
			}
			if !strings.HasPrefix(s[i:], d) {
				return nil, formaterr.At(format, "field", i, "text after the closing quote")
			}
			i += len(d)
			continue
		}
		k := strings.Index(s[i:], d)
		if k < 0 {
			cols = append(cols, s[i:])
			break
		}
		cols = append(cols, s[i:i+k])
		i += k + len(d)
	}
	p.cols = cols
	return cols, nil
}
