package app

import (
	"context"
	"time"

	"github.com/vigilsiem/vigil/internal/api"
	"github.com/vigilsiem/vigil/internal/auth"
	"github.com/vigilsiem/vigil/internal/store"
)

// viewerLimits gives the searches of a viewer (storage.query.viewer_timeout)
// a shorter time limit than the store's default (storage.query.timeout).
type viewerLimits struct {
	api.Searcher
	viewerTimeout time.Duration
}

func (v viewerLimits) Search(ctx context.Context, req store.Request) (*store.Result, error) {
	if p := auth.FromContext(ctx); p != nil && p.Role == auth.Viewer && (req.Timeout <= 0 || req.Timeout > v.viewerTimeout) {
		req.Timeout = v.viewerTimeout
	}
	return v.Searcher.Search(ctx, req)
}
