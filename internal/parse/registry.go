package parse

import (
	"fmt"
	"sort"

	"github.com/vigilsiem/vigil/internal/event"
)

// Format is what a format package registers: how to build its parser and
// what the pipeline must know about it. The pipeline asks for capabilities
// here instead of recognising formats by name.
type Format struct {
	// New builds a parser with the given options; each pipeline worker
	// builds its own (a Parser is not safe for concurrent use).
	New func(opts Options) (Parser, error)
	// Ordered marks a parser that learns from the records it reads (CSV
	// learns its header from the first): the pipeline parses a source's
	// batches in this format one at a time, in the order they came, with
	// one parser (pipeline.Config.Ordered).
	Ordered bool
	// Internal marks a format only a source's own batches carry (netflow's
	// rejected packets): it is built like any other but is not one a user
	// may configure, so Names and Check leave it out.
	Internal bool
	// Split, when set, recognises a record that carries a batch of records
	// (Azure's {"records":[…]}) and appends each one's bytes to dst with
	// batch true; the pipeline then parses each as a record of its own.
	// For any other record it returns batch false and the record is parsed
	// whole. An error (a batch over its bound) dead-letters the record.
	Split func(data []byte, dst [][]byte) (_ [][]byte, batch bool, err error)
	// SplitFormat, when set, is the format the records Split finds are
	// parsed in: a JSON container may carry text (the messages of a
	// CloudWatch Logs payload are VPC flow lines as often as JSON), which
	// "json" would reject and "auto" reads. Empty: the format itself.
	SplitFormat string
}

// formats holds the registered formats. Register is called from init
// functions only, so the map is written before any reader runs.
var formats = map[string]Format{
	// "raw" keeps the record as the message and nothing else: the fallback
	// that never fails, built in so the pipeline always has one parser.
	"raw": {New: func(Options) (Parser, error) { return rawParser{}, nil }},
}

// Register makes a format known under name. Format packages call it from
// init; internal/parse/all imports every one. It panics on a second
// registration of a name (two packages claiming one format is a build
// mistake) or a Format without New.
func Register(name string, f Format) {
	if f.New == nil {
		panic("parse: format " + name + " registered without New")
	}
	if _, dup := formats[name]; dup {
		panic("parse: format " + name + " registered twice")
	}
	formats[name] = f
}

// New returns a parser for the named format.
func New(format string, opts Options) (Parser, error) {
	f, ok := formats[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %v)", format, Names())
	}
	return f.New(opts)
}

// Check returns an error unless format is one a user may configure.
func Check(format string) error {
	if f, ok := formats[format]; !ok || f.Internal {
		return fmt.Errorf("unknown format %q (known: %v)", format, Names())
	}
	return nil
}

// Ordered reports whether batches in format must be parsed in order by one
// parser (Format.Ordered); it fits pipeline.Config.Ordered.
func Ordered(format string) bool { return formats[format].Ordered }

// Splitter returns the format's Split (nil when it has none).
func Splitter(format string) func(data []byte, dst [][]byte) ([][]byte, bool, error) {
	return formats[format].Split
}

// SplitFormat returns the format the records format's Split finds are
// parsed in (Format.SplitFormat, else format itself).
func SplitFormat(format string) string {
	if f := formats[format].SplitFormat; f != "" {
		return f
	}
	return format
}

// Names lists the formats a user may configure.
func Names() []string {
	names := make([]string, 0, len(formats))
	for n, f := range formats {
		if !f.Internal {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

type rawParser struct{}

func (rawParser) Parse(data []byte, e *event.Event) error {
	e.Set(event.FieldMessage, event.String(string(data)))
	return nil
}
