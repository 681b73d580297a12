package correlate

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// counter is a monotonic counter read by Stats and exported to Prometheus.
type counter struct{ atomic.Uint64 }

func (c *counter) Inc() { c.Add(1) }

// metrics are the engine's counters. They are exported as
//
//	vigil_correlation_hits_total                hits of referenced rules fed in
//	vigil_correlation_late_hits_total           hits older than watermark - lateness, left out
//	vigil_correlation_missing_field_hits_total  hits without a group-by (or value_count) field
//	vigil_correlation_firings_total             correlations that fired (not counting alert updates)
//	vigil_correlation_evictions_total{reason}   groups evicted by the caps (rule_cap, total_cap)
//	vigil_correlation_groups                    groups held now
type metrics struct {
	hits, late, missing, firings counter
	ruleCap, totalCap            counter
}

// evict returns the eviction counter of a reason.
func (m *metrics) evict(reason string) *counter {
	if reason == "rule_cap" {
		return &m.ruleCap
	}
	return &m.totalCap
}

func (m *metrics) read(c *counter) uint64 { return c.Load() }

func (m *metrics) evictionsTotal() uint64 { return m.ruleCap.Load() + m.totalCap.Load() }

func newMetrics(reg prometheus.Registerer, e *Engine) *metrics {
	m := &metrics{}
	if reg == nil {
		return m
	}
	counterFunc := func(name, help string, c *counter) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "correlation", Name: name, Help: help},
			func() float64 { return float64(c.Load()) })
	}
	evict := func(reason string, c *counter) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "correlation", Name: "evictions_total",
			Help: "Correlation groups evicted to stay under the key caps, oldest window first.", ConstLabels: prometheus.Labels{"reason": reason}},
			func() float64 { return float64(c.Load()) })
	}
	reg.MustRegister(
		counterFunc("hits_total", "Hits of rules referenced by correlations.", &m.hits),
		counterFunc("late_hits_total", "Hits older than the watermark minus the allowed lateness, left out of the windows.", &m.late),
		counterFunc("missing_field_hits_total", "Hits left out because a group-by or value_count field was absent.", &m.missing),
		counterFunc("firings_total", "Correlations that fired.", &m.firings),
		evict("rule_cap", &m.ruleCap),
		evict("total_cap", &m.totalCap),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "correlation", Name: "groups",
			Help: "Correlation groups (windows) held."}, func() float64 { return float64(e.Stats().Groups) }),
	)
	return m
}
