package app

import (
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Processors returns the processors every event passes between parsing and
// the sinks, in order: vendor normalisers, then enrichment. `vigil parse`
// runs the same list, so what it prints is what serve stores.
func Processors() []pipeline.Processor {
	return []pipeline.Processor{normalize.NewWindows()}
}
