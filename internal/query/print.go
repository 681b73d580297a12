package query

import (
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String writes the plan as query text in canonical form: keywords in
// capitals, AND written out, field groups distributed, comparisons as
// operators. Parsing the text gives the same plan back.
func (p *Plan) String() string {
	var b strings.Builder
	if p.Filter != nil {
		writeExpr(&b, p.Filter, precOr)
	}
	for _, pipe := range p.Pipes {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("| ")
		writePipe(&b, pipe)
	}
	return b.String()
}

// ExprString writes a filter as query text.
func ExprString(e Expr) string {
	var b strings.Builder
	writeExpr(&b, e, precOr)
	return b.String()
}

// Precedences, loosest first.
const (
	precOr = iota
	precAnd
	precNot
)

func writeExpr(b *strings.Builder, e Expr, ctx int) {
	switch e := e.(type) {
	case *Or:
		writeJoined(b, e.Args, " OR ", precOr, ctx, precAnd)
	case *And:
		writeJoined(b, e.Args, " AND ", precAnd, ctx, precNot)
	case *Not:
		b.WriteString("NOT ")
		writeExpr(b, e.Arg, precNot)
	case *All:
		b.WriteByte('*')
	case *Match:
		if e.Field == "" {
			if e.Wild {
				writeGlob(b, e.Value, true)
			} else if bareSafe(e.Value) {
				b.WriteString(e.Value)
			} else {
				writePhrase(b, e.Value)
			}
			return
		}
		var v strings.Builder
		if e.Wild {
			writeGlob(&v, e.Value, false)
		} else {
			writeValue(&v, e.Value)
		}
		b.WriteString(e.Field)
		b.WriteByte(':')
		// A space keeps `C: \dir` and `http: //x` from reading as a path
		// or a URL (see lexer.pathAt).
		if val := v.String(); len(e.Field) == 1 && strings.HasPrefix(val, `\`) || strings.HasPrefix(val, "//") {
			b.WriteByte(' ')
		}
		b.WriteString(v.String())
	case *Exists:
		b.WriteString(e.Field)
		b.WriteString(":*")
	case *CIDR:
		b.WriteString(e.Field)
		b.WriteByte(':')
		b.WriteString(e.Prefix.String())
	case *Range:
		writeRange(b, e)
	}
}

// writeJoined writes the arguments of an And or Or, in parentheses when the
// context binds tighter.
func writeJoined(b *strings.Builder, args []Expr, sep string, prec, ctx, argCtx int) {
	paren := ctx > prec
	if paren {
		b.WriteByte('(')
	}
	for i, a := range args {
		if i > 0 {
			b.WriteString(sep)
		}
		writeExpr(b, a, argCtx)
	}
	if paren {
		b.WriteByte(')')
	}
}

func writeRange(b *strings.Builder, r *Range) {
	b.WriteString(r.Field)
	switch {
	case r.HasLo && !r.HasHi:
		b.WriteString(map[bool]string{false: ">", true: ">="}[r.IncLo])
		writeValue(b, r.Lo)
	case r.HasHi && !r.HasLo:
		b.WriteString(map[bool]string{false: "<", true: "<="}[r.IncHi])
		writeValue(b, r.Hi)
	default:
		b.WriteString(map[bool]string{false: ":{", true: ":["}[r.IncLo])
		writeBound(b, r.Lo, r.HasLo)
		b.WriteString(" TO ")
		writeBound(b, r.Hi, r.HasHi)
		b.WriteString(map[bool]string{false: "}", true: "]"}[r.IncHi])
	}
}

func writeBound(b *strings.Builder, v string, has bool) {
	switch {
	case !has:
		b.WriteByte('*')
	case valueSafe(v) && !strings.ContainsAny(v, "]}"):
		b.WriteString(v)
	default:
		writePhrase(b, v)
	}
}

// writeValue writes a literal value after an operator: bare when it reads
// back as the same literal, else quoted.
func writeValue(b *strings.Builder, v string) {
	if valueSafe(v) {
		b.WriteString(v)
	} else {
		writePhrase(b, v)
	}
}

func writePhrase(b *strings.Builder, s string) {
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
}

// writeGlob writes a wildcard pattern as a word, escaping the characters
// the lexer would read as syntax at their place.
func writeGlob(b *strings.Builder, glob string, bare bool) {
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		if needsEscape(c, i == 0, bare) {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
}

// needsEscape reports whether c must be escaped in a word: first says it
// starts the word, bare that the word is not a value after an operator.
func needsEscape(c byte, first, bare bool) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', '(', ')', '|', ',':
		return true
	case '-', '[', '{':
		return first && bare == (c == '-')
	case '"':
		return first
	case ':', '=', '!', '<', '>':
		return bare || first
	}
	return false
}

// plainByte marks the characters a bare word or value may hold without
// quoting: letters, digits, non-ASCII and a few punctuation marks that mean
// nothing to the lexer.
var plainByte = func() (t [256]bool) {
	for c := 0; c < 256; c++ {
		t[c] = c >= 0x80 || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
			strings.IndexByte("_.@/+#$%&~^';", byte(c)) >= 0
	}
	return t
}()

// bareSafe reports whether a literal bare word reads back as itself.
func bareSafe(s string) bool {
	if s == "" || !utf8.ValidString(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !plainByte[s[i]] && !(s[i] == '-' && i > 0) && !literalBackslash(s, i) {
			return false
		}
	}
	return !strings.EqualFold(s, "AND") && !strings.EqualFold(s, "OR") && !strings.EqualFold(s, "NOT")
}

// valueSafe reports whether a literal value after an operator reads back as
// itself: no characters the lexer treats specially, no leading operator
// character (which would join the operator), and not a CIDR prefix.
func valueSafe(s string) bool {
	if s == "" || !utf8.ValidString(s) || strings.IndexByte(":=!<>", s[0]) >= 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !plainByte[c] && strings.IndexByte("-:=!<>", c) < 0 && !literalBackslash(s, i) {
			return false
		}
	}
	if strings.IndexByte(s, '/') > 0 {
		if _, err := netip.ParsePrefix(s); err == nil {
			return false
		}
	}
	return true
}

// literalBackslash reports whether s[i] is a backslash that a word can hold
// as it is: one followed by a character it does not escape.
func literalBackslash(s string, i int) bool {
	return s[i] == '\\' && i+1 < len(s) && !isSpecial(s[i+1])
}

func writePipe(b *strings.Builder, pipe Pipe) {
	switch pp := pipe.(type) {
	case *Fields:
		b.WriteString("fields ")
		b.WriteString(strings.Join(pp.Names, ", "))
	case *Sort:
		b.WriteString("sort ")
		for i, k := range pp.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			if k.Desc {
				b.WriteByte('-')
			}
			b.WriteString(k.Field)
		}
	case *Head:
		b.WriteString("head ")
		b.WriteString(strconv.FormatInt(pp.N, 10))
	case *Where:
		b.WriteString("where ")
		writeExpr(b, pp.Filter, precOr)
	case *Stats:
		b.WriteString("stats ")
		writeAggs(b, pp.Aggs, pp.By)
	case *Timechart:
		b.WriteString("timechart ")
		if pp.Span != 0 {
			b.WriteString("span=")
			b.WriteString(formatSpan(pp.Span))
			b.WriteByte(' ')
		}
		writeAggs(b, pp.Aggs, pp.By)
	}
}

func writeAggs(b *strings.Builder, aggs []Agg, by []string) {
	for i, a := range aggs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a.Func.String())
		b.WriteByte('(')
		b.WriteString(a.Field)
		b.WriteByte(')')
		if a.As != "" {
			b.WriteString(" as ")
			b.WriteString(a.As)
		}
	}
	if len(by) > 0 {
		b.WriteString(" by ")
		b.WriteString(strings.Join(by, ", "))
	}
}
