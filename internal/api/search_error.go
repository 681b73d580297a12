package api

import (
	"errors"
	"net/http"

	"github.com/vigilsiem/vigil/internal/query"
)

// writeSearchError writes a search's error; a query that does not parse
// also gets where: {"error","offset","column"} (query.Error's byte offset
// and 1-based character column), so a UI can mark the place.
func writeSearchError(w http.ResponseWriter, status int, err error) {
	var qe *query.Error
	if errors.As(err, &qe) {
		WriteJSON(w, status, map[string]any{"error": err.Error(), "offset": qe.Offset, "column": qe.Column})
		return
	}
	WriteError(w, status, err)
}
