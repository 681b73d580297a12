package dashboard

import (
	"errors"
	"fmt"
	"strings"

	"github.com/vigilsiem/vigil/internal/query"
)

// ValidateSearch checks a saved search before it is stored.
func ValidateSearch(s *SavedSearch) error {
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
