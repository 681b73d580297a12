package usage

import "github.com/prometheus/client_golang/prometheus"

// metrics are the meter's Prometheus series, labelled by tenant.
type metrics struct {
	events, bytes, over      *prometheus.CounterVec
	peak, exceeded           *prometheus.GaugeVec
	unmetered, journalErrors prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) metrics {
	m := metrics{
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "usage", Name: "events_total",
			Help: "Events stored, by tenant (the metered count)."}, []string{"tenant"}),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "usage", Name: "bytes_total",
			Help: "Bytes of the original records of the events stored, by tenant."}, []string{"tenant"}),
		over: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "usage", Name: "over_quota_events_total",
			Help: "Events past a tenant's quota, stored all the same, by tenant and quota (eps, events_per_day)."}, []string{"tenant", "quota"}),
		peak: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "usage", Name: "eps_peak",
			Help: "The most events a tenant sent in one second today (UTC)."}, []string{"tenant"}),
		exceeded: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "usage", Name: "quota_exceeded",
			Help: "1 when a tenant passed a quota today (UTC), by tenant and quota."}, []string{"tenant", "quota"}),
		unmetered: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "usage", Name: "unmetered_events_total",
			Help: "Events of tenants past the cap of metered tenants (stored, not metered)."}),
		journalErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "usage", Name: "journal_errors_total",
			Help: "Failed writes of the usage journal or snapshot."}),
	}
	if reg != nil {
		reg.MustRegister(m.events, m.bytes, m.over, m.peak, m.exceeded, m.unmetered, m.journalErrors)
	}
	return m
}
