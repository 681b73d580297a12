package dashboard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/query"
)

// SavedSearch is a query with its time range and columns, owned by a user
// of a tenant; Shared makes it visible to the tenant's other users.
type SavedSearch struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Query   string    `json:"query"`
	From    string    `json:"from,omitempty"`
	To      string    `json:"to,omitempty"`
	Cols    []string  `json:"cols,omitempty"`
	Shared  bool      `json:"shared"`
	Owner   string    `json:"owner"`
	Updated time.Time `json:"updated,omitzero"`
}

// Validate checks a saved search before it is stored.
func (s *SavedSearch) Validate() error {
	s.Name = strings.TrimSpace(s.Name)
	var errs []error
	if !ValidID(s.ID) {
		errs = append(errs, fmt.Errorf("id %q: want 1-64 letters, digits, '-' or '_'", s.ID))
	}
	if s.Name == "" || len(s.Name) > MaxTitle {
		errs = append(errs, fmt.Errorf("name: want 1-%d bytes", MaxTitle))
	}
	if s.Owner == "" {
		errs = append(errs, errors.New("owner: empty"))
	}
	if len(s.Query) > MaxQuery {
		errs = append(errs, fmt.Errorf("query: at most %d bytes", MaxQuery))
	} else if _, err := query.Parse(s.Query); err != nil {
		errs = append(errs, fmt.Errorf("query: %w", err))
	}
	if len(s.From) > 64 || len(s.To) > 64 {
		errs = append(errs, errors.New("from, to: at most 64 bytes each"))
	}
	if len(s.Cols) > 50 {
		errs = append(errs, errors.New("cols: at most 50"))
	}
	for _, c := range s.Cols {
		if !query.IsFieldName(c) {
			errs = append(errs, fmt.Errorf("cols: %q is not a field name", c))
		}
	}
	return errors.Join(errs...)
}
