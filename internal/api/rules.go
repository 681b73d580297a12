package api

import (
	"errors"
	"net/http"

	"github.com/vigilsiem/vigil/internal/auth"
)

// RuleDoc is what the console shows of a rule: its Sigma metadata and, when
// it came from a file, its YAML text.
type RuleDoc struct {
	ID             string            `json:"id"`
	Title          string            `json:"title"`
	Description    string            `json:"description,omitempty"`
	Level          string            `json:"level,omitempty"`
	Status         string            `json:"status,omitempty"`
	Author         string            `json:"author,omitempty"`
	Tags           []string          `json:"tags,omitempty"`
	References     []string          `json:"references,omitempty"`
	FalsePositives []string          `json:"falsepositives,omitempty"`
	Logsource      map[string]string `json:"logsource,omitempty"`
	Path           string            `json:"path,omitempty"`
	YAML           string            `json:"yaml,omitempty"`
}

// RuleFinder finds a loaded rule by the id alerts carry (rule_id).
type RuleFinder interface {
	FindRule(id string) (RuleDoc, bool)
}

// RuleHandler serves GET /api/v1/rules/{id}: a loaded rule, or 404.
// Rules are node-wide, the same for every tenant.
type RuleHandler struct {
	Rules RuleFinder
}

// Routes implements Mounter.
func (h RuleHandler) Routes() []Route {
	return []Route{{Method: "GET", Path: "/api/v1/rules/{id}", Role: auth.Viewer, Tag: "rules", Handler: h.get,
		Summary: "A loaded rule's metadata and YAML, by the id alerts carry"}}
}

func (h RuleHandler) get(w http.ResponseWriter, r *http.Request) {
	d, ok := h.Rules.FindRule(r.PathValue("id"))
	if !ok {
		WriteError(w, http.StatusNotFound, errors.New("no loaded rule has this id"))
		return
	}
	WriteJSON(w, http.StatusOK, d)
}
