package file

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// keeper is a sink and dead-letter sink that keeps copies.
type keeper struct {
	mu     sync.Mutex
	events []*event.Event
}

func (k *keeper) Name() string { return "keeper" }
func (k *keeper) Write(_ context.Context, evs []*event.Event) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, e := range evs {
		k.events = append(k.events, e.Clone())
	}
	return nil
}
func (k *keeper) WriteDeadLetters(context.Context, []pipeline.DeadLetter) error { return nil }

// Issue 9, findings 1, 4 and 12, on the file path: JSON lines that name
// another tenant, source and id are stored under the source's, through the
// real pipeline; two identical lines get distinct ids (their offsets); and
// a file source of an invalid tenant is refused when it is built.
func TestFileLinesCannotChooseTheirEnvelope(t *testing.T) {
	dir := t.TempDir()
	line := `{"message":"claim","vigil.tenant":"beta","vigil":{"source":"b"},"event.id":"chosen"}` + "\n"
	appendFile(t, filepath.Join(dir, "app.log"), line+line)
	k := &keeper{}
	p, err := pipeline.New(pipeline.Config{Workers: 1, Sinks: []pipeline.Sink{k}, DeadLetters: k})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	start(t, Config{SourceCommon: config.SourceCommon{Tenant: "acme", Format: "json"}, Paths: []string{filepath.Join(dir, "*.log")}}, t.TempDir(), p)
	testutil.Eventually(t, "2 events stored", func() bool {
		k.mu.Lock()
		defer k.mu.Unlock()
		return len(k.events) == 2
	})
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, e := range k.events {
		if e.Tenant != "acme" || e.Source != "files" || e.ID == "chosen" || e.GetString("json.vigil.tenant") != "beta" {
			t.Errorf("a line chose its envelope: %s", e.AppendJSON(nil))
		}
	}
	if k.events[0].ID == k.events[1].ID {
		t.Error("two identical lines share an id")
	}

	cfg := Config{SourceCommon: config.SourceCommon{Name: "files", Type: "file", Tenant: strings.Repeat("t", 300)}, Paths: []string{dir}}
	if _, err := New(cfg, config.SourceEnv{DataDir: t.TempDir(), Metrics: pipeline.NewMetrics(nil)}); !errors.Is(err, event.ErrBadTenant) {
		t.Fatalf("file source of a 300-character tenant: %v", err)
	}
}
