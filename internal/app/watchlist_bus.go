package app

import (
	"context"
	"fmt"

	"github.com/vigilsiem/vigil/internal/detect/watchlist"
)

// On a node with a bus, the detect role's watch-lists (which its API
// serves) are replicated: every write is published to <prefix>.watchlists
// and every op of the topic is applied to the node's copy
// (docs/watchlists.md "Several detect nodes").

// watchlistPublisher is the node's publisher of watch-list writes; nil
// without a bus (the writes stay local).
func watchlistPublisher(a *App) watchlist.Publisher {
	if a.bus == nil {
		return nil
	}
	return a.bus.WatchlistPublisher()
}

// replicateWatchlists reads the watch-list topic into s until the node
// stops; nothing without a bus.
func (a *App) replicateWatchlists(s *watchlist.Store) {
	if a.bus == nil {
		return
	}
	a.run(func(ctx context.Context) {
		if err := a.bus.ConsumeWatchlists(ctx, s); err != nil {
			a.errs <- fmt.Errorf("bus: %w", err)
		}
	})
}
