//go:build !unix

package entity

import "time"

// cpuTime is unknown here: the benchmark reports no events/cpu-s.
func cpuTime() time.Duration { return 0 }
