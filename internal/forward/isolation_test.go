package forward

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// tenantFailing is an output whose receiver refuses one tenant's batches
// (a transient error: a full index, a directory it cannot write) until
// fixed, and takes every other tenant's.
type tenantFailing struct {
	*fakeOutput
	mu       sync.Mutex
	failing  string
	failures int
}

func (o *tenantFailing) Send(ctx context.Context, b *Batch) error {
	o.mu.Lock()
	fail := b.Tenant == o.failing
	if fail {
		o.failures++
	}
	o.mu.Unlock()
	if fail {
		return errors.New("receiver: tenant " + b.Tenant + " unavailable")
	}
	return o.fakeOutput.Send(ctx, b)
}

func (o *tenantFailing) fix() {
	o.mu.Lock()
	o.failing = ""
	o.mu.Unlock()
}

func (o *tenantFailing) failed() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.failures
}

// Issue 9, finding 4: one tenant's failure never blocks another's
// delivery. While the receiver keeps failing beta's batches, acme's events
// — written after beta's, so behind them — are all delivered; once beta's
// receiver recovers, beta's are delivered too, none lost.
func TestOneTenantsFailureDoesNotBlockAnother(t *testing.T) {
	out := &tenantFailing{fakeOutput: newFake(), failing: "beta"}
	c := testConfig(t, `
outputs:
  - name: shared
    type: test`+fastRetry+`
routes:
  - outputs: [shared]
`, map[string]Output{"shared": out})
	m := startManager(t, c, t.TempDir())
	beta := mkEvents("beta", "syslog", 30)
	if err := m.Sink().Write(context.Background(), beta); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := m.Sink().Write(context.Background(), mkEvents("acme", "syslog", 100)[i*30:i*30+30]); err != nil {
			t.Fatal(err)
		}
	}
	got := out.waitIDs(t, 90)
	if out.failed() == 0 {
		t.Fatal("beta was never tried")
	}
	for _, id := range got {
		for _, e := range beta {
			if id == e.ID {
				t.Fatalf("beta event %s delivered while its receiver failed", id)
			}
		}
	}
	out.fix()
	if got := out.waitIDs(t, 120); len(got) != 120 {
		t.Fatalf("delivered %d events, want 120", len(got))
	}
}
