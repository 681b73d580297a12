package app

import (
	"sync"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/netflow"
)

// orderedFormat reports the formats whose batches the pipeline must parse
// in order (see pipeline.Config.Ordered).
func orderedFormat(format string) bool { return format == "csv" }

// parserFactory builds the pipeline's parsers: one per worker, source and
// format, with the source's time zone — except for formats that learn state
// from the records themselves (CSV learns its header from the first
// record): those get one parser per source, shared by the workers behind a
// mutex, so every worker knows the header the first record taught.
func parserFactory(sources []config.Source) pipeline.ParserFactory {
	opts := map[string]parse.Options{}
	for _, s := range sources {
		opts[s.Common().Name], _ = s.Common().ParseOptions() // validated already
	}
	var mu sync.Mutex
	shared := map[[2]string]parse.Parser{}
	return func(source, format string) (parse.Parser, error) {
		if format == netflow.Format {
			return netflow.RejectParser{}, nil
		}
		if format != "csv" {
			return parse.New(format, opts[source])
		}
		mu.Lock()
		defer mu.Unlock()
		key := [2]string{source, format}
		if p, ok := shared[key]; ok {
			return p, nil
		}
		p, err := parse.New(format, opts[source])
		if err != nil {
			return nil, err
		}
		sp := &lockedParser{p: p}
		shared[key] = sp
		return sp, nil
	}
}

// lockedParser serialises a parser shared by workers.
type lockedParser struct {
	mu sync.Mutex
	p  parse.Parser
}

func (l *lockedParser) Parse(data []byte, e *event.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.p.Parse(data, e)
}
