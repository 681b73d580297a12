package query

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// commands are the pipe commands, for messages.
const commands = "fields, sort, head, where, stats, timechart"

func (p *parser) pipe() (Pipe, error) {
	t := p.advance()
	if t.kind != tkWord || !t.plain {
		return nil, p.errAt(t.pos, "expected a command after \"|\" (%s), found %s", commands, p.describe(t))
	}
	switch strings.ToLower(t.text) {
	case "fields", "table":
		return p.fields(t)
	case "sort":
		return p.sort(t)
	case "head", "limit":
		return p.head()
	case "where":
		return p.where(t)
	case "stats":
		return p.stats(t)
	case "timechart":
		return p.timechart(t)
	}
	return nil, p.errAt(t.pos, "unknown command %q: the commands are %s", t.text, commands)
}

// atPipeEnd reports whether the current pipe has no more arguments.
func (p *parser) atPipeEnd() bool {
	k := p.peek().kind
	return k == tkPipe || k == tkEOF
}

// name parses a field name, or the default name of an aggregate after stats
// (`dc(user.name)`), and returns it with its position.
func (p *parser) name(what string) (string, int, error) {
	t := p.peek()
	if t.kind != tkWord || !t.plain || !IsFieldName(t.text) {
		return "", 0, p.errAt(t.pos, "expected %s, found %s", what, p.describe(t))
	}
	p.advance()
	if !p.table || p.peek().kind != tkLParen {
		return t.text, t.pos, nil
	}
	p.advance()
	inner := ""
	if n := p.peek(); n.kind == tkWord && n.plain && IsFieldName(n.text) {
		inner = n.text
		p.advance()
	}
	if c := p.peek(); c.kind != tkRParen {
		return "", 0, p.errAt(c.pos, "expected \")\", found %s", p.describe(c))
	}
	p.advance()
	if inner == "" {
		return t.text, t.pos, nil
	}
	return t.text + "(" + inner + ")", t.pos, nil
}

// names parses a list of names separated by commas or spaces, up to the end
// of the pipe.
func (p *parser) names(cmd *token, what string) ([]string, error) {
	var names []string
	for !p.atPipeEnd() {
		name, pos, err := p.name(what)
		if err != nil {
			return nil, err
		}
		if err := p.checkColumn(name, pos); err != nil {
			return nil, err
		}
		if slices.Contains(names, name) {
			return nil, p.errAt(pos, "%s lists %q twice", cmd.text, name)
		}
		names = append(names, name)
		if p.peek().kind == tkComma {
			p.advance()
			if p.atPipeEnd() {
				return nil, p.errAt(p.peek().pos, "expected %s after \",\"", what)
			}
		}
	}
	if len(names) == 0 {
		return nil, p.errAt(p.peek().pos, "%s needs %s", cmd.text, what)
	}
	return names, nil
}

func (p *parser) fields(cmd *token) (Pipe, error) {
	names, err := p.names(cmd, "a field name")
	if err != nil {
		return nil, err
	}
	p.cols = names
	return &Fields{Names: names}, nil
}

func (p *parser) sort(cmd *token) (Pipe, error) {
	var keys []SortKey
	for !p.atPipeEnd() {
		var k SortKey
		minus := p.peek().kind == tkMinus
		if minus {
			p.advance()
			k.Desc = true
		}
		var name string
		var pos int
		if t := p.peek(); t.kind == tkWord && t.plain && !minus && len(t.text) > 1 && t.text[0] == '+' && IsFieldName(t.text[1:]) {
			// `+field` is ascending.
			p.advance()
			name, pos = t.text[1:], t.pos+1
		} else {
			var err error
			if name, pos, err = p.name("a field name to sort by"); err != nil {
				return nil, err
			}
		}
		if err := p.checkColumn(name, pos); err != nil {
			return nil, err
		}
		k.Field = name
		if t := p.peek(); isKeyword(t, "asc") || isKeyword(t, "desc") {
			p.advance()
			desc := strings.EqualFold(t.text, "desc")
			if minus && !desc {
				return nil, p.errAt(t.pos, "\"-%s\" sorts descending; drop the \"-\" or the %q", name, t.text)
			}
			k.Desc = desc
		}
		for _, o := range keys {
			if o.Field == name {
				return nil, p.errAt(pos, "sort lists %q twice", name)
			}
		}
		keys = append(keys, k)
		if p.peek().kind == tkComma {
			p.advance()
			if p.atPipeEnd() {
				return nil, p.errAt(p.peek().pos, "expected a field name to sort by after \",\"")
			}
		}
	}
	if len(keys) == 0 {
		return nil, p.errAt(p.peek().pos, "%s needs a field to sort by, like \"sort -count\"", cmd.text)
	}
	return &Sort{Keys: keys}, nil
}

// DefaultHead is the number of rows of a head without a number.
const DefaultHead = 10

func (p *parser) head() (Pipe, error) {
	if p.atPipeEnd() {
		return &Head{N: DefaultHead}, nil
	}
	t := p.advance()
	n, err := strconv.ParseInt(t.text, 10, 64)
	if t.kind != tkWord || err != nil || n < 1 {
		return nil, p.errAt(t.pos, "head takes a positive number of rows, found %s", p.describe(t))
	}
	if !p.atPipeEnd() {
		return nil, p.errAt(p.peek().pos, "head takes one number, found %s after it", p.describe(p.peek()))
	}
	return &Head{N: n}, nil
}

func (p *parser) where(cmd *token) (Pipe, error) {
	if !p.startsTerm() {
		return nil, p.errAt(p.peek().pos, "%s needs a filter, like \"where count > 5\"", cmd.text)
	}
	f, err := p.or(nil)
	if err != nil {
		return nil, err
	}
	if !p.atPipeEnd() {
		t := p.peek()
		if t.kind == tkRParen {
			return nil, p.errAt(t.pos, "unexpected \")\": no parenthesis is open")
		}
		return nil, p.errAt(t.pos, "unexpected %s", p.describe(t))
	}
	return &Where{Filter: f}, nil
}

func (p *parser) stats(cmd *token) (Pipe, error) {
	aggs, err := p.aggs(cmd, false)
	if err != nil {
		return nil, err
	}
	by, err := p.by(cmd)
	if err != nil {
		return nil, err
	}
	if err := p.tableColumns(cmd, nil, by, aggs); err != nil {
		return nil, err
	}
	return &Stats{Aggs: aggs, By: by}, nil
}

func (p *parser) timechart(cmd *token) (Pipe, error) {
	if err := p.checkColumn(event.FieldTimestamp, cmd.pos); err != nil {
		return nil, p.errAt(cmd.pos, "timechart needs @timestamp, which the rows no longer have (they have %s)", strings.Join(p.cols, ", "))
	}
	tc := &Timechart{}
	span := func() error {
		t := p.peek()
		if t.kind != tkField || !strings.EqualFold(t.text, "span") {
			return nil
		}
		if tc.Span != 0 {
			return p.errAt(t.pos, "timechart has span twice")
		}
		p.advance()
		v := p.advance()
		d, err := parseSpan(v.text)
		if v.kind != tkWord || t.op != "=" || err != nil {
			return p.errAt(v.pos, "span takes a duration: a positive number and a unit s, m, h or d, like span=5m (at most %dd)", maxSpanDays)
		}
		tc.Span = d
		return nil
	}
	if err := span(); err != nil {
		return nil, err
	}
	aggs, err := p.aggs(cmd, true)
	if err != nil {
		return nil, err
	}
	if err := span(); err != nil {
		return nil, err
	}
	if len(aggs) == 0 {
		aggs = []Agg{{Func: Count}}
	}
	by, err := p.by(cmd)
	if err != nil {
		return nil, err
	}
	if err := p.tableColumns(cmd, []string{TimeColumn}, by, aggs); err != nil {
		return nil, err
	}
	tc.Aggs, tc.By = aggs, by
	return tc, nil
}

// aggs parses the aggregates of stats or timechart, separated by commas or
// spaces: count(), count, dc(f) as name, ….
func (p *parser) aggs(cmd *token, optional bool) ([]Agg, error) {
	var aggs []Agg
	for {
		t := p.peek()
		fn, ok := aggNames[strings.ToLower(t.text)]
		if t.kind != tkWord || !t.plain || !ok {
			if len(aggs) == 0 && !optional {
				return nil, p.errAt(t.pos, "%s needs an aggregate such as count(), dc(field), min, max, avg, sum or values(field), found %s", cmd.text, p.describe(t))
			}
			return aggs, nil
		}
		p.advance()
		a := Agg{Func: fn}
		if p.peek().kind == tkLParen {
			p.advance()
			if c := p.peek(); c.kind != tkRParen {
				name, pos, err := p.name("a field name")
				if err != nil {
					return nil, err
				}
				if err := p.checkColumn(name, pos); err != nil {
					return nil, err
				}
				a.Field = name
			}
			if c := p.peek(); c.kind != tkRParen {
				return nil, p.errAt(c.pos, "expected \")\" after the field of %s, found %s", t.text, p.describe(c))
			}
			p.advance()
		}
		if fn != Count && a.Field == "" {
			return nil, p.errAt(t.pos, "%s needs a field, like %s(user.name)", t.text, strings.ToLower(t.text))
		}
		if isKeyword(p.peek(), "as") {
			p.advance()
			n := p.peek()
			if n.kind != tkWord || !n.plain || !IsFieldName(n.text) {
				return nil, p.errAt(n.pos, "expected a column name after \"as\", found %s", p.describe(n))
			}
			p.advance()
			if n.text != a.defaultName() {
				a.As = n.text
			}
		}
		aggs = append(aggs, a)
		if p.peek().kind == tkComma {
			p.advance()
			if _, ok := aggNames[strings.ToLower(p.peek().text)]; !ok || p.peek().kind != tkWord {
				return nil, p.errAt(p.peek().pos, "expected an aggregate after \",\", found %s", p.describe(p.peek()))
			}
		}
	}
}

// by parses an optional `by f1, f2`.
func (p *parser) by(cmd *token) ([]string, error) {
	if p.atPipeEnd() {
		return nil, nil
	}
	t := p.peek()
	if !isKeyword(t, "by") {
		return nil, p.errAt(t.pos, "expected \"by\" or the end of %s, found %s", cmd.text, p.describe(t))
	}
	p.advance()
	return p.names(t, "a field name to group by")
}

// tableColumns checks that the columns of a stats or timechart result are
// distinct and makes them the rows' columns.
func (p *parser) tableColumns(cmd *token, first, by []string, aggs []Agg) error {
	cols := append(append([]string(nil), first...), by...)
	for _, a := range aggs {
		name := a.Name()
		if slices.Contains(cols, name) {
			return p.errAt(cmd.pos, "%s has two columns named %q; name one with \"as\"", cmd.text, name)
		}
		cols = append(cols, name)
	}
	if slices.Contains(by, TimeColumn) && len(first) > 0 {
		return p.errAt(cmd.pos, "timechart makes the column %s itself; do not group by it", TimeColumn)
	}
	p.cols, p.table = cols, true
	return nil
}

// parseSpan parses a timechart span: a positive integer and a unit s, m, h
// or d.
func parseSpan(s string) (time.Duration, error) {
	if len(s) < 2 {
		return 0, strconv.ErrSyntax
	}
	var unit time.Duration
	switch s[len(s)-1] {
	case 's':
		unit = time.Second
	case 'm':
		unit = time.Minute
	case 'h':
		unit = time.Hour
	case 'd':
		unit = 24 * time.Hour
	default:
		return 0, strconv.ErrSyntax
	}
	digits := s[:len(s)-1]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 1 || n > int64(maxSpanDays*24*time.Hour/unit) {
		return 0, strconv.ErrRange
	}
	return time.Duration(n) * unit, nil
}

// formatSpan writes a span in its largest whole unit: 300s is "5m".
func formatSpan(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		unit string
	}{{24 * time.Hour, "d"}, {time.Hour, "h"}, {time.Minute, "m"}} {
		if d%u.d == 0 {
			return strconv.FormatInt(int64(d/u.d), 10) + u.unit
		}
	}
	return strconv.FormatInt(int64(d/time.Second), 10) + "s"
}
