package app

import (
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// parserFactory builds the pipeline's parsers: one per worker, source and
// format, with the source's options (time zone, CSV header and delimiter).
// What a format needs beyond that it declares when it registers
// (parse.Format): a parser that learns from its records is Ordered, so the
// pipeline gives its batches one worker and one parser per source.
func parserFactory(sources []config.Source) pipeline.ParserFactory {
	opts := map[string]parse.Options{}
	for _, s := range sources {
		opts[s.Common().Name], _ = s.Common().ParseOptions() // validated already
	}
	return func(source, format string) (parse.Parser, error) { return parse.New(format, opts[source]) }
}
