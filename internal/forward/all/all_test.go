package all

import (
	"slices"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestEveryOutputTypeRegistered(t *testing.T) {
	got := config.OutputTypes()
	for _, want := range []string{"folder", "http", "kafka", "syslog"} {
		if !slices.Contains(got, want) {
			t.Errorf("output type %s not registered: %v", want, got)
		}
	}
}
