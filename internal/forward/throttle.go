package forward

import (
	"context"
	"sync"
	"time"
)

// Bucket is a token bucket that refills at Rate tokens per second up to a
// burst of one second's worth. Take never refuses a request larger than the
// burst (a batch bigger than a second of the rate): it runs the bucket into
// debt and the next takes wait it off, so the average rate holds whatever
// the batch sizes. golang.org/x/time/rate refuses such requests, which is
// why this is our own (it is twenty lines).
type Bucket struct {
	rate float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
	now    func() time.Time
}

// NewBucket returns a full bucket, or nil (no limit) for a rate <= 0.
func NewBucket(rate float64) *Bucket {
	if rate <= 0 {
		return nil
	}
	return &Bucket{rate: rate, tokens: rate, now: time.Now}
}

// Reserve takes n tokens and returns how long the caller must wait before
// using them.
func (b *Bucket) Reserve(n float64) time.Duration {
	if b == nil {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.now()
	if !b.last.IsZero() {
		b.tokens = min(b.tokens+now.Sub(b.last).Seconds()*b.rate, b.rate)
	}
	b.last = now
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// Throttle limits events and bytes per second.
type Throttle struct {
	events, bytes *Bucket
}

// NewThrottle returns a throttle; zero rates are no limit.
func NewThrottle(eventsPerSec, bytesPerSec float64) *Throttle {
	return &Throttle{events: NewBucket(eventsPerSec), bytes: NewBucket(bytesPerSec)}
}

// Wait waits until a batch of n events and size bytes may go, or ctx ends
// (then it returns ctx's error).
func (t *Throttle) Wait(ctx context.Context, n, size int) error {
	d := max(t.events.Reserve(float64(n)), t.bytes.Reserve(float64(size)))
	if !sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}
