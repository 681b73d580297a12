package evtx

import (
	"errors"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Issue 9, finding 4, on EVTX: a source of an invalid tenant is refused
// when it is built. (EVTX records cannot name an envelope field: their
// EventData lands under winlog.event_data.*, and the pipeline sets the
// tenant, source and event.ingested of every source-built event.)
func TestInvalidTenantRefused(t *testing.T) {
	for _, tenant := range []string{strings.Repeat("t", 300), "../x"} {
		cfg := Config{SourceCommon: config.SourceCommon{Name: "winlogs", Tenant: tenant}, Paths: []string{"*.evtx"}}
		if _, err := New(cfg, config.SourceEnv{DataDir: t.TempDir(), Metrics: pipeline.NewMetrics(nil)}); !errors.Is(err, event.ErrBadTenant) {
			t.Errorf("tenant %.20q: %v, want ErrBadTenant", tenant, err)
		}
	}
}
