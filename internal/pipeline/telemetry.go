package pipeline

import (
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics holds the counters every component reports, under the same names
// (after Vector's component specification), labelled by component kind
// ("source", "parser", "processor", "sink", "output") and id (its name):
//
//	vigil_component_received_events_total
//	vigil_component_received_bytes_total
//	vigil_component_sent_events_total
//	vigil_component_errors_total
//	vigil_component_dead_lettered_events_total
//	vigil_component_discarded_events_total
//	vigil_component_time_guessed_events_total
type Metrics struct {
	received, receivedBytes, sent, errors, dead, discarded, guessed *prometheus.CounterVec

	mu   sync.Mutex
	byID map[[2]string]*Telemetry
}

// NewMetrics registers the component counters with reg (nil: not registered,
// for tests).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	labels := []string{"component_kind", "component_id"}
	vec := func(name, help string) *prometheus.CounterVec {
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "component", Name: name, Help: help}, labels)
		if reg != nil {
			reg.MustRegister(v)
		}
		return v
	}
	return &Metrics{
		received:      vec("received_events_total", "Records or events a component took in."),
		receivedBytes: vec("received_bytes_total", "Bytes a component took in."),
		sent:          vec("sent_events_total", "Events a component passed on."),
		errors:        vec("errors_total", "Errors a component met (a failed write, a broken connection, a bad request)."),
		dead:          vec("dead_lettered_events_total", "Records a component could not parse and sent to the dead-letter store."),
		discarded:     vec("discarded_events_total", "Events a component dropped, by configuration or because a limit was hit."),
		guessed:       vec("time_guessed_events_total", "Events whose record carried no readable time: their @timestamp is the receive time (parser, by source)."),
		byID:          map[[2]string]*Telemetry{},
	}
}

// Telemetry is the set of counters of one component.
type Telemetry struct {
	Received, ReceivedBytes, Sent, Errors, DeadLettered, Discarded prometheus.Counter
	// TimeGuessed counts events given the receive time as @timestamp.
	TimeGuessed prometheus.Counter
}

// Component returns the counters of one component, creating them once.
func (m *Metrics) Component(kind, id string) *Telemetry {
	if m == nil {
		m = NewMetrics(nil)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	key := [2]string{kind, id}
	if t, ok := m.byID[key]; ok {
		return t
	}
	t := &Telemetry{
		Received:      m.received.WithLabelValues(kind, id),
		ReceivedBytes: m.receivedBytes.WithLabelValues(kind, id),
		Sent:          m.sent.WithLabelValues(kind, id),
		Errors:        m.errors.WithLabelValues(kind, id),
		DeadLettered:  m.dead.WithLabelValues(kind, id),
		Discarded:     m.discarded.WithLabelValues(kind, id),
		TimeGuessed:   m.guessed.WithLabelValues(kind, id),
	}
	m.byID[key] = t
	return t
}
