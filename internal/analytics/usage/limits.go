package usage

import "time"

// Limits, with the reasoning behind them.
const (
	// KeepHours is how long hourly counters are kept: 400 days, a licence
	// year with a month to spare. A tenant costs at most 9,600 buckets ×
	// 40 bytes ≈ 375 KiB.
	KeepHours = 400 * 24

	// MaxTenants caps the tenants metered. Tenants come from the
	// configuration; events of tenants past the cap are still stored,
	// and counted in vigil_usage_unmetered_events_total.
	MaxTenants = 10000

	// DefaultSnapshotInterval is how often the counters are written whole
	// and the journal started afresh: the journal replayed at start holds
	// at most this much.
	DefaultSnapshotInterval = time.Minute

	// DefaultCheckInterval is how often quota episodes are turned into
	// alerts.
	DefaultCheckInterval = 15 * time.Second

	// DefaultRange is the span of a usage query without a from: 30 days.
	DefaultRange = 30 * 24 * time.Hour
)
