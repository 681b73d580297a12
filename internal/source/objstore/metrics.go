package objstore

import "github.com/prometheus/client_golang/prometheus"

// Metric descriptions; each source's metrics carry its name as a constant
// label, so several import sources register side by side.
var (
	descImported = func(source string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_import_objects_imported_total",
			"Objects an import source imported completely since it started.", nil, prometheus.Labels{"source": source})
	}
	descFailed = func(source string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_import_objects_failed_total",
			"Objects an import source gave up on (unreadable, corrupt) since it started; the reason is logged and kept in its state file.", nil, prometheus.Labels{"source": source})
	}
	descPending = func(source string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_import_objects_pending",
			"Objects listed and not imported yet (settling, waiting for a done marker or a retry, or queued).", nil, prometheus.Labels{"source": source})
	}
	descInFlight = func(source string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_import_objects_in_flight",
			"Objects whose batches are not all acknowledged yet.", nil, prometheus.Labels{"source": source})
	}
)

// Describe implements prometheus.Collector: register a Source with the
// process's registry to expose its object counts.
func (s *Source) Describe(ch chan<- *prometheus.Desc) {
	ch <- descImported(s.name)
	ch <- descFailed(s.name)
	ch <- descPending(s.name)
	ch <- descInFlight(s.name)
}

// Collect implements prometheus.Collector.
func (s *Source) Collect(ch chan<- prometheus.Metric) {
	st := s.Stats()
	ch <- prometheus.MustNewConstMetric(descImported(s.name), prometheus.CounterValue, float64(st.Imported))
	ch <- prometheus.MustNewConstMetric(descFailed(s.name), prometheus.CounterValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(descPending(s.name), prometheus.GaugeValue, float64(st.Pending))
	ch <- prometheus.MustNewConstMetric(descInFlight(s.name), prometheus.GaugeValue, float64(st.InFlight))
}

var _ prometheus.Collector = (*Source)(nil)
