package incident

import "github.com/prometheus/client_golang/prometheus"

// metrics are the incident counters under vigil_incidents_*.
type metrics struct {
	alerts, opened, merged, evicted, errors prometheus.Counter
	active                                  prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer) *metrics {
	c := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "incidents", Name: name, Help: help})
	}
	m := &metrics{
		alerts:  c("alerts_total", "Alerts grouped into incidents (new alerts and folded updates)."),
		opened:  c("opened_total", "Incidents opened."),
		merged:  c("merged_total", "Incidents merged into another because an alert linked them."),
		evicted: c("evicted_total", "Open incidents dropped from the in-memory index (past the horizon or the cap); later alerts open new incidents."),
		errors:  c("write_errors_total", "Failed writes of incidents to the store."),
		active: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "incidents", Name: "active",
			Help: "Open incidents indexed in memory, which new alerts can join."}),
	}
	if reg != nil {
		reg.MustRegister(m.alerts, m.opened, m.merged, m.evicted, m.errors, m.active)
	}
	return m
}
