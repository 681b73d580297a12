package sources

import "time"

// Defaults and limits, with the reasoning behind them. Config overrides
// the ones named in docs/configuration.md (health.*).
const (
	// DefaultCheckInterval is how often Run looks at every source. A newly
	// silent source is found at most this long after its threshold passes;
	// the issue asks for within a minute, 15 s leaves room.
	DefaultCheckInterval = 15 * time.Second

	// DefaultSaveInterval is how often the state is saved for the next
	// start (and at shutdown): a crash loses at most this much history.
	DefaultSaveInterval = time.Minute

	// DefaultMaxSourcesPerTenant caps the hosts tracked per tenant: 10,000
	// × ~1.3 KiB ≈ 13 MiB per tenant. Past the cap, events of new hosts
	// are counted under the host OverflowHost of their source listener,
	// so counts stay exact, memory stays bounded and the overflow is seen
	// in /api/v1/sources and vigil_source_health_overflow_events_total.
	DefaultMaxSourcesPerTenant = 10000

	// MaxTenants caps the tenants tracked. Tenants come from the
	// configuration (sources and ingest tokens), so 10,000 is far above
	// any real deployment; events of tenants past it are not tracked and
	// are counted in vigil_source_health_untracked_events_total.
	MaxTenants = 10000

	// ForgetAfter drops a source not seen for this long (after its
	// silence alert, long before): a decommissioned host must not hold
	// memory or stay on the list for ever.
	ForgetAfter = 7 * 24 * time.Hour

	// Learned rhythm. Until a source has been seen for LearnFor and sent
	// LearnBatches batches, its silence threshold is UnlearnedSilence.
	// After that it is SilenceFactor × the longest gap between arrivals
	// in the last 24 hours, at least SilenceFloor (so a chatty firewall
	// is not declared silent after a second's pause) and at most
	// SilenceCeiling (so a source that once paused for a day still gets
	// watched). health.silence_after replaces the learned threshold.
	LearnFor         = time.Hour
	LearnBatches     = 20
	UnlearnedSilence = time.Hour
	SilenceFactor    = 4
	SilenceFloor     = 5 * time.Minute
	SilenceCeiling   = 48 * time.Hour

	// Volume drop: the last DropWindow holds less than DropRatio of what
	// the source sent in an average DropWindow over its previous full
	// hours (at least DropMinHours of them, and at least DropMinEvents
	// expected, so a trickle cannot "drop"). The alert clears when the
	// volume is back above DropClearRatio.
	DropWindow     = 10 * time.Minute
	DropRatio      = 0.1
	DropClearRatio = 0.5
	DropMinHours   = 3
	DropMinEvents  = 60

	// Parse errors rising: within ErrWindow at least ErrMinCount records
	// failed, they are at least ErrRatio of what the host sent, and at
	// least ErrRise times the share of the rest of the last 24 hours.
	// Clears below half of ErrRatio.
	ErrWindow   = 10 * time.Minute
	ErrMinCount = 10
	ErrRatio    = 0.05
	ErrRise     = 2.0
)

// OverflowHost names the entry that counts the hosts of a source listener
// past the per-tenant cap.
const OverflowHost = "~overflow"
