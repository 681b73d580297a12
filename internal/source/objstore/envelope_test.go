package objstore

import (
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Issue 9, findings 1 and 4, on imports: an imported record that names
// another tenant, source or id — a JSON line, a CloudTrail record — is
// stored in the import source's tenant with the id of its position; and
// an import source of an invalid tenant is refused when it is built.
func TestImportCannotChooseItsEnvelope(t *testing.T) {
	b := newMemBucket()
	old := time.Now().Add(-time.Hour)
	b.put("app/1.log", []byte(`{"message":"json claim","vigil.tenant":"beta","vigil":{"source":"b"},"event.id":"chosen"}`+"\n"), old)
	b.put("ct/1.json", []byte(`{"Records":[{"eventTime":"2024-03-01T10:11:12Z","eventName":"ConsoleLogin","vigil.tenant":"beta","event.id":"chosen"}]}`), old)
	k := &keeper{}
	p, err := pipeline.New(pipeline.Config{Workers: 2, Sinks: []pipeline.Sink{k}, DeadLetters: k})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	s := testSource(t, b, Import{}, t.TempDir())
	stop := running(t, s, p)
	eventually(t, "both objects", func() bool { return s.Stats().Imported == 2 })
	stop()
	p.Stop()
	if len(k.events) != 2 {
		t.Fatalf("%d events, %d dead letters", len(k.events), len(k.dead))
	}
	for _, e := range k.events {
		if e.Tenant != "default" || e.Source != "t" || e.ID == "chosen" || len(e.ID) != event.IDLen {
			t.Errorf("imported event chose its envelope: %s", e.AppendJSON(nil))
		}
	}

	_, err = New(config.SourceCommon{Name: "t", Tenant: strings.Repeat("t", 300)}, Import{}, b,
		config.SourceEnv{DataDir: t.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if !errors.Is(err, event.ErrBadTenant) {
		t.Fatalf("import source of a 300-character tenant: %v", err)
	}
}
