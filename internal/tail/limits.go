package tail

import "time"

// Defaults of Options. Each subscriber runs one store search per batch it
// receives, so the number of subscribers bounds the searches live tail
// adds; the queue absorbs a burst of ingest while one search runs.
const (
	// DefaultMaxSubscribers in all on the node.
	DefaultMaxSubscribers = 64
	// DefaultMaxPerTenant keeps one tenant from taking every slot.
	DefaultMaxPerTenant = 16
	// DefaultQueue batches wait per subscriber before it counts as slow.
	DefaultQueue = 64
	// MaxIDs per batch: a batch's ids become one OR list of a query,
	// which the parser bounds at query.MaxTerms terms.
	MaxIDs = 200
	// DefaultMaxAge ends a subscription (the console reconnects), so a
	// forgotten tab does not hold a slot for ever.
	DefaultMaxAge = time.Hour
)
