package httpin

import (
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/event"
)

// envelopePrefix is put before an envelope name a document uses for a
// field of its own (the json parser's rule).
const envelopePrefix = "json."

// errNotObject is returned for a document that is not a JSON object.
var errNotObject = errors.New("not a JSON object")

// flattenObject sets the fields of the JSON object doc on e, nested objects
// as dotted names, in document order. A null value leaves the field unset.
// @timestamp and event.ingested must be times (RFC 3339 text or epoch
// numbers): a value that is not is an error, never dropped.
func flattenObject(e *event.Event, doc []byte) error {
	s := scanner{data: doc}
	s.ws()
	if s.peek() != '{' {
		return errNotObject
	}
	if err := s.flatten(e, make([]byte, 0, 64), 0); err != nil {
		return fmt.Errorf("decode object: %w", err)
	}
	s.ws()
	if s.pos != len(s.data) {
		return errors.New("decode object: data after the object")
	}
	return nil
}

// setField sets one flattened field. @timestamp must be a time; the other
// envelope names (event.id, event.ingested, event.original, vigil.tenant,
// vigil.source) are stored as json.<name>, as the json parser does: the
// tenant, source and id come only from the token that authenticated the
// request, and event.original is the document as received.
func setField(e *event.Event, name string, v event.Value) error {
	if c := name[0]; (c == 'e' || c == 'v') && name != event.FieldTimestamp && event.IsProtected(name) {
		e.Set(envelopePrefix+name, v)
		return nil
	}
	if name == event.FieldTimestamp {
		if v.IsNull() {
			return nil
		}
		switch v.Kind() {
		case event.KindInt, event.KindFloat:
			v = event.Time(event.EpochTime(v.Float()))
		case event.KindString:
			t, err := event.ParseTime(v.Str())
			if err != nil {
				return fmt.Errorf("field %s: %q is not a time", name, v.Str())
			}
			v = event.Time(t)
		default:
			return fmt.Errorf("field %s: a %s is not a time", name, v.Kind())
		}
	}
	e.Set(name, v)
	return nil
}
