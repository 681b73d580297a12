package ingest

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Register exports the counts of each pipeline as
// vigil_pipeline_events_total{pipeline, result}: result is handled,
// failed (dead-lettered) or dropped.
func (p *Processor) Register(reg prometheus.Registerer) error {
	s := p.set
	for i, pl := range s.pipelines {
		st := &s.stats[i]
		for result, get := range map[string]func() int64{
			"handled": st.handled.Load, "failed": st.failed.Load, "dropped": st.dropped.Load,
		} {
			c := prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name:        "vigil_pipeline_events_total",
				Help:        "Events each declarative pipeline normalised (handled), sent to the dead letters (failed) or dropped.",
				ConstLabels: prometheus.Labels{"pipeline": pl.Name, "result": result},
			}, func() float64 { return float64(get()) })
			if err := reg.Register(c); err != nil {
				return err
			}
		}
	}
	return nil
}
