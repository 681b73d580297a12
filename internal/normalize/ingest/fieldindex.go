package ingest

import "github.com/vigilsiem/vigil/internal/event"

// fieldIndex finds an event's fields by name for a step that sets many
// (csv, kv, grok, dissect): one pass indexes the fields the event has,
// then each set is a probe of a small hash table, where event.Set scans
// every field. It lives on the step's stack for one run and is right only
// while the step changes e through it.
type fieldIndex struct {
	e     *event.Event
	ok    bool // false: e has too many fields; sets go to e.Set
	slots [fieldIndexSlots]uint16
}

// fieldIndexSlots is the size of the table (a power of two); it indexes
// up to half as many fields, so probes stay short.
const fieldIndexSlots = 256

func (x *fieldIndex) reset(e *event.Event) {
	x.e = e
	x.ok = len(e.Fields) <= fieldIndexSlots/2
	if !x.ok {
		return
	}
	clear(x.slots[:])
	for i := range e.Fields {
		if n := e.Fields[i].Name; n != "" {
			h := hashName(n) & (fieldIndexSlots - 1)
			for x.slots[h] != 0 {
				h = (h + 1) & (fieldIndexSlots - 1)
			}
			x.slots[h] = uint16(i + 1)
		}
	}
}

// set is e.Set(name, v) for a name that is not an envelope field.
func (x *fieldIndex) set(name string, v event.Value) {
	e := x.e
	if !x.ok || name == "" || v.Kind() == event.KindNull {
		x.ok = false // a delete moves the fields after it
		e.Set(name, v)
		return
	}
	h := hashName(name) & (fieldIndexSlots - 1)
	for {
		s := x.slots[h]
		if s == 0 {
			break
		}
		if f := &e.Fields[s-1]; f.Name == name {
			f.Value = v
			return
		}
		h = (h + 1) & (fieldIndexSlots - 1)
	}
	if len(e.Fields) >= fieldIndexSlots/2 {
		x.ok = false
		e.Set(name, v)
		return
	}
	e.Fields = append(e.Fields, event.Field{Name: name, Value: v})
	x.slots[h] = uint16(len(e.Fields))
}

// setAny is set for any name: envelope fields go to e.Set.
func (x *fieldIndex) setAny(name string, v event.Value) {
	if isEnvelopeName(name) {
		x.e.Set(name, v)
		return
	}
	x.set(name, v)
}

// isEnvelopeName is event.IsEnvelope with a first-byte test first: the
// envelope names start with @, e or v.
func isEnvelopeName(name string) bool {
	return name != "" && (name[0] == '@' || name[0] == 'e' || name[0] == 'v') && event.IsEnvelope(name)
}
