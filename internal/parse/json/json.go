package json

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/jsontext"
	"github.com/vigilsiem/vigil/internal/parse/internal/ecsvalue"
	"github.com/vigilsiem/vigil/internal/parse/internal/fields"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
	"github.com/vigilsiem/vigil/internal/parse/internal/timefmt"
)

const format = "json"

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
	i := jsontext.SkipSpace(s, 0)
	if strings.HasPrefix(s[i:], "\xef\xbb\xbf") {
		i += 3
	}
	if i >= len(s) || s[i] != '{' {
		return formaterr.At(format, "record", i, "want a JSON object")
	}
	if i, err = p.object(i, 0); err != nil {
		return err
	}
	if i = jsontext.SkipSpace(s, i); i != len(s) {
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

// object reads the object at s[i] == '{' and returns the index after it.
func (p *Parser) object(i, depth int) (int, error) {
	if err := jsontext.CheckDepth("object", i, depth+1); err != nil {
		return 0, syntaxErr(err)
	}
	s := p.s
	i = jsontext.SkipSpace(s, i+1)
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
		i = jsontext.SkipSpace(s, next)
		if i >= len(s) || s[i] != ':' {
			return 0, formaterr.At(format, "object", i, "want ':' after the key")
		}
		i = jsontext.SkipSpace(s, i+1)
		if i, err = p.member(key, i, depth); err != nil {
			return 0, err
		}
		i = jsontext.SkipSpace(s, i)
		if i < len(s) && s[i] == ',' {
			i = jsontext.SkipSpace(s, i+1)
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
		var ok bool
		if j, ok = jsontext.ScanNumber(s, i); !ok {
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
	if err := jsontext.CheckDepth("array", i, depth+1); err != nil {
		return 0, syntaxErr(err)
	}
	s := p.s
	items := []string{}
	i = jsontext.SkipSpace(s, i+1)
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
			if j, err = jsontext.Skip(s, i, depth+1); err == nil {
				items = append(items, s[i:j])
			}
		case c == 't' && strings.HasPrefix(s[i:], "true"):
			items, j = append(items, "true"), i+4
		case c == 'f' && strings.HasPrefix(s[i:], "false"):
			items, j = append(items, "false"), i+5
		case c == 'n' && strings.HasPrefix(s[i:], "null"):
			j = i + 4
		case c == '-' || c >= '0' && c <= '9':
			var ok bool
			if j, ok = jsontext.ScanNumber(s, i); !ok {
				return 0, formaterr.At(format, "number", i, "invalid number")
			}
			items = append(items, s[i:j])
		default:
			return 0, formaterr.At(format, "array", i, "want a value")
		}
		if err != nil {
			return 0, syntaxErr(err)
		}
		i = jsontext.SkipSpace(s, j)
		if i < len(s) && s[i] == ',' {
			i = jsontext.SkipSpace(s, i+1)
			continue
		}
		if i < len(s) && s[i] == ']' {
			p.items = items
			return i + 1, nil
		}
		return 0, formaterr.At(format, "array", i, "want ',' or ']'")
	}
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
	end, plain, err := jsontext.ScanString(p.s, i)
	if err != nil {
		return "", 0, syntaxErr(err)
	}
	if plain {
		return p.s[i+1 : end-1], end, nil
	}
	v, err := jsontext.Unescape(p.s[i+1 : end-1])
	if err != nil {
		return "", 0, formaterr.At(format, "string", i, err.Error())
	}
	return v, end, nil
}

// syntaxErr turns a jsontext error into the parsers' error with the
// position.
func syntaxErr(err error) error {
	if se, ok := errors.AsType[*jsontext.SyntaxError](err); ok {
		return formaterr.At(format, se.What, se.Offset, se.Msg)
	}
	return err
}
