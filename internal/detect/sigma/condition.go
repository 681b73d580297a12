package sigma

import (
	"path"
	"strconv"
	"strings"
)

// condNode is the syntax tree of a condition.
type condNode struct {
	op       condOp
	name     string      // condIdent: the search identifier
	pattern  string      // condOf: the identifier pattern, "them" for all
	count    int         // condOf: how many must match; 0 means all
	children []*condNode // condAnd, condOr, condNot
}

type condOp uint8

const (
	condIdent condOp = iota
	condAnd
	condOr
	condNot
	condOf
)

func (n *condNode) String() string {
	switch n.op {
	case condIdent:
		return n.name
	case condNot:
		return "not " + n.children[0].String()
	case condOf:
		c := strconv.Itoa(n.count)
		if n.count == 0 {
			c = "all"
		}
		return c + " of " + n.pattern
	}
	sep := " and "
	if n.op == condOr {
		sep = " or "
	}
	parts := make([]string, len(n.children))
	for i, c := range n.children {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, sep) + ")"
}

// maxConditionDepth bounds nesting so a hostile condition cannot exhaust the
// stack; real rules nest three or four levels.
const maxConditionDepth = 64

type condParser struct {
	toks  []string
	pos   int
	depth int
}

// parseCondition parses a condition string. Precedence, loosest first: or,
// and, not, `x of`, parentheses.
func parseCondition(s string) (*condNode, error) {
	if i := strings.IndexByte(s, '|'); i >= 0 {
		return nil, unsupported(ReasonAggregation, "aggregation %q in the condition (legacy correlation) is not supported", strings.TrimSpace(s[i:]))
	}
	toks, err := lexCondition(s)
	if err != nil {
		return nil, err
	}
	if len(toks) == 0 {
		return nil, invalid(ReasonCondition, "empty condition")
	}
	p := &condParser{toks: toks}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		if p.toks[p.pos] == "|" {
			return nil, unsupported(ReasonAggregation, "aggregation %q in the condition (legacy correlation) is not supported", strings.Join(p.toks[p.pos:], " "))
		}
		return nil, invalid(ReasonCondition, "unexpected %q in condition %q", p.toks[p.pos], s)
	}
	return n, nil
}

func lexCondition(s string) ([]string, error) {
	var toks []string
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == '|':
			toks = append(toks, string(c))
			i++
		case isIdentChar(c):
			j := i
			for j < len(s) && isIdentChar(s[j]) {
				j++
			}
			toks = append(toks, s[i:j])
			i = j
		default:
			return nil, invalid(ReasonCondition, "unexpected character %q in condition %q", c, s)
		}
	}
	return toks, nil
}

func isIdentChar(c byte) bool {
	return c == '_' || c == '*' || c == '-' || c == '.' || c == '?' ||
		(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80
}

func (p *condParser) peek() string {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return ""
}

func (p *condParser) keyword(k string) bool { return strings.EqualFold(p.peek(), k) }

func (p *condParser) enter() error {
	p.depth++
	if p.depth > maxConditionDepth {
		return invalid(ReasonCondition, "condition nests deeper than %d", maxConditionDepth)
	}
	return nil
}

func (p *condParser) parseOr() (*condNode, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	left, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	if !p.keyword("or") {
		return left, nil
	}
	n := &condNode{op: condOr, children: []*condNode{left}}
	for p.keyword("or") {
		p.pos++
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, right)
	}
	return n, nil
}

func (p *condParser) parseAnd() (*condNode, error) {
	left, err := p.parseNot()
	if err != nil {
		return nil, err
	}
	if !p.keyword("and") {
		return left, nil
	}
	n := &condNode{op: condAnd, children: []*condNode{left}}
	for p.keyword("and") {
		p.pos++
		right, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		n.children = append(n.children, right)
	}
	return n, nil
}

func (p *condParser) parseNot() (*condNode, error) {
	if p.keyword("not") {
		p.pos++
		if err := p.enter(); err != nil {
			return nil, err
		}
		defer func() { p.depth-- }()
		c, err := p.parseNot()
		if err != nil {
			return nil, err
		}
		return &condNode{op: condNot, children: []*condNode{c}}, nil
	}
	return p.parseAtom()
}

func (p *condParser) parseAtom() (*condNode, error) {
	t := p.peek()
	switch {
	case t == "":
		return nil, invalid(ReasonCondition, "condition ends where a search identifier was expected")
	case t == "(":
		p.pos++
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek() != ")" {
			return nil, invalid(ReasonCondition, "missing ')'")
		}
		p.pos++
		return n, nil
	case t == ")" || t == "|":
		return nil, invalid(ReasonCondition, "unexpected %q where a search identifier was expected", t)
	case isReserved(t):
		return nil, invalid(ReasonCondition, "unexpected %q where a search identifier was expected", t)
	}
	if p.pos+1 < len(p.toks) && strings.EqualFold(p.toks[p.pos+1], "of") {
		count := 0
		switch {
		case strings.EqualFold(t, "all"):
		case strings.EqualFold(t, "any"):
			count = 1
		default:
			n, err := strconv.Atoi(t)
			if err != nil || n < 1 {
				return nil, invalid(ReasonCondition, "%q of: want a positive number, any or all", t)
			}
			count = n
		}
		p.pos += 2
		pat := p.peek()
		if pat == "" || pat == "(" || pat == ")" || pat == "|" || isReserved(pat) && !strings.EqualFold(pat, "them") {
			return nil, invalid(ReasonCondition, "%s of: missing identifier pattern", t)
		}
		p.pos++
		if strings.EqualFold(pat, "them") {
			pat = "them"
		}
		return &condNode{op: condOf, count: count, pattern: pat}, nil
	}
	if strings.ContainsAny(t, "*?") {
		return nil, invalid(ReasonCondition, "wildcard identifier %q outside `1 of` / `all of`", t)
	}
	p.pos++
	return &condNode{op: condIdent, name: t}, nil
}

func isReserved(t string) bool {
	switch strings.ToLower(t) {
	case "and", "or", "not", "of", "them", "near":
		return true
	}
	return false
}

// resolve checks identifiers against the rule's searches and expands `x of`
// into and/or over the named searches. `them` excludes identifiers that
// start with an underscore, as the specification says.
func (n *condNode) resolve(names []string) (*condNode, error) {
	switch n.op {
	case condIdent:
		for _, nm := range names {
			if nm == n.name {
				return n, nil
			}
		}
		return nil, invalid(ReasonCondition, "condition names unknown search %q", n.name)
	case condOf:
		var matched []*condNode
		for _, nm := range names {
			if n.pattern == "them" {
				if strings.HasPrefix(nm, "_") {
					continue
				}
			} else if ok, _ := path.Match(escapeGlobClass(n.pattern), nm); !ok {
				continue
			}
			matched = append(matched, &condNode{op: condIdent, name: nm})
		}
		if len(matched) == 0 {
			return nil, invalid(ReasonCondition, "%s matches no search", n)
		}
		if n.count == 0 || n.count == len(matched) {
			if len(matched) == 1 {
				return matched[0], nil
			}
			return &condNode{op: condAnd, children: matched}, nil
		}
		if n.count == 1 {
			if len(matched) == 1 {
				return matched[0], nil
			}
			return &condNode{op: condOr, children: matched}, nil
		}
		if n.count > len(matched) {
			return nil, invalid(ReasonCondition, "%s: only %d searches match", n, len(matched))
		}
		return &condNode{op: condOf, count: n.count, children: matched}, nil
	}
	out := &condNode{op: n.op, children: make([]*condNode, len(n.children))}
	for i, c := range n.children {
		r, err := c.resolve(names)
		if err != nil {
			return nil, err
		}
		out.children[i] = r
	}
	return out, nil
}

// escapeGlobClass keeps path.Match from reading '[' and '\' in identifier
// patterns as character classes or escapes: Sigma patterns only know '*'.
func escapeGlobClass(p string) string {
	if !strings.ContainsAny(p, "[]\\") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if c := p[i]; c == '[' || c == ']' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(p[i])
	}
	return b.String()
}
