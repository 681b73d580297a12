package json

import "github.com/vigilsiem/vigil/internal/parse"

// The format registers itself; importing internal/parse/all makes it known.
func init() {
	parse.Register("json", parse.Format{New: func(parse.Options) (parse.Parser, error) { return New(), nil },
		Split: Split, SplitFormat: "auto"})
}
