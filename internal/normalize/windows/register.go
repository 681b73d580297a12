package windows

import (
	"github.com/vigilsiem/vigil/internal/normalize"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// The normaliser registers itself; importing internal/normalize/all makes
// it run in serve, `vigil parse`, `vigil hunt` and `vigil pipelines test`.
func init() {
	normalize.Register(normalize.Normalizer{Name: "windows", Phase: normalize.BeforePipelines, Order: 10,
		New: func() pipeline.Processor { return New() }})
}
