package forward

import (
	"sync"
	"sync/atomic"
	"time"
)

// Reasons an output drops events, as the dropped metric labels them.
const (
	// DropRejected: the receiver refused the event on its own (Permanent).
	DropRejected = "rejected"
	// DropUndecodable: the queue record did not decode as an event.
	DropUndecodable = "undecodable"
)

// stats are an output's delivery counters since start.
type stats struct {
	delivered, deliveredBytes atomic.Uint64
	failed, failedSends       atomic.Uint64
	rejected, undecodable     atomic.Uint64

	mu           sync.Mutex
	lastErr      string
	lastErrTime  time.Time
	lastDelivery time.Time
	retrying     bool
}

func (s *stats) ok(events, bytes int) {
	s.delivered.Add(uint64(events))
	s.deliveredBytes.Add(uint64(bytes))
	s.mu.Lock()
	s.lastDelivery = time.Now()
	s.retrying = false
	s.mu.Unlock()
}

func (s *stats) fail(events int, err error) {
	s.failed.Add(uint64(events))
	s.failedSends.Add(1)
	s.mu.Lock()
	s.lastErr = err.Error()
	s.lastErrTime = time.Now()
	s.retrying = true
	s.mu.Unlock()
}
