package parse

import (
	"fmt"
	"sort"

	"github.com/vigilsiem/vigil/internal/event"
)

// Factory builds a parser with the given options.
type Factory func(opts Options) (Parser, error)

var registry = map[string]Factory{
	// "raw" keeps the record as the message and nothing else: the fallback
	// that never fails. Format packages are added to this map as they land.
	"raw": func(Options) (Parser, error) { return rawParser{}, nil },
}

// New returns a parser for the named format.
func New(format string, opts Options) (Parser, error) {
	f, ok := registry[format]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (known: %v)", format, Names())
	}
	return f(opts)
}

// Names lists the known formats.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

type rawParser struct{}

func (rawParser) Parse(data []byte, e *event.Event) error {
	e.Set(event.FieldMessage, event.String(string(data)))
	return nil
}
