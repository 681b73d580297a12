//go:build !unix

package normalize

import "time"

// cpuTime is zero where getrusage is not available: no cpu-ns/op then.
func cpuTime() time.Duration { return 0 }
