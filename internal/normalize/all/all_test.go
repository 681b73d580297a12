package all

import (
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/normalize"
)

// Every normaliser is registered, in its phase, in order.
func TestEveryNormalizerRegistered(t *testing.T) {
	names := func(phase normalize.Phase) []string {
		var ns []string
		for _, p := range normalize.Processors(phase) {
			ns = append(ns, p.Name())
		}
		return ns
	}
	if got, want := names(normalize.BeforePipelines), []string{"join_cisco_ise", "normalize_windows", "normalize_cisco_asa", "normalize_weblog", "normalize_authlog"}; !slices.Equal(got, want) {
		t.Errorf("before the pipelines: %v, want %v", got, want)
	}
	if got, want := names(normalize.AfterPipelines), []string{"join_auditd", "normalize_common_fields"}; !slices.Equal(got, want) {
		t.Errorf("after the pipelines: %v, want %v", got, want)
	}
	// Each call builds fresh processors: state (Cisco ASA's connections)
	// is never shared between two pipelines.
	a, b := normalize.Processors(normalize.BeforePipelines), normalize.Processors(normalize.BeforePipelines)
	if a[2] == b[2] {
		t.Error("Processors returned the same Cisco ASA normaliser twice")
	}
}
