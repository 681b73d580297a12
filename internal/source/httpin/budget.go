package httpin

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// errBudget refuses a request body while the ingest memory budget is
// spent by other requests; the client should retry (503, Retry-After).
var errBudget = errors.New("ingest memory budget in use by other requests: retry later")

// budget is the memory budget of HTTP ingest (http.ingest.
// max_in_flight_bytes): the buffers, after decompression, that all ingest
// requests have allocated for their bodies and not yet given back. A
// request reserves each buffer before it allocates it (a body of unknown
// length grows by doubling, so it reserves about twice its size), and gives
// the reservations back when it was answered, so memory is refused before
// it is spent.
type budget struct {
	max int64

	mu   sync.Mutex
	used int64
	peak int64

	inFlight prometheus.Gauge
	maxSeen  prometheus.Gauge
	refused  *prometheus.CounterVec
}

func newBudget(max int64) *budget {
	return &budget{max: max,
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigil_http_ingest_bytes_in_flight",
			Help: "Bytes of ingest request bodies held now (the budget is http.ingest.max_in_flight_bytes)."}),
		maxSeen: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigil_http_ingest_bytes_in_flight_max",
			Help: "The most bytes of ingest request bodies held at once since start."}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_http_ingest_refused_total",
			Help: "Ingest requests refused before their body was read, by reason: budget (503), too_large (413)."}, []string{"reason"}),
	}
}

// take reserves n bytes, or reports that the budget cannot hold them now.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		return false
	}
	b.used += n
	b.peak = max(b.peak, b.used)
	b.inFlight.Set(float64(b.used))
	b.maxSeen.Set(float64(b.peak))
	return true
}

func (b *budget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.used -= n
	b.inFlight.Set(float64(b.used))
	b.mu.Unlock()
}

// inUse and maxInUse are the bytes reserved now and at most so far.
func (b *budget) inUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

func (b *budget) maxInUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}

// account is one request's share of the budget.
type account struct {
	b    *budget
	held int64
}

// grow reserves n more bytes for the request: errBodyTooLarge when the
// request alone would pass the whole budget, errBudget when others hold
// too much of it now.
func (a *account) grow(n int64) error {
	if a == nil {
		return nil
	}
	if a.held+n > a.b.max {
		a.b.refused.WithLabelValues("too_large").Inc()
		return errBodyTooLarge
	}
	if !a.b.take(n) {
		a.b.refused.WithLabelValues("budget").Inc()
		return errBudget
	}
	a.held += n
	return nil
}

type accountKey struct{}

// withBudget gives each request an account, returned to the budget once
// the request was answered (its records are in the pipeline's batches by
// then, or refused).
func (h *Handler) withBudget(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a := &account{b: h.budget}
		defer func() { h.budget.give(a.held) }()
		next(w, r.WithContext(context.WithValue(r.Context(), accountKey{}, a)))
	}
}

func accountOf(r *http.Request) *account {
	a, _ := r.Context().Value(accountKey{}).(*account)
	return a
}

// Describe implements prometheus.Collector: the budget's metrics.
func (h *Handler) Describe(ch chan<- *prometheus.Desc) {
	h.budget.inFlight.Describe(ch)
	h.budget.maxSeen.Describe(ch)
	h.budget.refused.Describe(ch)
}

// Collect implements prometheus.Collector.
func (h *Handler) Collect(ch chan<- prometheus.Metric) {
	h.budget.inFlight.Collect(ch)
	h.budget.maxSeen.Collect(ch)
	h.budget.refused.Collect(ch)
}
