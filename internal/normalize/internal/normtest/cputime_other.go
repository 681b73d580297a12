//go:build !unix

package normtest

import "time"

// cpuTime is zero where getrusage is not available: no cpu-ns/op then.
func cpuTime() time.Duration { return 0 }
