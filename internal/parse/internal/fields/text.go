package fields

import "github.com/vigilsiem/vigil/internal/event"

// Text returns the record as a string the parser may slice its field
// values from. The pipeline sets e.Original = string(data) before calling
// Parse; when it holds the same bytes, slicing it costs nothing and the
// fields share its memory. Otherwise the record is copied once, so no field
// refers to data, which the caller may reuse.
func Text(data []byte, e *event.Event) string {
	if e.Original == string(data) {
		return e.Original
	}
	return string(data)
}

// Event returns the event being written.
func (w *Writer) Event() *event.Event { return w.e }
