package query

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilsiem/vigil/internal/event"
)

// Limits of the parser, each with its reason.
const (
	// MaxQueryLen bounds the query text. Queries are typed by people or built
	// by the UI; 64 KiB is far beyond both, and bounds the work a hostile
	// query can ask of the parser and the database.
	MaxQueryLen = 64 << 10
	// MaxTerms bounds the words and phrases of a query. Each becomes one or
	// more predicates the database runs on every row it scans: a 64 KiB OR
	// of 13,000 words took 3.3 CPU-seconds over 5 events (issue 9, item 10).
	// A person's query has a few dozen; 1,000 leaves room for a pasted
	// list of indicators.
	MaxTerms = 1000
	// maxDepth bounds the nesting of parentheses and NOT, so that recursion
	// stays shallow whatever the text.
	maxDepth = 100
	// maxSpan bounds a timechart span: a year is already one bucket per year.
	maxSpanDays = 366
)

// Parse parses a query: an optional filter, then pipes. The empty query
// matches every event. Errors are *Error and say where the problem is.
func Parse(text string) (*Plan, error) {
	if len(text) > MaxQueryLen {
		return nil, errorAt(text, MaxQueryLen, "the query is longer than %d bytes", MaxQueryLen)
	}
	if !utf8.ValidString(text) {
		i := 0
		for i < len(text) {
			r, n := utf8.DecodeRuneInString(text[i:])
			if r == utf8.RuneError && n == 1 {
				break
			}
			i += n
		}
		return nil, errorAt(text, i, "the query is not valid UTF-8")
	}
	for i, r := range text {
		if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0x7f {
			return nil, errorAt(text, i, "the query holds control character %U", r)
		}
	}
	toks, err := lex(text)
	if err != nil {
		return nil, err
	}
	terms := 0
	for _, t := range toks {
		if t.kind == tkWord && !isKeyword(&t, "AND") && !isKeyword(&t, "OR") && !isKeyword(&t, "NOT") || t.kind == tkPhrase {
			if terms++; terms > MaxTerms {
				return nil, errorAt(text, t.pos, "the query has more than %d terms", MaxTerms)
			}
		}
	}
	p := &parser{src: text, toks: toks}
	return p.plan()
}

// MustParse is Parse for queries known to be valid (tests, built-in
// queries); it panics on an error.
func MustParse(text string) *Plan {
	p, err := Parse(text)
	if err != nil {
		panic(err)
	}
	return p
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
	// cols are the fields the rows have after the pipes so far; nil while
	// the rows are events with all their fields.
	cols  []string
	table bool // the rows are the result of stats or timechart
}

// group is the field of a value group `field:( … )`.
type group struct {
	field string
}

func (p *parser) peek() *token { return &p.toks[p.i] }

func (p *parser) advance() *token {
	t := &p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) errAt(pos int, format string, args ...any) error {
	return errorAt(p.src, pos, format, args...)
}

func isKeyword(t *token, kw string) bool {
	return t.kind == tkWord && t.plain && strings.EqualFold(t.text, kw)
}

// describe names a token in a message.
func (p *parser) describe(t *token) string {
	if t.kind == tkEOF {
		return "the end of the query"
	}
	return strconv.Quote(p.src[t.pos:t.end])
}

func (p *parser) plan() (*Plan, error) {
	plan := &Plan{}
	if k := p.peek().kind; k != tkPipe && k != tkEOF {
		f, err := p.or(nil)
		if err != nil {
			return nil, err
		}
		plan.Filter = f
	}
	for p.peek().kind == tkPipe {
		p.advance()
		pipe, err := p.pipe()
		if err != nil {
			return nil, err
		}
		plan.Pipes = append(plan.Pipes, pipe)
	}
	if t := p.peek(); t.kind != tkEOF {
		if t.kind == tkRParen {
			return nil, p.errAt(t.pos, "unexpected \")\": no parenthesis is open")
		}
		return nil, p.errAt(t.pos, "unexpected %s", p.describe(t))
	}
	return plan, nil
}

// startsTerm reports whether the next token can begin a term.
func (p *parser) startsTerm() bool {
	t := p.peek()
	switch t.kind {
	case tkWord:
		return !isKeyword(t, "AND") && !isKeyword(t, "OR")
	case tkPhrase, tkField, tkOp, tkLParen, tkMinus, tkRange:
		return true
	}
	return false
}

func (p *parser) or(g *group) (Expr, error) {
	first, err := p.and(g)
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for isKeyword(p.peek(), "OR") {
		kw := p.advance()
		if !p.startsTerm() {
			return nil, p.errAt(p.peek().pos, "expected a term after %s, found %s", kw.text, p.describe(p.peek()))
		}
		e, err := p.and(g)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return newOr(args), nil
}

func (p *parser) and(g *group) (Expr, error) {
	first, err := p.not(g)
	if err != nil {
		return nil, err
	}
	args := []Expr{first}
	for {
		if t := p.peek(); isKeyword(t, "AND") {
			p.advance()
			if !p.startsTerm() {
				return nil, p.errAt(p.peek().pos, "expected a term after %s, found %s", t.text, p.describe(p.peek()))
			}
		} else if !p.startsTerm() {
			break
		}
		e, err := p.not(g)
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	return newAnd(args), nil
}

func (p *parser) not(g *group) (Expr, error) {
	t := p.peek()
	if !isKeyword(t, "NOT") && t.kind != tkMinus {
		return p.primary(g)
	}
	p.advance()
	if p.depth++; p.depth > maxDepth {
		return nil, p.errAt(t.pos, "the query nests deeper than %d levels", maxDepth)
	}
	defer func() { p.depth-- }()
	if !p.startsTerm() {
		return nil, p.errAt(p.peek().pos, "expected a term after %s, found %s", p.src[t.pos:t.end], p.describe(p.peek()))
	}
	e, err := p.not(g)
	if err != nil {
		return nil, err
	}
	return &Not{Arg: e}, nil
}

func (p *parser) primary(g *group) (Expr, error) {
	t := p.advance()
	switch t.kind {
	case tkLParen:
		return p.parens(t, g)
	case tkPhrase:
		if g != nil {
			return p.fieldValue(g.field, t)
		}
		if t.text == "" {
			return nil, p.errAt(t.pos, "empty phrase: there is nothing to search for")
		}
		if err := p.checkFullText(t); err != nil {
			return nil, err
		}
		return &Match{Value: t.text}, nil
	case tkRange:
		if g != nil {
			return p.fieldValue(g.field, t)
		}
	case tkWord:
		if g != nil {
			return p.fieldValue(g.field, t)
		}
		if isKeyword(t, "AND") || isKeyword(t, "OR") {
			return nil, p.errAt(t.pos, "expected a term before %s", t.text)
		}
		if next := p.peek(); next.kind == tkOp {
			if !t.plain || !IsFieldName(t.text) {
				return nil, p.errAt(t.pos, "expected a field name before %q, found %s", next.text, p.describe(t))
			}
			p.advance()
			return p.fieldTerm(t.text, next.text, t, next)
		}
		if t.wild {
			if segs := Segments(t.text); len(segs) == 1 && segs[0].Wild == '*' {
				return &All{}, nil
			}
			if err := p.checkFullText(t); err != nil {
				return nil, err
			}
			return &Match{Value: t.text, Wild: true}, nil
		}
		if err := p.checkFullText(t); err != nil {
			return nil, err
		}
		return &Match{Value: t.text}, nil
	case tkField:
		return p.fieldTerm(t.text, t.op, t, t)
	case tkOp:
		return nil, p.errAt(t.pos, "expected a field name before %q", t.text)
	}
	return nil, p.errAt(t.pos, "expected a term, found %s", p.describe(t))
}

func (p *parser) parens(open *token, g *group) (Expr, error) {
	if p.depth++; p.depth > maxDepth {
		return nil, p.errAt(open.pos, "the query nests deeper than %d levels", maxDepth)
	}
	defer func() { p.depth-- }()
	if !p.startsTerm() {
		return nil, p.errAt(p.peek().pos, "expected a term after \"(\", found %s", p.describe(p.peek()))
	}
	e, err := p.or(g)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tkRParen {
		return nil, p.errAt(t.pos, "expected \")\" to close the parenthesis at %d, found %s", column(p.src, open.pos), p.describe(t))
	}
	p.advance()
	return e, nil
}

// fieldTerm parses what follows `name op`: a value, a group or a range.
func (p *parser) fieldTerm(name, op string, nameTok, opTok *token) (Expr, error) {
	if err := p.checkColumn(name, nameTok.pos); err != nil {
		return nil, err
	}
	v := p.peek()
	after := p.src[nameTok.pos:opTok.end]
	switch op {
	case ":", "=":
		switch v.kind {
		case tkLParen:
			p.advance()
			return p.parens(v, &group{field: name})
		case tkWord, tkPhrase, tkRange:
			p.advance()
			return p.fieldValue(name, v)
		}
	case "!=":
		if v.kind == tkWord || v.kind == tkPhrase {
			p.advance()
			x, err := p.fieldValue(name, v)
			if err != nil {
				return nil, err
			}
			return &And{Args: []Expr{&Exists{Field: name}, &Not{Arg: x}}}, nil
		}
	default:
		if v.kind == tkWord || v.kind == tkPhrase {
			p.advance()
			if v.text == "" {
				return nil, p.errAt(v.pos, "expected a value after %q", after)
			}
			if err := p.checkTime(name, v.text, v.pos); err != nil {
				return nil, err
			}
			r := &Range{Field: name}
			switch strings.TrimPrefix(op, ":") {
			case ">":
				r.Lo, r.HasLo = v.text, true
			case ">=":
				r.Lo, r.HasLo, r.IncLo = v.text, true, true
			case "<":
				r.Hi, r.HasHi = v.text, true
			case "<=":
				r.Hi, r.HasHi, r.IncHi = v.text, true, true
			}
			return r, nil
		}
	}
	return nil, p.errAt(v.pos, "expected a value after %q, found %s", after, p.describe(v))
}

// fieldValue turns a value token into the term `field:value`.
func (p *parser) fieldValue(field string, v *token) (Expr, error) {
	switch v.kind {
	case tkPhrase:
		if err := p.checkTime(field, v.text, v.pos); err != nil {
			return nil, err
		}
		return &Match{Field: field, Value: v.text}, nil
	case tkRange:
		r := &Range{Field: field}
		lo, hi := v.rng.lo, v.rng.hi
		if !lo.open {
			if err := p.checkTime(field, lo.text, lo.pos); err != nil {
				return nil, err
			}
			r.Lo, r.HasLo, r.IncLo = lo.text, true, v.rng.incLo
		}
		if !hi.open {
			if err := p.checkTime(field, hi.text, hi.pos); err != nil {
				return nil, err
			}
			r.Hi, r.HasHi, r.IncHi = hi.text, true, v.rng.incHi
		}
		return r, nil
	case tkWord:
		if v.wild {
			if segs := Segments(v.text); len(segs) == 1 && segs[0].Wild == '*' {
				return &Exists{Field: field}, nil
			}
			if isTimeField(field) {
				return nil, p.errAt(v.pos, "%s is a time: use a range such as %s>=2024-01-01, not wildcards", field, field)
			}
			return &Match{Field: field, Value: v.text, Wild: true}, nil
		}
		if strings.IndexByte(v.text, '/') > 0 {
			if pfx, err := netip.ParsePrefix(v.text); err == nil {
				if isTimeField(field) {
					return nil, p.errAt(v.pos, "%s is a time, not an IP address", field)
				}
				return &CIDR{Field: field, Prefix: pfx.Masked()}, nil
			}
		}
		if err := p.checkTime(field, v.text, v.pos); err != nil {
			return nil, err
		}
		return &Match{Field: field, Value: v.text}, nil
	}
	return nil, p.errAt(v.pos, "expected a value, found %s", p.describe(v))
}

// isTimeField reports whether the field is always a time.
func isTimeField(field string) bool {
	return field == event.FieldTimestamp || field == event.FieldIngested || field == TimeColumn
}

func (p *parser) checkTime(field, value string, pos int) error {
	if !isTimeField(field) {
		return nil
	}
	if _, err := event.ParseTime(value); err != nil {
		return p.errAt(pos, "%s is a time and %q is not one (use RFC 3339 like 2024-05-01T10:00:00Z, or Unix seconds)", field, value)
	}
	return nil
}

// checkColumn rejects a field the rows no longer have.
func (p *parser) checkColumn(name string, pos int) error {
	if p.cols == nil || slices.Contains(p.cols, name) {
		return nil
	}
	return p.errAt(pos, "no field %q here: the rows have %s", name, strings.Join(p.cols, ", "))
}

// checkFullText rejects a bare word or phrase where the rows have no text.
func (p *parser) checkFullText(t *token) error {
	if p.cols == nil {
		return nil
	}
	for _, f := range FullTextFields {
		if !slices.Contains(p.cols, f) {
			return p.errAt(t.pos, "bare words search message and event.original, which the rows no longer have; name a field (the rows have %s)", strings.Join(p.cols, ", "))
		}
	}
	return nil
}

func newAnd(args []Expr) Expr {
	if len(args) == 1 {
		return args[0]
	}
	flat := make([]Expr, 0, len(args))
	for _, a := range args {
		if and, ok := a.(*And); ok {
			flat = append(flat, and.Args...)
		} else {
			flat = append(flat, a)
		}
	}
	return &And{Args: flat}
}

func newOr(args []Expr) Expr {
	if len(args) == 1 {
		return args[0]
	}
	flat := make([]Expr, 0, len(args))
	for _, a := range args {
		if or, ok := a.(*Or); ok {
			flat = append(flat, or.Args...)
		} else {
			flat = append(flat, a)
		}
	}
	return &Or{Args: flat}
}
