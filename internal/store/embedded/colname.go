package embedded

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxColumnName bounds a column name in bytes. Field names come from
// senders; DuckDB takes long identifiers, but every query spells each
// column it reads, so a name is kept to what a person would type.
const maxColumnName = 256

// safeColumn reports whether name can be written into SQL text as an
// identifier or a string literal: valid UTF-8, no control characters (a NUL
// ends DuckDB's query text, so `"a<NUL>"` reads as an unterminated
// identifier), not empty and at most maxColumnName bytes.
func safeColumn(name string) bool {
	if name == "" || len(name) > maxColumnName || !utf8.ValidString(name) {
		return false
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// columnBase is the column name a field gets before case clashes are
// resolved: the field name itself when it is safe, else the name with each
// control character and invalid byte replaced by '_', cut to leave room
// for a "~N" suffix. This is the one place field names are made safe for
// SQL; the catalog keeps the original name for the field.
func columnBase(field string) string {
	if safeColumn(field) {
		return field
	}
	var b strings.Builder
	for i, r := range field {
		if b.Len()+utf8.RuneLen(r) > maxColumnName-8 {
			break
		}
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(field[i:]); size == 1 {
				b.WriteByte('_')
				continue
			}
		}
		if unicode.IsControl(r) {
			b.WriteByte('_')
			continue
		}
		b.WriteRune(r)
	}
	if b.Len() == 0 {
		return "_"
	}
	return b.String()
}
