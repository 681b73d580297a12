package tail

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/event"
)

// Batch is a run of a tenant's newly stored events: their ids and the
// span of their timestamps [From, To].
type Batch struct {
	IDs      []string
	From, To time.Time
}

// Options bound a Hub; zero values take the defaults of limits.go.
type Options struct {
	MaxSubscribers, MaxPerTenant, Queue int
	Registerer                          prometheus.Registerer
}

// ErrFull refuses a subscription past MaxSubscribers or MaxPerTenant.
var ErrFull = errors.New("too many live tails")

// ErrSlow is why a slow subscriber was dropped.
var ErrSlow = errors.New("dropped: the console did not keep up with the events")

// Hub fans stored events out to subscribers. It implements pipeline.Sink.
type Hub struct {
	opts      Options
	mu        sync.Mutex
	subs      map[string]map[*Sub]struct{} // tenant → subscribers
	n         int
	dropped   prometheus.Counter
	delivered prometheus.Counter
}

// Sub is one subscription. Read batches from C until Gone closes; then Err
// says why (ErrSlow, or nil after Close).
type Sub struct {
	Tenant string
	C      chan Batch
	Gone   chan struct{}
	hub    *Hub
	once   sync.Once
	err    error
}

// New returns a hub and registers its counters.
func New(o Options) (*Hub, error) {
	if o.MaxSubscribers <= 0 {
		o.MaxSubscribers = DefaultMaxSubscribers
	}
	if o.MaxPerTenant <= 0 {
		o.MaxPerTenant = DefaultMaxPerTenant
	}
	if o.Queue <= 0 {
		o.Queue = DefaultQueue
	}
	h := &Hub{opts: o, subs: map[string]map[*Sub]struct{}{},
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_tail_dropped_total",
			Help: "Live tail subscribers dropped because they did not keep up."}),
		delivered: prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_tail_batches_total",
			Help: "Batches of new event ids handed to live tail subscribers."}),
	}
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{h.dropped, h.delivered} {
			if err := o.Registerer.Register(c); err != nil {
				return nil, err
			}
		}
	}
	return h, nil
}

// Name implements pipeline.Sink.
func (h *Hub) Name() string { return "tail" }

// Subscribe adds a subscriber to tenant's new events, or ErrFull.
func (h *Hub) Subscribe(tenant string) (*Sub, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.n >= h.opts.MaxSubscribers || len(h.subs[tenant]) >= h.opts.MaxPerTenant {
		return nil, ErrFull
	}
	s := &Sub{Tenant: tenant, C: make(chan Batch, h.opts.Queue), Gone: make(chan struct{}), hub: h}
	if h.subs[tenant] == nil {
		h.subs[tenant] = map[*Sub]struct{}{}
	}
	h.subs[tenant][s] = struct{}{}
	h.n++
	return s, nil
}

// Close ends the subscription.
func (s *Sub) Close() { s.end(nil) }

// Err says why the subscription ended, once Gone is closed.
func (s *Sub) Err() error {
	<-s.Gone
	return s.err
}

// end ends the subscription with err; it reports whether this call did.
func (s *Sub) end(err error) (ended bool) {
	s.once.Do(func() {
		ended = true
		h := s.hub
		h.mu.Lock()
		if m := h.subs[s.Tenant]; m != nil {
			if _, ok := m[s]; ok {
				delete(m, s)
				h.n--
			}
			if len(m) == 0 {
				delete(h.subs, s.Tenant)
			}
		}
		h.mu.Unlock()
		s.err = err
		close(s.Gone)
	})
	return ended
}

// Subscribers returns the number of subscriptions.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// Write implements pipeline.Sink: it hands each subscribed tenant's
// events of the batch to its subscribers, never waiting; a subscriber
// whose queue is full is dropped. It keeps only ids and times: events are
// reused once Write returns.
func (h *Hub) Write(_ context.Context, events []*event.Event) error {
	h.mu.Lock()
	if h.n == 0 {
		h.mu.Unlock()
		return nil
	}
	batches := map[string][]Batch{}
	for _, e := range events {
		if _, ok := h.subs[e.Tenant]; !ok || e.ID == "" {
			continue
		}
		bs := batches[e.Tenant]
		if len(bs) == 0 || len(bs[len(bs)-1].IDs) >= MaxIDs {
			bs = append(bs, Batch{From: e.Timestamp, To: e.Timestamp})
		}
		b := &bs[len(bs)-1]
		b.IDs = append(b.IDs, e.ID)
		if e.Timestamp.Before(b.From) {
			b.From = e.Timestamp
		}
		if e.Timestamp.After(b.To) {
			b.To = e.Timestamp
		}
		batches[e.Tenant] = bs
	}
	var slow []*Sub
	for tenant, bs := range batches {
		for s := range h.subs[tenant] {
			for _, b := range bs {
				select {
				case s.C <- b:
					h.delivered.Inc()
					continue
				default:
				}
				slow = append(slow, s)
				break
			}
		}
	}
	h.mu.Unlock()
	for _, s := range slow {
		if s.end(ErrSlow) {
			h.dropped.Inc()
		}
	}
	return nil
}
