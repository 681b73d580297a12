package pipeline

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/parse"
)

// envelopeParser is a parser that tries to set the envelope, as a buggy
// or hostile format could.
type envelopeParser struct{}

func (envelopeParser) Parse(data []byte, e *event.Event) error {
	e.Set(event.FieldTenant, event.String("beta"))
	e.Set(event.FieldSource, event.String("beta-src"))
	e.Set(event.FieldID, event.String("chosen"))
	e.Set("message", event.String(string(data)))
	return nil
}

func newEnvelopeTest(t *testing.T, rec *recorder) *Pipeline {
	t.Helper()
	p, err := New(Config{Workers: 1, Sinks: []Sink{rec}, DeadLetters: rec,
		Parsers: func(string, string) (parse.Parser, error) { return envelopeParser{}, nil }})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	t.Cleanup(p.Stop)
	return p
}

// Issue 9, finding 1, at the pipeline: whatever a parser or a source-built
// event says, the envelope is the batch's: tenant, source, event.ingested,
// and an id Vigil made (position and occurrence included).
func TestEnvelopeIsTheBatchs(t *testing.T) {
	rec := &recorder{}
	p := newEnvelopeTest(t, rec)
	built := &event.Event{Tenant: "beta", Source: "beta-src", Ingested: time.Unix(0, 0), Original: "built"}
	b := &Batch{Tenant: "acme", Source: "s1", Records: []Record{
		{Data: []byte("same")}, {Data: []byte("same"), Occurrence: 1}, {Data: []byte("at"), Position: "f:1"},
	}, Events: []*event.Event{built}}
	if err := SubmitWait(context.Background(), p, b); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 4 {
		t.Fatalf("%d events", len(rec.events))
	}
	wantIDs := []string{event.NewID("acme", "s1", "", 0, []byte("same")), event.NewID("acme", "s1", "", 1, []byte("same")),
		event.NewID("acme", "s1", "f:1", 0, []byte("at"))}
	for i, e := range rec.events {
		if e.Tenant != "acme" || e.Source != "s1" || e.Ingested.Unix() == 0 {
			t.Errorf("event %d: tenant %q source %q ingested %v", i, e.Tenant, e.Source, e.Ingested)
		}
		if i < 3 && e.ID != wantIDs[i] {
			t.Errorf("event %d: id %q, want %q", i, e.ID, wantIDs[i])
		}
	}
	if wantIDs[0] == wantIDs[1] {
		t.Error("occurrence 0 and 1 share an id")
	}
}

// A Carried batch keeps the tenant its events carry, but an invalid one
// is dead-lettered in the batch's tenant; a batch of an invalid tenant is
// refused at Submit.
func TestCarriedTenantIsChecked(t *testing.T) {
	rec := &recorder{}
	p := newEnvelopeTest(t, rec)
	good := &event.Event{Tenant: "globex", Source: "edge", ID: "id1", Original: "g"}
	bad := &event.Event{Tenant: strings.Repeat("t", 300), Source: "edge", ID: "id2", Original: "b"}
	b := &Batch{Tenant: "acme", Source: "bus", Carried: true, Events: []*event.Event{good, bad}}
	if err := SubmitWait(context.Background(), p, b); err != nil {
		t.Fatal(err)
	}
	if len(rec.events) != 1 || rec.events[0].Tenant != "globex" || rec.events[0].ID != "id1" {
		t.Fatalf("events %d", len(rec.events))
	}
	if len(rec.dead) != 1 || rec.dead[0].Tenant != "acme" || !strings.Contains(rec.dead[0].Reason, "invalid tenant") {
		t.Fatalf("dead letters %+v", rec.dead)
	}
	if err := p.Submit(context.Background(), &Batch{Tenant: "../x", Source: "s"}); err == nil {
		t.Fatal("a batch of tenant ../x was taken")
	}
}

// Issue 9, finding 14, at the pipeline: a record that is not UTF-8 keeps
// its exact bytes in vigil.original_base64, for raw records and for events
// a source built.
func TestInvalidUTF8OriginalIsKept(t *testing.T) {
	rec := &recorder{}
	p := newEnvelopeTest(t, rec)
	raw := []byte("caf\xe9 \xff end")
	built := &event.Event{Original: string(raw)}
	b := &Batch{Tenant: "acme", Source: "s1", Records: []Record{{Data: raw}, {Data: []byte("plain")}}, Events: []*event.Event{built}}
	if err := SubmitWait(context.Background(), p, b); err != nil {
		t.Fatal(err)
	}
	for i, e := range rec.events {
		b64 := e.GetString(event.FieldOriginalBase64)
		if i == 1 {
			if b64 != "" || e.Original != "plain" {
				t.Errorf("valid UTF-8 record changed: %s", e.AppendJSON(nil))
			}
			continue
		}
		exact, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || string(exact) != string(raw) {
			t.Errorf("event %d: exact bytes %q (%v), want %q", i, exact, err, raw)
		}
		if e.Original != "caf\uFFFD \uFFFD end" {
			t.Errorf("event %d: event.original %q", i, e.Original)
		}
	}
}
