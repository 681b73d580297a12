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
func (e *Engine) Describe(ch chan<- *prometheus.Desc) { describe(ch) }

// Collect implements prometheus.Collector.
func (e *Engine) Collect(ch chan<- prometheus.Metric) { collect(ch, e.Stats()) }

// Group is the engines of the entity partitions a detect node owns, which
// share Counters: its stats and metrics are theirs summed, and its
// counters keep counting when partitions move.
type Group struct {
	Counters *Counters
	// Engines calls fn with each engine of the group.
	Engines func(fn func(*Engine))
	// Analytics is the number of analytics of each engine.
	Analytics int
}

// Stats sums the stats of the group's engines.
func (g Group) Stats() Stats {
	st := Stats{Analytics: g.Analytics, Evaluated: g.Counters.evaluated.Load(), Anomalies: g.Counters.anomalies.Load(),
		RiskAlerts: g.Counters.riskAlerts.Load(), Evicted: g.Counters.evicted.Load()}
	g.Engines(func(e *Engine) { st.Entities += e.Stats().Entities })
	return st
}

// Describe implements prometheus.Collector.
func (g Group) Describe(ch chan<- *prometheus.Desc) { describe(ch) }

// Collect implements prometheus.Collector.
func (g Group) Collect(ch chan<- prometheus.Metric) { collect(ch, g.Stats()) }

func describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEntities, descEvaluated, descAnomalies, descRiskAlerts, descEvicted} {
		ch <- d
	}
}

func collect(ch chan<- prometheus.Metric, st Stats) {
	ch <- prometheus.MustNewConstMetric(descEntities, prometheus.GaugeValue, float64(st.Entities))
	ch <- prometheus.MustNewConstMetric(descEvaluated, prometheus.CounterValue, float64(st.Evaluated))
	ch <- prometheus.MustNewConstMetric(descAnomalies, prometheus.CounterValue, float64(st.Anomalies))
	ch <- prometheus.MustNewConstMetric(descRiskAlerts, prometheus.CounterValue, float64(st.RiskAlerts))
	ch <- prometheus.MustNewConstMetric(descEvicted, prometheus.CounterValue, float64(st.Evicted))
}
