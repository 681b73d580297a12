package intel

import (
	"errors"
	"fmt"
	"strings"
)

// STIX 2.1 patterning (part 9 of the specification), the part an
// indicator-matching enricher can use: comparisons of single observables
// joined by OR.
//
//	pattern     = obs-expr
//	obs-expr    = obs-and { ("OR" | "FOLLOWEDBY") obs-and }
//	obs-and     = obs-unit { "AND" obs-unit }
//	obs-unit    = ( "[" comp-expr "]" | "(" obs-expr ")" ) { qualifier }
//	qualifier   = "WITHIN" num "SECONDS" | "REPEATS" num "TIMES" | "START" t'…' "STOP" t'…'
//	comp-expr   = comp-and { "OR" comp-and }
//	comp-and    = comp-unit { "AND" comp-unit }
//	comp-unit   = "(" comp-expr ")" | ["NOT"] path op value
//	op          = "=" | "!=" | "<" | "<=" | ">" | ">=" | "IN" | "LIKE" | "MATCHES" | "ISSUBSET" | "ISSUPERSET"
//
// Each equality (=, IN, and ISSUBSET for addresses) on ipv4-addr:value,
// ipv6-addr:value, domain-name:value, url:value, file:hashes.<alg> and
// network-traffic:{src,dst}_ref.value becomes an Atom; a pattern is the OR
// of its atoms. What cannot be reduced to that is ErrUnsupported, with the
// reason: AND or FOLLOWEDBY between observations (a correlation, not an
// indicator), NOT, other operators, other object types, and AND between
// comparisons unless the others only check a reference's type. Qualifiers
// are accepted and ignored: an indicator seen once is reported.

// Atom is one observable value a pattern matches.
type Atom struct {
	Type  Type
	Value string
}

// ErrUnsupported is wrapped by the errors of patterns that are valid STIX
// but cannot be matched as a list of values.
var ErrUnsupported = errors.New("unsupported STIX pattern")

// ErrPattern is wrapped by the errors of text that is not a STIX pattern.
var ErrPattern = errors.New("bad STIX pattern")

// ParsePattern returns the atoms of a STIX pattern.
func ParsePattern(s string) ([]Atom, error) {
	toks, err := lexPattern(s)
	if err != nil {
		return nil, err
	}
	p := &patParser{toks: toks}
	atoms, err := p.obsExpr(0)
	if err != nil {
		return nil, err
	}
	if !p.at(tEOF) {
		return nil, fmt.Errorf("unexpected %q at %d: %w", p.peek().text, p.peek().pos, ErrPattern)
	}
	if len(atoms) == 0 {
		return nil, fmt.Errorf("no comparison: %w", ErrPattern)
	}
	return atoms, nil
}

// FormatPattern writes atoms as one STIX pattern, the inverse of
// ParsePattern for the patterns it accepts.
func FormatPattern(atoms []Atom) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, a := range atoms {
		if i > 0 {
			b.WriteString(" OR ")
		}
		switch a.Type {
		case TypeIP:
			if strings.Contains(a.Value, ":") {
				b.WriteString("ipv6-addr:value")
			} else {
				b.WriteString("ipv4-addr:value")
			}
		case TypeDomain:
			b.WriteString("domain-name:value")
		case TypeURL:
			b.WriteString("url:value")
		case TypeMD5:
			b.WriteString("file:hashes.MD5")
		case TypeSHA1:
			b.WriteString("file:hashes.'SHA-1'")
		case TypeSHA256:
			b.WriteString("file:hashes.'SHA-256'")
		case TypeSHA512:
			b.WriteString("file:hashes.'SHA-512'")
		}
		b.WriteString(" = '")
		b.WriteString(strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(a.Value))
		b.WriteByte('\'')
	}
	b.WriteByte(']')
	return b.String()
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tLBrack
	tRBrack
	tLParen
	tRParen
	tComma
	tColon
	tDot
	tOp     // = != < <= > >=
	tWord   // identifiers and keywords (object types may hold '-')
	tString // '…'
	tNumber
	tTyped // t'…', h'…', b'…'
)

type token struct {
	kind tokKind
	text string // the unquoted text for strings
	pos  int
}

func lexPattern(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '[':
			toks = append(toks, token{tLBrack, "[", i})
			i++
		case c == ']':
			toks = append(toks, token{tRBrack, "]", i})
			i++
		case c == '(':
			toks = append(toks, token{tLParen, "(", i})
			i++
		case c == ')':
			toks = append(toks, token{tRParen, ")", i})
			i++
		case c == ',':
			toks = append(toks, token{tComma, ",", i})
			i++
		case c == '*': // a list index: [*]
			toks = append(toks, token{tNumber, "*", i})
			i++
		case c == ':':
			toks = append(toks, token{tColon, ":", i})
			i++
		case c == '.':
			toks = append(toks, token{tDot, ".", i})
			i++
		case c == '=' || c == '!' || c == '<' || c == '>':
			j := i + 1
			if j < len(s) && s[j] == '=' {
				j++
			}
			op := s[i:j]
			if op == "!" {
				return nil, fmt.Errorf("'!' at %d: %w", i, ErrPattern)
			}
			toks = append(toks, token{tOp, op, i})
			i = j
		case c == '\'':
			v, n, err := lexString(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tString, v, i})
			i = n
		case (c == 't' || c == 'h' || c == 'b') && i+1 < len(s) && s[i+1] == '\'':
			v, n, err := lexString(s, i+1)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{tTyped, v, i})
			i = n
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			for j < len(s) && (s[j] >= '0' && s[j] <= '9' || s[j] == '.') {
				j++
			}
			toks = append(toks, token{tNumber, s[i:j], i})
			i = j
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(s) && (s[j] == '_' || s[j] == '-' || s[j] >= 'a' && s[j] <= 'z' || s[j] >= 'A' && s[j] <= 'Z' || s[j] >= '0' && s[j] <= '9') {
				j++
			}
			toks = append(toks, token{tWord, s[i:j], i})
			i = j
		default:
			return nil, fmt.Errorf("character %q at %d: %w", c, i, ErrPattern)
		}
	}
	return append(toks, token{tEOF, "", len(s)}), nil
}

// lexString reads a '…' literal starting at s[i] with \' and \\ escapes.
func lexString(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if j+1 >= len(s) || (s[j+1] != '\'' && s[j+1] != '\\') {
				return "", 0, fmt.Errorf("bad escape at %d: %w", j, ErrPattern)
			}
			j++
			b.WriteByte(s[j])
		case '\'':
			return b.String(), j + 1, nil
		default:
			b.WriteByte(s[j])
		}
	}
	return "", 0, fmt.Errorf("unterminated string at %d: %w", i, ErrPattern)
}

type patParser struct {
	toks []token
	i    int
}

// maxDepth bounds nesting so hostile patterns cannot exhaust the stack.
const maxDepth = 64

func (p *patParser) peek() token          { return p.toks[p.i] }
func (p *patParser) at(k tokKind) bool    { return p.toks[p.i].kind == k }
func (p *patParser) next() token          { t := p.toks[p.i]; p.i++; return t }
func (p *patParser) atWord(w string) bool { return p.at(tWord) && strings.EqualFold(p.peek().text, w) }

func (p *patParser) expect(k tokKind, what string) (token, error) {
	if !p.at(k) {
		t := p.peek()
		return t, fmt.Errorf("want %s at %d, got %q: %w", what, t.pos, t.text, ErrPattern)
	}
	return p.next(), nil
}

func (p *patParser) obsExpr(depth int) ([]Atom, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d: %w", maxDepth, ErrPattern)
	}
	atoms, err := p.obsAnd(depth)
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.atWord("OR"):
			p.next()
			more, err := p.obsAnd(depth)
			if err != nil {
				return nil, err
			}
			atoms = append(atoms, more...)
		case p.atWord("FOLLOWEDBY"):
			return nil, fmt.Errorf("FOLLOWEDBY at %d: %w", p.peek().pos, ErrUnsupported)
		default:
			return atoms, nil
		}
	}
}

func (p *patParser) obsAnd(depth int) ([]Atom, error) {
	atoms, err := p.obsUnit(depth)
	if err != nil {
		return nil, err
	}
	if p.atWord("AND") {
		return nil, fmt.Errorf("AND between observations at %d: %w", p.peek().pos, ErrUnsupported)
	}
	return atoms, nil
}

func (p *patParser) obsUnit(depth int) ([]Atom, error) {
	var atoms []Atom
	var err error
	switch {
	case p.at(tLBrack):
		p.next()
		if atoms, err = p.compExpr(depth + 1); err != nil {
			return nil, err
		}
		if _, err := p.expect(tRBrack, "']'"); err != nil {
			return nil, err
		}
	case p.at(tLParen):
		p.next()
		if atoms, err = p.obsExpr(depth + 1); err != nil {
			return nil, err
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, err
		}
	default:
		t := p.peek()
		return nil, fmt.Errorf("want '[' or '(' at %d, got %q: %w", t.pos, t.text, ErrPattern)
	}
	return atoms, p.qualifiers()
}

func (p *patParser) qualifiers() error {
	for {
		switch {
		case p.atWord("WITHIN"):
			p.next()
			if _, err := p.expect(tNumber, "a number"); err != nil {
				return err
			}
			if !p.atWord("SECONDS") {
				return fmt.Errorf("want SECONDS at %d: %w", p.peek().pos, ErrPattern)
			}
			p.next()
		case p.atWord("REPEATS"):
			p.next()
			if _, err := p.expect(tNumber, "a number"); err != nil {
				return err
			}
			if !p.atWord("TIMES") {
				return fmt.Errorf("want TIMES at %d: %w", p.peek().pos, ErrPattern)
			}
			p.next()
		case p.atWord("START"):
			p.next()
			if _, err := p.expect(tTyped, "a timestamp"); err != nil {
				return err
			}
			if !p.atWord("STOP") {
				return fmt.Errorf("want STOP at %d: %w", p.peek().pos, ErrPattern)
			}
			p.next()
			if _, err := p.expect(tTyped, "a timestamp"); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (p *patParser) compExpr(depth int) ([]Atom, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("nesting deeper than %d: %w", maxDepth, ErrPattern)
	}
	atoms, err := p.compAnd(depth)
	if err != nil {
		return nil, err
	}
	for p.atWord("OR") {
		p.next()
		more, err := p.compAnd(depth)
		if err != nil {
			return nil, err
		}
		atoms = append(atoms, more...)
	}
	return atoms, nil
}

// compAnd accepts AND only where every other operand is a check of a
// reference's type (network-traffic:dst_ref.type = 'ipv4-addr'), which
// adds nothing to the value.
func (p *patParser) compAnd(depth int) ([]Atom, error) {
	atoms, typeOnly, err := p.compUnit(depth)
	if err != nil {
		return nil, err
	}
	for p.atWord("AND") {
		pos := p.next().pos
		more, moreTypeOnly, err := p.compUnit(depth)
		if err != nil {
			return nil, err
		}
		switch {
		case moreTypeOnly:
		case typeOnly:
			atoms, typeOnly = more, false
		default:
			return nil, fmt.Errorf("AND of two values at %d: %w", pos, ErrUnsupported)
		}
	}
	if typeOnly {
		return nil, fmt.Errorf("only type checks: %w", ErrUnsupported)
	}
	return atoms, nil
}

// compUnit parses one comparison or a parenthesised expression; typeOnly
// reports a comparison that checks a reference's type.
func (p *patParser) compUnit(depth int) (atoms []Atom, typeOnly bool, err error) {
	if p.at(tLParen) {
		p.next()
		if atoms, err = p.compExpr(depth + 1); err != nil {
			return nil, false, err
		}
		_, err = p.expect(tRParen, "')'")
		return atoms, false, err
	}
	if p.atWord("NOT") {
		return nil, false, fmt.Errorf("NOT at %d: %w", p.peek().pos, ErrUnsupported)
	}
	objType, err := p.expect(tWord, "an object type")
	if err != nil {
		return nil, false, err
	}
	if _, err := p.expect(tColon, "':'"); err != nil {
		return nil, false, err
	}
	var path []string
	for {
		if !p.at(tWord) && !p.at(tString) {
			return nil, false, fmt.Errorf("want a property at %d: %w", p.peek().pos, ErrPattern)
		}
		path = append(path, p.next().text)
		for p.at(tLBrack) {
			p.next()
			if _, err := p.expect(tNumber, "a list index"); err != nil {
				return nil, false, err
			}
			if _, err := p.expect(tRBrack, "']'"); err != nil {
				return nil, false, err
			}
			path = append(path, "[]")
		}
		if !p.at(tDot) {
			break
		}
		p.next()
	}
	op := ""
	switch {
	case p.at(tOp):
		op = p.next().text
	case p.atWord("IN"), p.atWord("LIKE"), p.atWord("MATCHES"), p.atWord("ISSUBSET"), p.atWord("ISSUPERSET"):
		op = strings.ToUpper(p.next().text)
	case p.atWord("NOT"):
		return nil, false, fmt.Errorf("NOT at %d: %w", p.peek().pos, ErrUnsupported)
	default:
		return nil, false, fmt.Errorf("want an operator at %d, got %q: %w", p.peek().pos, p.peek().text, ErrPattern)
	}
	var values []string
	if op == "IN" {
		if _, err := p.expect(tLParen, "'('"); err != nil {
			return nil, false, err
		}
		for {
			v, err := p.value()
			if err != nil {
				return nil, false, err
			}
			values = append(values, v)
			if p.at(tComma) {
				p.next()
				continue
			}
			break
		}
		if _, err := p.expect(tRParen, "')'"); err != nil {
			return nil, false, err
		}
	} else {
		v, err := p.value()
		if err != nil {
			return nil, false, err
		}
		values = []string{v}
	}
	obj := strings.ToLower(objType.text)
	last := path[len(path)-1]
	if obj == "network-traffic" && len(path) == 2 && (path[0] == "src_ref" || path[0] == "dst_ref") && last == "type" && op == "=" {
		return nil, true, nil
	}
	t, err := atomType(obj, path, objType.pos)
	if err != nil {
		return nil, false, err
	}
	switch op {
	case "=", "IN":
	case "ISSUBSET":
		if t != TypeIP {
			return nil, false, fmt.Errorf("ISSUBSET on %s at %d: %w", obj, objType.pos, ErrUnsupported)
		}
	default:
		return nil, false, fmt.Errorf("operator %s at %d: %w", op, objType.pos, ErrUnsupported)
	}
	for _, v := range values {
		vt := t
		if vt == 0 { // a network-traffic reference: an address or a name
			vt = Infer(v)
			if vt != TypeIP && vt != TypeDomain {
				return nil, false, fmt.Errorf("reference value %q at %d: %w", clip(v), objType.pos, ErrUnsupported)
			}
		}
		ct, cv, err := Canonical(vt, v)
		if err != nil {
			return nil, false, fmt.Errorf("value at %d: %w", objType.pos, err)
		}
		atoms = append(atoms, Atom{Type: ct, Value: cv})
	}
	return atoms, false, nil
}

func (p *patParser) value() (string, error) {
	switch {
	case p.at(tString), p.at(tNumber):
		return p.next().text, nil
	case p.atWord("true"), p.atWord("false"):
		return p.next().text, nil
	case p.at(tTyped):
		return p.next().text, nil
	}
	t := p.peek()
	return "", fmt.Errorf("want a value at %d, got %q: %w", t.pos, t.text, ErrPattern)
}

// atomType maps an object path to the indicator type it holds (0 for a
// network-traffic reference, decided by its value).
func atomType(obj string, path []string, pos int) (Type, error) {
	switch {
	case (obj == "ipv4-addr" || obj == "ipv6-addr") && len(path) == 1 && path[0] == "value":
		return TypeIP, nil
	case obj == "domain-name" && len(path) == 1 && path[0] == "value":
		return TypeDomain, nil
	case obj == "url" && len(path) == 1 && path[0] == "value":
		return TypeURL, nil
	case obj == "network-traffic" && len(path) == 2 && (path[0] == "src_ref" || path[0] == "dst_ref") && path[1] == "value":
		return 0, nil
	case (obj == "file" || obj == "artifact") && len(path) == 2 && path[0] == "hashes":
		switch strings.ToUpper(strings.ReplaceAll(path[1], "-", "")) {
		case "MD5":
			return TypeMD5, nil
		case "SHA1":
			return TypeSHA1, nil
		case "SHA256":
			return TypeSHA256, nil
		case "SHA512":
			return TypeSHA512, nil
		}
		return 0, fmt.Errorf("hash %q at %d: %w", path[1], pos, ErrUnsupported)
	}
	return 0, fmt.Errorf("%s:%s at %d: %w", obj, strings.Join(path, "."), pos, ErrUnsupported)
}
