package query

import (
	"fmt"
	"unicode/utf8"
)

// Error is a query that cannot be parsed. It says where: Offset for
// programs, Column for people and UIs.
type Error struct {
	// Offset is the 0-based byte offset in the query text where the problem is
	// (len(text) when the query ends too early).
	Offset int
	// Column is the 1-based position in characters (Unicode code points) of
	// the same place: what a UI underlines and what Error prints.
	Column int
	// Msg says what is wrong.
	Msg string
}

func (e *Error) Error() string {
	return fmt.Sprintf("parse query at %d: %s", e.Column, e.Msg)
}

func errorAt(src string, offset int, format string, args ...any) *Error {
	return &Error{Offset: offset, Column: column(src, offset), Msg: fmt.Sprintf(format, args...)}
}

// column is the 1-based character column of a byte offset.
func column(src string, offset int) int {
	if offset > len(src) {
		offset = len(src)
	}
	return utf8.RuneCountInString(src[:offset]) + 1
}
