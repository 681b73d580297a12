package auto

import (
	"github.com/vigilsiem/vigil/internal/parse"
	"github.com/vigilsiem/vigil/internal/parse/json"
)

// The format registers itself; importing internal/parse/all makes it known.
func init() {
	parse.Register("auto", parse.Format{New: func(o parse.Options) (parse.Parser, error) {
		return New(Options{Location: o.Location, Now: o.Now}), nil
	}, Split: json.Split})
}
