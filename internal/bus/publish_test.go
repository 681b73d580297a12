package bus

import (
	"context"
	"testing"
	"time"

	promtest "github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vigilsiem/vigil/internal/event"
)

// TestPublishFailsWhenBrokersAreGone: a publish to brokers that are gone
// fails within its bound (the pipeline then keeps the batch with its
// source) instead of holding the caller for ever.
func TestPublishFailsWhenBrokersAreGone(t *testing.T) {
	b, c := openBus(t)
	ctx := context.Background()
	if err := b.PublishEvents(ctx, []*event.Event{testEvent("acme", 1)}); err != nil {
		t.Fatal(err)
	}
	c.Close()
	done := make(chan error, 1)
	go func() { done <- b.PublishEvents(ctx, []*event.Event{testEvent("acme", 2)}) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("publish to a closed broker succeeded")
		}
		if n := promtest.ToFloat64(b.met.publishFailed.WithLabelValues(b.EventsTopic())); n != 1 {
			t.Errorf("publish failures counted: %v", n)
		}
	case <-time.After(60 * time.Second):
		t.Fatal("publish still waiting 60s after the broker closed")
	}
}
