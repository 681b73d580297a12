package objstore

import "github.com/prometheus/client_golang/prometheus"

// descs are the descriptions of a source's object metrics; each carries
// the source's name as a constant label, so several import sources
// register side by side.
type descs struct {
	imported, failed, pending, inFlight *prometheus.Desc
}

func newDescs(source string) descs {
	l := prometheus.Labels{"source": source}
	return descs{
		imported: prometheus.NewDesc("vigil_import_objects_imported_total",
			"Objects an import source imported completely since it started.", nil, l),
		failed: prometheus.NewDesc("vigil_import_objects_failed_total",
			"Objects an import source gave up on (unreadable, corrupt) since it started; the reason is logged and kept in its state file.", nil, l),
		pending: prometheus.NewDesc("vigil_import_objects_pending",
			"Objects listed and not imported yet (settling, waiting for a done marker or a retry, or queued).", nil, l),
		inFlight: prometheus.NewDesc("vigil_import_objects_in_flight",
			"Objects whose batches are not all acknowledged yet.", nil, l),
	}
}

// Describe implements prometheus.Collector: register a Source with the
// process's registry to expose its object counts.
func (s *Source) Describe(ch chan<- *prometheus.Desc) {
	ch <- s.descs.imported
	ch <- s.descs.failed
	ch <- s.descs.pending
	ch <- s.descs.inFlight
}

// Collect implements prometheus.Collector.
func (s *Source) Collect(ch chan<- prometheus.Metric) {
	st := s.Stats()
	ch <- prometheus.MustNewConstMetric(s.descs.imported, prometheus.CounterValue, float64(st.Imported))
	ch <- prometheus.MustNewConstMetric(s.descs.failed, prometheus.CounterValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(s.descs.pending, prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(s.descs.inFlight, prometheus.GaugeValue, float64(st.InFlight))
}

var _ prometheus.Collector = (*Source)(nil)
