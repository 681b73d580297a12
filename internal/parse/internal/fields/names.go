package fields

import "github.com/vigilsiem/vigil/internal/event"

// Protect returns the name under which a record's own key is stored: the
// key itself, unless it names an envelope field (event.id, vigil.tenant,
// vigil.source, event.original, event.ingested, @timestamp), which a record
// must never override (tenant isolation and de-duplication depend on them);
// those are stored as prefix + "." + key.
func Protect(prefix, key string) string {
	if len(key) > 0 && (key[0] == '@' || key[0] == 'e' || key[0] == 'v') && event.IsProtected(key) {
		return prefix + "." + key
	}
	return key
}
