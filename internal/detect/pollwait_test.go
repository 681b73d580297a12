package detect

import (
	"testing"
	"time"
)

// TestPollWaitBoundsPollCost: the rule poll waits PollInterval while polls
// are cheap, and pollCost times a poll's duration once they are not, so
// polling a large rule tree takes a bounded share of the CPU.
func TestPollWaitBoundsPollCost(t *testing.T) {
	for _, c := range []struct{ interval, took, want time.Duration }{
		{2 * time.Second, 0, 2 * time.Second},
		{2 * time.Second, 5 * time.Millisecond, 2 * time.Second},
		{2 * time.Second, 10 * time.Millisecond, 2 * time.Second},
		{2 * time.Second, 30 * time.Millisecond, 6 * time.Second},
		{20 * time.Millisecond, time.Millisecond, 200 * time.Millisecond},
	} {
		if got := pollWait(c.interval, c.took); got != c.want {
			t.Errorf("pollWait(%v, %v) = %v, want %v", c.interval, c.took, got, c.want)
		}
	}
}
