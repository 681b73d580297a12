package query

import "net/netip"

// Expr is a node of a filter: *And, *Or, *Not, *All, *Match, *Exists,
// *CIDR or *Range. Compilers switch on the concrete type.
//
// The parser keeps the tree normal: And and Or have at least two arguments
// and none of the same kind (a AND (b AND c) is one And of three), a field
// group (`f:(a OR b)`) is distributed over its values, and comparisons are
// half-open ranges, so that printing a tree and parsing the text gives the
// same tree back.
type Expr interface {
	isExpr()
}

// And matches when all its arguments match.
type And struct{ Args []Expr }

// Or matches when any of its arguments matches.
type Or struct{ Args []Expr }

// Not matches when its argument does not. NOT f:x matches events without
// the field f too.
type Not struct{ Arg Expr }

// All matches every event: the query `*`.
type All struct{}

// Match compares a field with a value, or searches the full text.
//
// Field "" is a bare word or phrase: full-text search over message and
// event.original. On the full-text fields (message, event.original) a value
// matches as a bare word does, by token; on other fields it matches the
// whole value. Strings compare case-insensitively; see the package doc.
type Match struct {
	Field string
	// Value is the literal text when Wild is false, and a pattern in which
	// every * and ? is a wildcard (see Segments) when Wild is true.
	Value string
	Wild  bool
}

// Exists matches events that have the field (`f:*`), with a non-empty value.
type Exists struct{ Field string }

// CIDR matches IP addresses in a prefix (`source.ip:10.0.0.0/8`). Prefix is
// masked (its host bits are zero).
type CIDR struct {
	Field  string
	Prefix netip.Prefix
}

// Range matches values between two bounds (`f:[1 TO 1024}`, `f>=5`). A
// missing bound (HasLo or HasHi false) is open and its Inc flag is false.
// Bounds are text: numbers compare as numbers, times as times, IP addresses
// as addresses, anything else as text; see the package doc.
type Range struct {
	Field        string
	Lo, Hi       string
	HasLo, HasHi bool
	IncLo, IncHi bool
}

func (*And) isExpr()    {}
func (*Or) isExpr()     {}
func (*Not) isExpr()    {}
func (*All) isExpr()    {}
func (*Match) isExpr()  {}
func (*Exists) isExpr() {}
func (*CIDR) isExpr()   {}
func (*Range) isExpr()  {}

// FullTextFields are the fields bare words search, and the fields whose
// values match by token rather than as a whole.
var FullTextFields = [...]string{"message", "event.original"}

// IsFullText reports whether field is searched by token: "" (a bare word),
// message or event.original.
func IsFullText(field string) bool {
	return field == "" || field == FullTextFields[0] || field == FullTextFields[1]
}

// Walk calls fn for e and every node below it, parents first.
func Walk(e Expr, fn func(Expr)) {
	if e == nil {
		return
	}
	fn(e)
	switch e := e.(type) {
	case *And:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Or:
		for _, a := range e.Args {
			Walk(a, fn)
		}
	case *Not:
		Walk(e.Arg, fn)
	}
}

// exprField returns the field a leaf reads ("" for full text and All).
func exprField(e Expr) string {
	switch e := e.(type) {
	case *Match:
		return e.Field
	case *Exists:
		return e.Field
	case *CIDR:
		return e.Field
	case *Range:
		return e.Field
	}
	return ""
}
