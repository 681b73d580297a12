package query

import (
	"strings"
)

// tokKind is the kind of a lexical token.
type tokKind uint8

const (
	tkEOF    tokKind = iota
	tkWord           // a bare word, or a value after an operator
	tkPhrase         // a quoted phrase
	tkField          // a field name with its operator: `user.name:`, `bytes>=`
	tkOp             // an operator standing alone: the `>` of `count > 5`
	tkRange          // a whole range: `[1 TO 1024}`
	tkLParen
	tkRParen
	tkPipe
	tkComma
	tkMinus // `-` before a term (NOT) or a sort key (descending)
)

// token is one lexical token. pos and end are byte offsets into the query.
type token struct {
	kind tokKind
	pos  int
	end  int
	// text is, for a word, its literal text with escapes removed (wildcard
	// characters kept as they are); for a phrase its text; for a field its
	// name; for an op the operator.
	text string
	op   string // the operator of a field token
	wild bool   // the word has a * or ?
	// plain is true for a word without escapes. Keywords (AND, OR, NOT) and
	// names are recognised only in plain words.
	plain bool
	rng   *rangeTok
}

// rangeTok is the content of a range token.
type rangeTok struct {
	lo, hi       bound
	incLo, incHi bool
}

type bound struct {
	text string
	open bool // the bound was an unquoted *
	pos  int
}

// specials are the characters a backslash escapes in words: those the
// lexer gives a meaning. A backslash before any other character, a backslash
// or a wildcard included, is an ordinary character, so Windows paths need
// no doubling: C:\Users\*\AppData and \\server\share are written as they are.
// Wildcards cannot be escaped in words; a phrase matches them literally.
const specials = " \t\n\r\f\v()\":|<>=![]{},-"

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

func isSpecial(c byte) bool { return strings.IndexByte(specials, c) >= 0 }

// isNameStart and isNameByte define field names: a letter, '_' or '@',
// then letters, digits and "_.@-".
func isNameStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == '@'
}

func isNameByte(c byte) bool {
	return isNameStart(c) || c >= '0' && c <= '9' || c == '.' || c == '-'
}

// IsFieldName reports whether s is a field name the language can write
// without quoting: a letter, '_' or '@', then letters, digits and "_.@-".
func IsFieldName(s string) bool {
	if s == "" || !isNameStart(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isNameByte(s[i]) {
			return false
		}
	}
	return true
}

// lexer splits a query into tokens. It is context sensitive in three small
// ways, all decided from the tokens themselves so the parser can work on a
// finished token list:
//   - after an operator comes a value: a phrase, a range, a group in
//     parentheses, or a word that is never split at ':' (so IPv6 addresses
//     and times need no escaping) and in which '-' is an ordinary character;
//   - inside a value group (`field:(a OR b)`) every word is a value;
//   - after `| name`, commas separate arguments unless the command is where.
type lexer struct {
	src      string
	i        int
	toks     []token
	valuePos bool // the next token is a value
	valDepth int  // > 0 inside a value group
	commas   bool // commas are separators
	atCmd    bool // the next word names a pipe command
}

func lex(src string) ([]token, error) {
	lx := &lexer{src: src}
	for {
		t, err := lx.next()
		if err != nil {
			return nil, err
		}
		lx.toks = append(lx.toks, t)
		if t.kind == tkEOF {
			return lx.toks, nil
		}
	}
}

func (lx *lexer) next() (token, error) {
	for lx.i < len(lx.src) && isSpace(lx.src[lx.i]) {
		lx.i++
	}
	if lx.i >= len(lx.src) {
		return token{kind: tkEOF, pos: len(lx.src), end: len(lx.src)}, nil
	}
	if lx.valuePos {
		lx.valuePos = false
		switch c := lx.src[lx.i]; c {
		case ')', '|':
			// Not a value: the parser reports what it expected.
		case '(':
			lx.valDepth = 1
			return lx.punct(tkLParen), nil
		default:
			return lx.value()
		}
	}
	if lx.valDepth > 0 {
		switch lx.src[lx.i] {
		case '(':
			lx.valDepth++
			return lx.punct(tkLParen), nil
		case ')':
			lx.valDepth--
			return lx.punct(tkRParen), nil
		case '-':
			return lx.punct(tkMinus), nil
		case '|':
			return lx.punct(tkPipe), nil
		}
		return lx.value()
	}
	switch c := lx.src[lx.i]; c {
	case '(':
		return lx.punct(tkLParen), nil
	case ')':
		return lx.punct(tkRParen), nil
	case '|':
		lx.atCmd, lx.commas = true, false
		return lx.punct(tkPipe), nil
	case '-':
		return lx.punct(tkMinus), nil
	case '"':
		return lx.phrase()
	case ',':
		if lx.commas {
			return lx.punct(tkComma), nil
		}
	case ':', '=', '<', '>', '!':
		if op := lx.operator(lx.i); op != "" {
			t := token{kind: tkOp, pos: lx.i, end: lx.i + len(op), text: op}
			lx.i += len(op)
			lx.valuePos = true
			return t, nil
		}
	}
	if isNameStart(lx.src[lx.i]) {
		j := lx.i + 1
		for j < len(lx.src) && isNameByte(lx.src[j]) {
			j++
		}
		if op := lx.fieldOperator(j); op != "" && !lx.pathAt(lx.i, j) {
			t := token{kind: tkField, pos: lx.i, end: j + len(op), text: lx.src[lx.i:j], op: op}
			lx.i = j + len(op)
			lx.valuePos = true
			return t, nil
		}
	}
	t := lx.word()
	if lx.atCmd {
		lx.atCmd = false
		lx.commas = !strings.EqualFold(t.text, "where")
	}
	return t, nil
}

// pathAt reports whether the name [i, j) followed by ':' starts a Windows
// path (`C:\Windows`: one letter, a colon, a backslash that escapes
// nothing) or a URL (`https://`) rather than naming a field, so such words
// can be searched without quotes.
func (lx *lexer) pathAt(i, j int) bool {
	rest := lx.src[j:]
	if strings.HasPrefix(rest, "://") {
		return true
	}
	return j-i == 1 && strings.HasPrefix(rest, ":\\") && (len(rest) == 2 || !isSpecial(rest[2]))
}

// operator returns the comparison operator at i, or "".
func (lx *lexer) operator(i int) string {
	s := lx.src[i:]
	for _, op := range [...]string{"<=", ">=", "!=", "<", ">", "=", ":"} {
		if strings.HasPrefix(s, op) {
			return op
		}
	}
	return ""
}

// fieldOperator returns the operator after a field name ending at i: one of
// the comparison operators, or ':' followed by one of <, <=, >, >=.
func (lx *lexer) fieldOperator(i int) string {
	op := lx.operator(i)
	if op == ":" {
		if next := lx.operator(i + 1); next != "" && next != ":" && next != "=" && next != "!=" {
			return ":" + next
		}
	}
	return op
}

func (lx *lexer) punct(k tokKind) token {
	t := token{kind: k, pos: lx.i, end: lx.i + 1}
	lx.i++
	return t
}

// value lexes the token after an operator or inside a value group.
func (lx *lexer) value() (token, error) {
	switch lx.src[lx.i] {
	case '"':
		return lx.phrase()
	case '[', '{':
		return lx.rangeToken()
	}
	return lx.word(), nil
}

// word lexes a word up to a space, a parenthesis, a pipe or (in argument
// lists) a comma. Backslash escapes a special character.
func (lx *lexer) word() token {
	start := lx.i
	var text strings.Builder
	t := token{kind: tkWord, pos: start, plain: true}
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		if isSpace(c) || c == '(' || c == ')' || c == '|' || c == ',' && lx.commas {
			break
		}
		if c == '\\' && lx.i+1 < len(lx.src) && isSpecial(lx.src[lx.i+1]) {
			t.plain = false
			text.WriteByte(lx.src[lx.i+1])
			lx.i += 2
			continue
		}
		if c == '*' || c == '?' {
			t.wild = true
		}
		text.WriteByte(c)
		lx.i++
	}
	t.end = lx.i
	t.text = text.String()
	return t
}

// phrase lexes a quoted phrase. Inside it, \" is a quote and \\ a
// backslash; other backslashes are ordinary characters.
func (lx *lexer) phrase() (token, error) {
	start := lx.i
	text, end, err := lx.quoted(start)
	if err != nil {
		return token{}, err
	}
	lx.i = end
	return token{kind: tkPhrase, pos: start, end: end, text: text}, nil
}

// quoted reads the quoted text starting at the quote at start and returns it
// with the offset after the closing quote.
func (lx *lexer) quoted(start int) (string, int, error) {
	var b strings.Builder
	i := start + 1
	for i < len(lx.src) {
		c := lx.src[i]
		switch {
		case c == '"':
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(lx.src) && (lx.src[i+1] == '"' || lx.src[i+1] == '\\'):
			b.WriteByte(lx.src[i+1])
			i += 2
		default:
			b.WriteByte(c)
			i++
		}
	}
	return "", 0, errorAt(lx.src, start, "unterminated phrase: a quote opened here is not closed")
}

// rangeToken lexes [lo TO hi], with { } for exclusive ends and * for an
// open end.
func (lx *lexer) rangeToken() (token, error) {
	start := lx.i
	r := &rangeTok{incLo: lx.src[start] == '['}
	lx.i++
	var err error
	if r.lo, err = lx.bound(); err != nil {
		return token{}, err
	}
	lx.skipSpace()
	if !lx.keywordAt("TO") {
		return token{}, errorAt(lx.src, lx.i, "expected TO in the range opened at %d", column(lx.src, start))
	}
	lx.i += 2
	if r.hi, err = lx.bound(); err != nil {
		return token{}, err
	}
	lx.skipSpace()
	if lx.i >= len(lx.src) || lx.src[lx.i] != ']' && lx.src[lx.i] != '}' {
		return token{}, errorAt(lx.src, lx.i, "expected ] or } to close the range opened at %d", column(lx.src, start))
	}
	r.incHi = lx.src[lx.i] == ']'
	lx.i++
	return token{kind: tkRange, pos: start, end: lx.i, rng: r}, nil
}

func (lx *lexer) skipSpace() {
	for lx.i < len(lx.src) && isSpace(lx.src[lx.i]) {
		lx.i++
	}
}

// keywordAt reports whether the word at the current offset is kw (in any
// case).
func (lx *lexer) keywordAt(kw string) bool {
	end := lx.i + len(kw)
	return end <= len(lx.src) && strings.EqualFold(lx.src[lx.i:end], kw) &&
		(end == len(lx.src) || isSpace(lx.src[end]) || lx.src[end] == ']' || lx.src[end] == '}')
}

// bound lexes one end of a range: a phrase, *, or a word that ends at a
// space or a closing bracket.
func (lx *lexer) bound() (bound, error) {
	lx.skipSpace()
	b := bound{pos: lx.i}
	if lx.i >= len(lx.src) {
		return b, errorAt(lx.src, lx.i, "expected a range bound")
	}
	if lx.src[lx.i] == '"' {
		text, end, err := lx.quoted(lx.i)
		if err != nil {
			return b, err
		}
		lx.i = end
		b.text = text
		return b, nil
	}
	var text strings.Builder
	escaped := false
	for lx.i < len(lx.src) {
		c := lx.src[lx.i]
		if isSpace(c) || c == ']' || c == '}' {
			break
		}
		if c == '\\' && lx.i+1 < len(lx.src) && isSpecial(lx.src[lx.i+1]) {
			text.WriteByte(lx.src[lx.i+1])
			lx.i += 2
			escaped = true
			continue
		}
		text.WriteByte(c)
		lx.i++
	}
	b.text = text.String()
	if b.text == "" {
		return b, errorAt(lx.src, lx.i, "expected a range bound")
	}
	b.open = b.text == "*" && !escaped
	return b, nil
}
