package app

import "github.com/vigilsiem/vigil/internal/forward"

// outputHealth is what /api/v1/health, which needs no credentials, shows of
// an output: its name, type and state, and nothing per tenant. Tenant
// names, counts and bytes are in GET /api/v1/outputs, for admins only.
type outputHealth struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Health   string `json:"health"`
	Retrying bool   `json:"retrying"`
}

// outputsHealth reduces the outputs' statuses to what health may show.
func outputsHealth(sts []forward.OutputStatus) []outputHealth {
	out := make([]outputHealth, len(sts))
	for i, s := range sts {
		out[i] = outputHealth{Name: s.Name, Type: s.Type, Health: s.Health.Level.String(), Retrying: s.Retrying}
	}
	return out
}
