package parse

import (
	"fmt"
	"sort"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse/auto"
	"github.com/vigilsiem/vigil/internal/parse/cef"
	"github.com/vigilsiem/vigil/internal/parse/csv"
	"github.com/vigilsiem/vigil/internal/parse/json"
	"github.com/vigilsiem/vigil/internal/parse/kv"
	"github.com/vigilsiem/vigil/internal/parse/leef"
	"github.com/vigilsiem/vigil/internal/parse/rfc3164"
	"github.com/vigilsiem/vigil/internal/parse/rfc5424"
	"github.com/vigilsiem/vigil/internal/parse/winxml"
)

// Factory builds a parser with the given options.
type Factory func(opts Options) (Parser, error)

var registry = map[string]Factory{
	// "raw" keeps the record as the message and nothing else: the fallback
	// that never fails. Format packages are added to this map as they land.
	"raw": func(Options) (Parser, error) { return rawParser{}, nil },

	"rfc3164": func(o Options) (Parser, error) {
		return rfc3164.New(rfc3164.Options{Location: o.Location, Now: o.Now}), nil
	},
	"rfc5424": func(Options) (Parser, error) { return rfc5424.New(), nil },
	"cef": func(o Options) (Parser, error) {
		return cef.New(cef.Options{Location: o.Location, Now: o.Now}), nil
	},
	"leef": func(o Options) (Parser, error) {
		return leef.New(leef.Options{Location: o.Location, Now: o.Now}), nil
	},
	"json": func(Options) (Parser, error) { return json.New(), nil },
	"kv":   func(Options) (Parser, error) { return kv.New(), nil },
	"csv": func(o Options) (Parser, error) {
		p, err := csv.New(csv.Options{Header: o.CSVHeader, Delimiter: o.CSVDelimiter})
		if err != nil {
			return nil, err
		}
		return p, nil
	},
	"winxml": func(Options) (Parser, error) { return winxml.New(), nil },
	"auto": func(o Options) (Parser, error) {
		return auto.New(auto.Options{Location: o.Location, Now: o.Now}), nil
	},
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
