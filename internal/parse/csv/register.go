package csv

import "github.com/vigilsiem/vigil/internal/parse"

// The format registers itself; importing internal/parse/all makes it known.
// A CSV parser learns its header from the first record when none is
// configured, so it declares itself Ordered: the pipeline parses a source's
// CSV batches one at a time, in order, with one parser.
func init() {
	parse.Register("csv", parse.Format{Ordered: true, New: func(o parse.Options) (parse.Parser, error) {
		p, err := New(Options{Header: o.CSVHeader, Delimiter: o.CSVDelimiter})
		if err != nil {
			return nil, err
		}
		return p, nil
	}})
}
