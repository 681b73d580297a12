package httpin

import (
	"errors"
	"fmt"

	"github.com/vigilsiem/vigil/internal/event"
)

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

// setField sets one flattened field, checking the envelope times.
func setField(e *event.Event, name string, v event.Value) error {
	if name == event.FieldTimestamp || name == event.FieldIngested {
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
