package api

import (
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/forward"
)

// OutputStatuser reports the outputs' delivery state; forward.Manager
// implements it.
type OutputStatuser interface {
	Status() []forward.OutputStatus
}

// OutputsHandler serves GET /api/v1/outputs: {"outputs":[OutputStatus…]}.
// Admins only: the queues name every tenant.
type OutputsHandler struct {
	Outputs OutputStatuser
}

// Routes implements Mounter.
func (h OutputsHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/outputs", Role: auth.Admin, Tag: "outputs",
		Summary: "Every output's delivery state and queue: {\"outputs\":[…]}",
		Handler: func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Cache-Control", "no-store")
			WriteJSON(w, http.StatusOK, map[string]any{"outputs": h.Outputs.Status()})
		}}}
}
