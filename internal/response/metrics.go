package response

import "github.com/prometheus/client_golang/prometheus"

// metrics are the response counters.
type metrics struct {
	// outcomes counts attempts and drops by response, action and outcome.
	outcomes *prometheus.CounterVec
	// lost counts records that could not be queued for the table.
	lost prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "response", Name: "attempts_total",
			Help: "Response attempts by response, action and outcome (success, retry, failure; dropped: jobs never run)."},
			[]string{"response", "action", "outcome"}),
		lost: prometheus.NewCounter(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "response", Name: "records_lost_total",
			Help: "Response records not written to the table because its buffer was full (the attempts are still counted)."}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, m.lost)
	}
	return m
}
