package store

import (
	"encoding/base64"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// DeadLetterEvent renders a dead letter as the event the DeadLetters
// dataset stores, the same in every backend: event.kind pipeline_error,
// the reason in error.message, the raw bytes in event.original (as valid
// UTF-8) and, when they were not valid UTF-8, exactly in
// vigil.original_base64.
func DeadLetterEvent(dl pipeline.DeadLetter) *event.Event {
	e := &event.Event{
		Timestamp: dl.Time,
		Ingested:  dl.Time,
		Tenant:    dl.Tenant,
		Source:    dl.Source,
		Original:  strings.ToValidUTF8(string(dl.Data), "\uFFFD"),
		ID:        event.NewID(dl.Tenant, dl.Source, dl.Position, 0, dl.Data),
	}
	e.Set("event.kind", event.String("pipeline_error"))
	e.SetString("error.message", dl.Reason)
	e.SetString("vigil.format", dl.Format)
	e.SetString("log.source.address", dl.Peer)
	e.SetString("vigil.position", dl.Position)
	if e.Original != string(dl.Data) {
		e.Set("vigil.original_base64", event.String(base64.StdEncoding.EncodeToString(dl.Data)))
	}
	return e
}
