package response

import "github.com/prometheus/client_golang/prometheus"

// metrics are the response counters.
type metrics struct {
	// outcomes counts attempts and drops by response, action and outcome.
	outcomes *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer, rec *Recorder) *metrics {
	m := &metrics{
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "response", Name: "attempts_total",
			Help: "Response attempts by response, action and outcome (success, retry, failure; dropped: jobs never run)."},
			[]string{"response", "action", "outcome"}),
	}
	if reg != nil {
		reg.MustRegister(m.outcomes, prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "response",
			Name: "records_lost_total", Help: "Response records not written to the table because its buffer was full (the attempts are still counted)."},
			func() float64 { return float64(rec.lost.Load()) }))
	}
	return m
}
