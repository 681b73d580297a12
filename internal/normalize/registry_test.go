package normalize

import (
	"testing"

	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Register refuses a name registered twice and a normaliser without New;
// Processors builds the registered ones of a phase in Order.
func TestRegistry(t *testing.T) {
	panics := func(n Normalizer) (p bool) {
		defer func() { p = recover() != nil }()
		Register(n)
		return false
	}
	if !panics(Normalizer{Name: "common_fields", Phase: AfterPipelines, New: func() pipeline.Processor { return NewCommonFields() }}) {
		t.Error("a second registration of common_fields was accepted")
	}
	if !panics(Normalizer{Name: "test-no-new"}) {
		t.Error("a normaliser without New was accepted")
	}
	var names []string
	for _, p := range Processors(AfterPipelines) {
		names = append(names, p.Name())
	}
	if len(names) != 2 || names[0] != "join_auditd" || names[1] != "normalize_common_fields" {
		t.Errorf("after the pipelines: %v", names)
	}
}
