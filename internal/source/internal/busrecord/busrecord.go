// Package busrecord owns how an event read from the message bus of a
// distributed deployment (the Kafka and NATS sources) is decoded — the
// binary form or a flat JSON object — and which envelope it keeps (trusted
// or not). Both bus sources use it, so neither imports the other.
package busrecord

import (
	"bytes"
	"errors"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
)

// Encodings of record values.
const (
	EncodingAuto   = "auto"
	EncodingJSON   = "json"
	EncodingBinary = "binary"
)

// Envelope gives an event decoded from a bus record at pos its envelope.
// Trusted, it keeps the tenant, source and event.id it carries (the
// pipeline checks the tenant, see pipeline.Batch.Carried), and an event
// without an id gets one made from pos and the record. Untrusted, what the
// record says is dropped: the tenant and source are the source's, the id is
// made from pos and the record, event.ingested is when it was read.
func Envelope(e *event.Event, trusted bool, tenant, source, pos string, record []byte) {
	if !trusted {
		e.Tenant, e.Source, e.ID, e.Ingested = tenant, source, "", time.Time{}
	}
	if e.ID == "" {
		t := e.Tenant
		if t == "" {
			t = tenant
		}
		e.ID = event.NewID(t, source, pos, 0, record)
	}
}

// Decode reads one event in the given encoding (auto, json or binary).
func Decode(b []byte, encoding string) (*event.Event, error) {
	e := &event.Event{}
	binary := encoding == EncodingBinary || encoding == EncodingAuto && len(b) > 0 && b[0] == 1
	if binary {
		if err := e.UnmarshalBinary(b); err != nil {
			return nil, err
		}
		return e, nil
	}
	if encoding == EncodingAuto && (len(bytes.TrimSpace(b)) == 0 || bytes.TrimSpace(b)[0] != '{') {
		return nil, errors.New("decode event: neither binary nor a JSON object")
	}
	if err := e.UnmarshalJSON(b); err != nil {
		return nil, err
	}
	return e, nil
}
