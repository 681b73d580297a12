package incident

import "context"

// Service is what the API serves of incidents (internal/api mounts it);
// Manager implements it. Errors wrap ErrNotFound (no incident of that id
// in that tenant), ErrConflict, or store.ErrBadRequest (a bad filter).
type Service interface {
	List(ctx context.Context, f Filter) ([]Incident, int64, error)
	Get(ctx context.Context, tenant, id string) (*Detail, error)
	Update(ctx context.Context, tenant, id string, p Patch) (*Detail, error)
}
