package entity

import "github.com/prometheus/client_golang/prometheus"

var (
	descEntities   = prometheus.NewDesc("vigil_analytics_entities", "Entities whose baselines and risk are kept in memory.", nil, nil)
	descEvaluated  = prometheus.NewDesc("vigil_analytics_events_total", "Events given to entity analytics.", nil, nil)
	descAnomalies  = prometheus.NewDesc("vigil_analytics_anomalies_total", "Alerts raised by behaviour analytics.", nil, nil)
	descRiskAlerts = prometheus.NewDesc("vigil_analytics_risk_alerts_total", "Risk alerts raised for entities crossing the threshold.", nil, nil)
	descEvicted    = prometheus.NewDesc("vigil_analytics_entities_evicted_total", "Entities forgotten because max_entities was reached.", nil, nil)
)

// Describe implements prometheus.Collector.
func (e *Engine) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEntities, descEvaluated, descAnomalies, descRiskAlerts, descEvicted} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (e *Engine) Collect(ch chan<- prometheus.Metric) {
	st := e.Stats()
	ch <- prometheus.MustNewConstMetric(descEntities, prometheus.GaugeValue, float64(st.Entities))
	ch <- prometheus.MustNewConstMetric(descEvaluated, prometheus.CounterValue, float64(st.Evaluated))
	ch <- prometheus.MustNewConstMetric(descAnomalies, prometheus.CounterValue, float64(st.Anomalies))
	ch <- prometheus.MustNewConstMetric(descRiskAlerts, prometheus.CounterValue, float64(st.RiskAlerts))
	ch <- prometheus.MustNewConstMetric(descEvicted, prometheus.CounterValue, float64(st.Evicted))
}
