package rulepack

import "time"

// Limits bound what an install reads, so a hostile or corrupt archive
// cannot fill the disk or memory. SigmaHQ's full release is ~3,800 files
// and ~20 MiB unpacked; the defaults leave it a wide margin.
type Limits struct {
	// MaxDownload bounds the archive fetched from a URL.
	MaxDownload int64
	// MaxFiles bounds the rule files unpacked.
	MaxFiles int
	// MaxFileBytes bounds one rule file: no real rule is near 1 MiB.
	MaxFileBytes int64
	// MaxTotalBytes bounds all the rule files together.
	MaxTotalBytes int64
	// Timeout bounds a download.
	Timeout time.Duration
}

// DefaultLimits are the bounds `vigil rules install` uses.
var DefaultLimits = Limits{
	MaxDownload:   256 << 20,
	MaxFiles:      50_000,
	MaxFileBytes:  1 << 20,
	MaxTotalBytes: 512 << 20,
	Timeout:       5 * time.Minute,
}
