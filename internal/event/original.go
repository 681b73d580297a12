package event

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// FieldOriginalBase64 holds the exact bytes of event.original, base64
// (standard alphabet, padded), when they are not valid UTF-8. Every form
// Vigil writes (the store, search results, forwarded JSON and NDJSON) is
// UTF-8 text, so event.original itself then holds the bytes with each
// invalid sequence replaced by U+FFFD; this field is what gives the exact
// record back. Dead letters keep their raw record the same way.
const FieldOriginalBase64 = "vigil.original_base64"

// KeepExactOriginal keeps the exact bytes of an event.original that is not
// valid UTF-8 in FieldOriginalBase64 and makes event.original readable (see
// FieldOriginalBase64). Valid UTF-8, the usual case, costs one scan.
func (e *Event) KeepExactOriginal() {
	if utf8.ValidString(e.Original) {
		return
	}
	e.Set(FieldOriginalBase64, String(base64.StdEncoding.EncodeToString([]byte(e.Original))))
	e.Original = strings.ToValidUTF8(e.Original, "\uFFFD")
}

// IsProtected reports whether a record may not set the named field itself:
// the envelope fields, and FieldOriginalBase64, which only Vigil writes (a
// sender that set it could pass off other bytes as the exact original), and
// FieldTimeGuessed (a sender must not hide that its time was guessed).
// Parsers keep such keys under their own prefix (json.<name>, ...).
func IsProtected(name string) bool {
	return IsEnvelope(name) || name == FieldOriginalBase64 || name == FieldTimeGuessed
}
