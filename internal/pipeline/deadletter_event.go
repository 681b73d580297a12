package pipeline

import (
	"encoding/base64"
	"strings"

	"github.com/vigilsiem/vigil/internal/event"
)

// Event renders the dead letter as the event the deadletters dataset
// stores (event.kind pipeline_error, the reason in error.message); every
// store backend and `vigil parse` show dead letters in this one form.
func (dl DeadLetter) Event() *event.Event {
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
