// Package formaterr owns the sentinel errors of the record parsers and the
// error type that says where in a record parsing failed.
//
// The sentinels live here, below internal/parse, because the format packages
// must not import internal/parse (it imports them); internal/parse re-exports
// them as parse.ErrFormat and parse.ErrSkip, so errors.Is works across both.
package formaterr

import (
	"errors"
	"strconv"
)

// ErrFormat is wrapped by every error a parser returns for input that is
// not in its format.
var ErrFormat = errors.New("malformed record")

// ErrSkip is returned by a parser that consumed a record without producing
// an event (a CSV header line).
var ErrSkip = errors.New("record consumed without an event")

// Error is a parse failure at a byte position of a record. It wraps
// ErrFormat. Its text reads "rfc5424: timestamp at 5: want a digit".
type Error struct {
	Format string // "rfc5424", "cef", …
	Part   string // the grammar element being parsed: "timestamp", "header"
	Pos    int    // byte offset in the record
	Reason string
}

// At returns an *Error. It is only called on the failure path, so it may
// allocate.
func At(format, part string, pos int, reason string) error {
	return &Error{Format: format, Part: part, Pos: pos, Reason: reason}
}

func (e *Error) Error() string {
	b := make([]byte, 0, len(e.Format)+len(e.Part)+len(e.Reason)+16)
	b = append(b, e.Format...)
	b = append(b, ": "...)
	b = append(b, e.Part...)
	b = append(b, " at "...)
	b = strconv.AppendInt(b, int64(e.Pos), 10)
	b = append(b, ": "...)
	b = append(b, e.Reason...)
	return string(b)
}

// Unwrap makes errors.Is(err, ErrFormat) true.
func (e *Error) Unwrap() error { return ErrFormat }

// Shift returns err with its position moved by off when it is an *Error:
// a parser that hands a slice of its record to another parser reports
// positions in the whole record.
func Shift(err error, off int) error {
	var fe *Error
	if off != 0 && errors.As(err, &fe) {
		c := *fe
		c.Pos += off
		return &c
	}
	return err
}
