package auth

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics of the password checks: the hashes in flight show that their
// bound holds (vigil_auth_kdf_in_flight_max never passes
// auth.login.max_concurrent).
type metrics struct {
	mu       sync.Mutex
	n, peak  int
	computed int
	inFlight prometheus.Gauge
	maxSeen  prometheus.Gauge
	total    prometheus.Counter
	failures *prometheus.CounterVec
}

func newMetrics() *metrics {
	return &metrics{
		inFlight: prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigil_auth_kdf_in_flight", Help: "Password hashes being computed now."}),
		maxSeen:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "vigil_auth_kdf_in_flight_max", Help: "The most password hashes computed at once since start."}),
		total:    prometheus.NewCounter(prometheus.CounterOpts{Name: "vigil_auth_kdf_total", Help: "Password hashes computed (unknown users included)."}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_auth_login_failures_total", Help: "Password logins refused, by reason: bad_credentials, throttled, busy."}, []string{"reason"}),
	}
}

func (m *metrics) enter() {
	m.mu.Lock()
	m.n++
	m.peak = max(m.peak, m.n)
	m.inFlight.Set(float64(m.n))
	m.maxSeen.Set(float64(m.peak))
	m.computed++
	m.mu.Unlock()
	m.total.Inc()
}

func (m *metrics) leave() {
	m.mu.Lock()
	m.n--
	m.inFlight.Set(float64(m.n))
	m.mu.Unlock()
}

// MaxKDFInFlight is the most password hashes computed at once so far.
func (a *Authenticator) MaxKDFInFlight() int {
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	return a.m.peak
}

// hashes is how many password hashes were computed so far.
func (m *metrics) hashes() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.computed
}

// Collectors are the authenticator's metrics, for the node's registry.
func (a *Authenticator) Collectors() []prometheus.Collector {
	return []prometheus.Collector{a.m.inFlight, a.m.maxSeen, a.m.total, a.m.failures}
}
