package ingest

import "github.com/vigilsiem/vigil/internal/event"

// fieldIndex is how a step that sets many fields (csv, kv, grok, dissect)
// writes them. The event keeps an index of its fields' names (see
// event.Event.Set), so each set is a probe of it; this type once held a
// per-step table of its own and stays as the steps' one way to write.
type fieldIndex struct {
	e *event.Event
}

func (x *fieldIndex) reset(e *event.Event) { x.e = e }

// set is e.Set(name, v) for a name that is not an envelope field.
func (x *fieldIndex) set(name string, v event.Value) { x.e.Set(name, v) }

// setAny is set for any name, envelope fields included.
func (x *fieldIndex) setAny(name string, v event.Value) { x.e.Set(name, v) }

// isEnvelopeName is event.IsEnvelope with a first-byte test first: the
// envelope names start with @, e or v.
func isEnvelopeName(name string) bool {
	return name != "" && (name[0] == '@' || name[0] == 'e' || name[0] == 'v') && event.IsEnvelope(name)
}
