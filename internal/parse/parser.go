package parse

import (
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/internal/formaterr"
)

// Parser turns one raw record into fields of an event.
//
// The caller fills the envelope of e before the call (tenant, source,
// event.original, event.ingested, and @timestamp set to the receive time);
// Parse sets fields, and replaces @timestamp when the record carries its own
// time. Parse never panics and never keeps data or e after it returns. It
// returns an error wrapping ErrFormat when the record is not in its format;
// the pipeline then dead-letters the record with that error as the reason.
//
// A Parser is not safe for concurrent use: each pipeline worker builds its own.
type Parser interface {
	Parse(data []byte, e *event.Event) error
}

// ErrFormat is wrapped by every error a parser returns for input that is not
// in its format.
var ErrFormat = formaterr.ErrFormat

// ErrSkip is returned by a parser that consumed a record without producing
// an event (a CSV header line). The pipeline neither stores nor
// dead-letters such a record.
var ErrSkip = formaterr.ErrSkip

// Options configure the parsers that need context beyond the record.
type Options struct {
	// Location is the time zone of timestamps that carry none (RFC 3164,
	// many vendor formats). Nil means UTC.
	Location *time.Location
	// Now returns the reference time for timestamps without a year. Nil
	// means time.Now.
	Now func() time.Time
	// CSVHeader names the columns of CSV records. When empty, the first
	// record a CSV parser sees is taken as the header.
	CSVHeader []string
	// CSVDelimiter separates CSV fields; zero means ','.
	CSVDelimiter rune
}
