package json

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/ecsvalue"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
)

const format = "json"

// maxDepth bounds nesting: deeper records are refused rather than
// recursed into (each level is a Go stack frame and a longer field name).
const maxDepth = 64

// namesMax bounds the flattened names remembered.
const namesMax = 4096

// Parser parses JSON records. It is not safe for concurrent use.
type Parser struct {
	own   fields.Writer
	w     *fields.Writer
	s     string
	path  []byte            // the dotted prefix of the object being read
	names map[string]string // flattened name cache: path+key → string
	prot  fields.Names      // "json." + envelope name
	items []string
	times [numTimeFields]timeCandidate // by timeField slot
	msg   bool
}

type timeCandidate struct {
	raw     string
	number  bool
	present bool
}

// New returns a parser.
func New() *Parser {
	return &Parser{names: map[string]string{}, prot: fields.Names{Prefix: "json."}}
}

// Parse implements the parse.Parser contract.
func (p *Parser) Parse(data []byte, e *event.Event) error {
	s := fields.Text(data, e)
	p.own.Begin(e)
	err := p.Body(s, 0, &p.own)
	p.own.End()
	return err
}

// Body parses s, a JSON object with optional surrounding white space,
// writing fields through w (which the caller has begun on the event); at
// is the offset of s in the record, for error positions.
func (p *Parser) Body(s string, at int, w *fields.Writer) (err error) {
	p.s = s
	p.path = p.path[:0]
	p.times = [numTimeFields]timeCandidate{}
	p.msg = false
	p.w = w
	defer func() {
		p.w = nil
		p.s = ""
		err = formaterr.Shift(err, at)
	}()
	i := skipSpace(s, 0)
	if strings.HasPrefix(s[i:], "\xef\xbb\xbf") {
		i += 3
	}
	if i >= len(s) || s[i] != '{' {
		return formaterr.At(format, "record", i, "want a JSON object")
	}
	if i, err = p.object(i, 0); err != nil {
		return err
	}
	if i = skipSpace(s, i); i != len(s) {
		return formaterr.At(format, "record", i, "text after the object")
	}
	p.finish()
	return nil
}

// finish applies the rules for @timestamp, its stand-ins and msg.
func (p *Parser) finish() {
	e := p.w.Event()
	for k, c := range p.times {
		if !c.present {
			continue
		}
		t, ok := parseTime(c, k)
		if ok {
			e.Timestamp = t
			break
		}
		if k == 0 {
			v := event.String(c.raw)
			if c.number {
				v = number(c.raw)
			}
			p.w.Put(p.prot.Get(event.FieldTimestamp), v)
		}
	}
	if p.msg && p.w.Find(event.FieldMessage) < 0 {
		if i := p.w.Find("msg"); i >= 0 {
			p.w.Rename(i, event.FieldMessage)
		}
	}
}

// parseTime parses a time candidate: slot 0 (@timestamp) any time,
// the stand-ins only plausible ones (event.RecordTime).
func parseTime(c timeCandidate, k int) (time.Time, bool) {
	if !c.number {
		if tm, n, _, _ := timefmt.RFC3339(c.raw); n == len(c.raw) && n > 0 {
			return tm, k == 0 || event.PlausibleTime(tm)
		}
	}
	if k > 0 {
		if c.number {
			return event.RecordNumberTime(c.raw)
		}
		return event.RecordTime(event.String(c.raw))
	}
	if c.number {
		if t, ok := event.RecordNumberTime(c.raw); ok {
			return t, true
		}
	}
	tm, err := event.ParseTime(c.raw)
	return tm, err == nil
}

func skipSpace(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	return i
}

// object reads the object at s[i] == '{' and returns the index after it.
func (p *Parser) object(i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, formaterr.At(format, "object", i, "nested deeper than "+strconv.Itoa(maxDepth))
	}
	s := p.s
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return 0, formaterr.At(format, "object", i, "want a quoted key")
		}
		key, next, err := p.str(i)
		if err != nil {
			return 0, err
		}
		i = skipSpace(s, next)
		if i >= len(s) || s[i] != ':' {
			return 0, formaterr.At(format, "object", i, "want ':' after the key")
		}
		i = skipSpace(s, i+1)
		if i, err = p.member(key, i, depth); err != nil {
			return 0, err
		}
		i = skipSpace(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == '}' {
			return i + 1, nil
		}
		return 0, formaterr.At(format, "object", i, "want ',' or '}'")
	}
}

// member reads the value of key at s[i] and writes it.
func (p *Parser) member(key string, i, depth int) (int, error) {
	s := p.s
	if key == "" {
		key = "_"
	}
	if i >= len(s) {
		return 0, formaterr.At(format, "value", i, "want a value")
	}
	if s[i] == '{' {
		n := len(p.path)
		p.path = append(p.path, key...)
		p.path = append(p.path, '.')
		j, err := p.object(i, depth+1)
		p.path = p.path[:n]
		return j, err
	}
	var v event.Value
	var j int
	var err error
	var raw string
	isNum := false
	switch c := s[i]; {
	case c == '"':
		raw, j, err = p.str(i)
		v = event.String(raw)
	case c == '[':
		j, err = p.array(i, depth+1)
		v = event.List(p.items)
		p.items = nil
	case c == 't' && strings.HasPrefix(s[i:], "true"):
		v, j = event.Bool(true), i+4
	case c == 'f' && strings.HasPrefix(s[i:], "false"):
		v, j = event.Bool(false), i+5
	case c == 'n' && strings.HasPrefix(s[i:], "null"):
		j = i + 4
	case c == '-' || c >= '0' && c <= '9':
		j = scanNumber(s, i)
		if j == i {
			return 0, formaterr.At(format, "number", i, "invalid number")
		}
		raw, isNum = s[i:j], true
		v = number(raw)
	default:
		return 0, formaterr.At(format, "value", i, "want a value")
	}
	if err != nil {
		return 0, err
	}
	if len(p.path) == 0 {
		switch key {
		case event.FieldTimestamp:
			if !v.IsNull() && (isNum || v.Kind() == event.KindString) {
				p.times[0] = timeCandidate{raw: raw, number: isNum, present: true}
				return j, nil
			}
		case "msg":
			p.msg = v.Kind() == event.KindString
		default:
			if k := event.TimeFieldRank(key); k > 0 && (isNum || v.Kind() == event.KindString) {
				p.times[k] = timeCandidate{raw: raw, number: isNum, present: true}
			}
		}
	} else if (key == "SystemTime" || key == "@SystemTime") && v.Kind() == event.KindString && isTimeCreated(p.path) {
		// Windows XML rendered as JSON: TimeCreated.SystemTime,
		// TimeCreated.@SystemTime, Event.System.TimeCreated.@SystemTime.
		p.times[slotTimeCreated] = timeCandidate{raw: raw, present: true}
	}
	name := p.name(key)
	if v.IsNull() {
		// null is absent, and as the last value of a repeated key it
		// removes the earlier one.
		if k := p.w.Find(name); k >= 0 {
			p.w.Remove(k)
		}
		return j, nil
	}
	if v.Kind() != event.KindList {
		switch typedName(name) {
		case typedIP:
			ip, ok := ecsvalue.IP(v.Str())
			if v.Kind() == event.KindString && ok {
				v = ip
			} else {
				name = p.prot.Get(name)
			}
		case typedInt:
			switch v.Kind() {
			case event.KindInt:
			case event.KindString:
				if n, ok := ecsvalue.Int(v.Str()); ok {
					v = n
					break
				}
				name = p.prot.Get(name)
			default:
				name = p.prot.Get(name)
			}
		}
	}
	p.w.Put(name, v)
	return j, nil
}

const (
	untyped = iota
	typedIP
	typedInt
)

// typedName says which ECS fields have a type every format must agree on,
// so that storage columns, CIDR searches and range queries work whatever
// format brought the event: addresses (ip, *.ip) are IPs; ports, pids,
// byte and packet counts and event.severity are ints. A text value that
// converts is converted; one that does not is kept as json.<name>.
func typedName(name string) int {
	switch {
	case name == "ip" || strings.HasSuffix(name, ".ip"):
		return typedIP
	case strings.HasSuffix(name, ".port") || strings.HasSuffix(name, ".pid") || strings.HasSuffix(name, ".bytes") ||
		strings.HasSuffix(name, ".packets") || name == "event.severity":
		return typedInt
	}
	return untyped
}

// name returns the flattened field name of key in the current object.
func (p *Parser) name(key string) string {
	var n string
	if len(p.path) == 0 {
		n = key
	} else {
		l := len(p.path)
		p.path = append(p.path, key...)
		var ok bool
		if n, ok = p.names[string(p.path)]; !ok {
			n = string(p.path)
			if len(p.names) < namesMax {
				p.names[n] = n
			}
		}
		p.path = p.path[:l]
	}
	if c := n[0]; (c == '@' || c == 'e' || c == 'v') && event.IsProtected(n) {
		return p.prot.Get(n)
	}
	return n
}

// array reads the array at s[i] == '[' into p.items.
func (p *Parser) array(i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, formaterr.At(format, "array", i, "nested deeper than "+strconv.Itoa(maxDepth))
	}
	s := p.s
	items := []string{}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == ']' {
		p.items = items
		return i + 1, nil
	}
	for {
		if i >= len(s) {
			return 0, formaterr.At(format, "array", i, "want a value")
		}
		var j int
		var err error
		switch c := s[i]; {
		case c == '"':
			var str string
			str, j, err = p.str(i)
			items = append(items, str)
		case c == '{' || c == '[':
			if j, err = skip(s, i, depth+1); err == nil {
				items = append(items, s[i:j])
			}
		case c == 't' && strings.HasPrefix(s[i:], "true"):
			items, j = append(items, "true"), i+4
		case c == 'f' && strings.HasPrefix(s[i:], "false"):
			items, j = append(items, "false"), i+5
		case c == 'n' && strings.HasPrefix(s[i:], "null"):
			j = i + 4
		case c == '-' || c >= '0' && c <= '9':
			j = scanNumber(s, i)
			if j == i {
				return 0, formaterr.At(format, "number", i, "invalid number")
			}
			items = append(items, s[i:j])
		default:
			return 0, formaterr.At(format, "array", i, "want a value")
		}
		if err != nil {
			return 0, err
		}
		i = skipSpace(s, j)
		if i < len(s) && s[i] == ',' {
			i = skipSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == ']' {
			p.items = items
			return i + 1, nil
		}
		return 0, formaterr.At(format, "array", i, "want ',' or ']'")
	}
}

// skip validates the object or array at s[i] and returns the index after it.
func skip(s string, i, depth int) (int, error) {
	if depth >= maxDepth {
		return 0, formaterr.At(format, "value", i, "nested deeper than "+strconv.Itoa(maxDepth))
	}
	open, close := s[i], byte('}')
	if open == '[' {
		close = ']'
	}
	i = skipSpace(s, i+1)
	if i < len(s) && s[i] == close {
		return i + 1, nil
	}
	for {
		if open == '{' {
			if i >= len(s) || s[i] != '"' {
				return 0, formaterr.At(format, "object", i, "want a quoted key")
			}
			j, err := skipString(s, i)
			if err != nil {
				return 0, err
			}
			i = skipSpace(s, j)
			if i >= len(s) || s[i] != ':' {
				return 0, formaterr.At(format, "object", i, "want ':' after the key")
			}
			i = skipSpace(s, i+1)
		}
		if i >= len(s) {
			return 0, formaterr.At(format, "value", i, "want a value")
		}
		var j int
		var err error
		switch c := s[i]; {
		case c == '"':
			j, err = skipString(s, i)
		case c == '{' || c == '[':
			j, err = skip(s, i, depth+1)
		case c == 't' && strings.HasPrefix(s[i:], "true"):
			j = i + 4
		case c == 'f' && strings.HasPrefix(s[i:], "false"):
			j = i + 5
		case c == 'n' && strings.HasPrefix(s[i:], "null"):
			j = i + 4
		case c == '-' || c >= '0' && c <= '9':
			if j = scanNumber(s, i); j == i {
				return 0, formaterr.At(format, "number", i, "invalid number")
			}
		default:
			return 0, formaterr.At(format, "value", i, "want a value")
		}
		if err != nil {
			return 0, err
		}
		i = skipSpace(s, j)
		if i < len(s) && s[i] == ',' {
			i = skipSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == close {
			return i + 1, nil
		}
		return 0, formaterr.At(format, "value", i, "want ',' or '"+string(close)+"'")
	}
}

// scanNumber returns the index after the JSON number at s[i], or i when
// there is none: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(s string, i int) int {
	j := i
	if j < len(s) && s[j] == '-' {
		j++
	}
	switch {
	case j < len(s) && s[j] == '0':
		j++
	case j < len(s) && s[j] >= '1' && s[j] <= '9':
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
	default:
		return i
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == j+1 {
			return i
		}
		j = k
	}
	if j < len(s) && (s[j] == 'e' || s[j] == 'E') {
		k := j + 1
		if k < len(s) && (s[k] == '+' || s[k] == '-') {
			k++
		}
		d := k
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k == d {
			return i
		}
		j = k
	}
	return j
}

// number types a JSON number literal.
func number(raw string) event.Value {
	if strings.IndexAny(raw, ".eE") < 0 {
		if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
			return event.Int(n)
		}
	}
	f, _ := strconv.ParseFloat(raw, 64)
	return event.Float(f)
}

// str reads the string at s[i] == '"' and returns its value and the index
// after the closing quote. Without escapes or invalid UTF-8 the value is a
// slice of the record.
func (p *Parser) str(i int) (string, int, error) {
	s := p.s
	j := i + 1
	ascii := true
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			v := s[i+1 : j]
			if !ascii && !utf8.ValidString(v) {
				v = fixUTF8(v)
			}
			return v, j + 1, nil
		case c == '\\':
			return unquote(s, i)
		case c < 0x20:
			return "", 0, formaterr.At(format, "string", j, "control character in a string")
		case c >= utf8.RuneSelf:
			ascii = false
		}
		j++
	}
	return "", 0, formaterr.At(format, "string", i, "no closing quote")
}

func skipString(s string, i int) (int, error) {
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= len(s) {
				return 0, formaterr.At(format, "string", j, "no closing quote")
			}
			switch s[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if _, ok := hex4(s, j+2); !ok {
					return 0, formaterr.At(format, "string", j, `want four hex digits after \u`)
				}
				j += 5
			default:
				return 0, formaterr.At(format, "string", j, "invalid escape")
			}
		case c < 0x20:
			return 0, formaterr.At(format, "string", j, "control character in a string")
		}
	}
	return 0, formaterr.At(format, "string", i, "no closing quote")
}

// unquote decodes the string at s[i] == '"' that holds escapes.
func unquote(s string, i int) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch {
		case c == '"':
			return fixUTF8(b.String()), j + 1, nil
		case c < 0x20:
			return "", 0, formaterr.At(format, "string", j, "control character in a string")
		case c != '\\':
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(s) {
			break
		}
		switch e := s[j+1]; e {
		case '"', '\\', '/':
			b.WriteByte(e)
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			r, ok := hex4(s, j+2)
			if !ok {
				return "", 0, formaterr.At(format, "string", j, `want four hex digits after \u`)
			}
			j += 4
			if utf16.IsSurrogate(r) {
				r2, ok2 := rune(0), false
				if j+3 < len(s) && s[j+2] == '\\' && s[j+3] == 'u' {
					r2, ok2 = hex4(s, j+4)
				}
				if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
					r = dec
					j += 6
				} else {
					r = utf8.RuneError
				}
			}
			b.WriteRune(r)
		default:
			return "", 0, formaterr.At(format, "string", j, "invalid escape")
		}
		j += 2
	}
	return "", 0, formaterr.At(format, "string", i, "no closing quote")
}

func hex4(s string, i int) (rune, bool) {
	if i+4 > len(s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(s[i : i+4]) {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// fixUTF8 replaces each byte of invalid UTF-8 with U+FFFD, as encoding/json
// does (strings.ToValidUTF8 would replace a run with one).
func fixUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}
