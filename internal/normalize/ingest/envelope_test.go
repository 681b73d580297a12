package ingest

import (
	"testing"
	"time"
)

// TestStepsCannotWriteTheEnvelope: the envelope's identity (event.id,
// vigil.tenant, vigil.source, event.ingested, event.original) is Vigil's.
// A pipeline that renames a vendor's id into event.id (as several
// built-in pipelines once did) would let a record choose its id, and so
// what the store's replay check drops as a duplicate: records sharing a
// vendor id (a message trace's recipients) were lost. @timestamp stays
// the pipeline's to set.
func TestStepsCannotWriteTheEnvelope(t *testing.T) {
	p := mustParse(t, `
name: t
match: [{app: x}]
steps:
  - kv: {field: message}
  - rename: {fields: {id: event.id, org: vigil.tenant, src: vigil.source}}
  - set: {field: event.ingested, value: '2020-01-01T00:00:00Z'}
  - set: {field: event.original, value: forged}
  - date: {field: at, formats: [ISO8601]}
`)
	e := msgEvent("id=vendor-1 org=beta src=other at=2024-05-10T11:37:47Z")
	ingested := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	e.ID, e.Tenant, e.Source, e.Ingested = "vigil-id", "acme", "s1", ingested
	original := e.Original
	if _, err := p.Run(e); err != nil {
		t.Fatal(err)
	}
	if e.ID != "vigil-id" || e.Tenant != "acme" || e.Source != "s1" || !e.Ingested.Equal(ingested) || e.Original != original {
		t.Fatalf("envelope changed: id %q tenant %q source %q ingested %v original %q", e.ID, e.Tenant, e.Source, e.Ingested, e.Original)
	}
	if want := time.Date(2024, 5, 10, 11, 37, 47, 0, time.UTC); !e.Timestamp.Equal(want) {
		t.Fatalf("@timestamp %v, want %v", e.Timestamp, want)
	}
}
