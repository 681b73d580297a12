package testutil

import (
	"testing"
	"time"
)

// WaitTimeout is how long Eventually waits before it fails the test: long
// enough for a slow, shared machine. A test that waits this long has failed;
// a passing test never comes near it.
const WaitTimeout = 60 * time.Second

// Eventually waits until cond reports true, checking it every few
// milliseconds, and fails tb (naming what it waited for) after WaitTimeout.
// Tests wait on state with it instead of sleeping for a guessed time.
func Eventually(tb testing.TB, what string, cond func() bool) {
	tb.Helper()
	EventuallyWithin(tb, WaitTimeout, what, cond)
}

// EventuallyWithin is Eventually with another deadline.
func EventuallyWithin(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	if !Poll(within, cond) {
		tb.Fatalf("timed out after %s waiting for %s", within, what)
	}
}

// Poll checks cond until it reports true or within has passed, and
// reports whether it did. It is for the callers that fail in their own
// words; it is safe to call from any goroutine.
func Poll(within time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(within)
	pause := time.Millisecond
	for !cond() {
		if time.Now().After(deadline) {
			return cond()
		}
		time.Sleep(pause)
		pause = min(2*pause, 20*time.Millisecond)
	}
	return true
}
