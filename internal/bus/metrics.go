package bus

import "github.com/prometheus/client_golang/prometheus"

// metrics count what the bus published and consumed; Bus is a
// prometheus.Collector of them (docs/configuration.md "bus").
type metrics struct {
	published, publishFailed     *prometheus.CounterVec
	consumed, dead, retried, cms *prometheus.CounterVec
}

func newMetrics() *metrics {
	cv := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	return &metrics{
		published:     cv("vigil_bus_published_records_total", "Records the brokers acknowledged, by topic.", "topic"),
		publishFailed: cv("vigil_bus_publish_failures_total", "Publishes that failed or timed out (bus.kafka.publish_timeout); the batch is published again by its source.", "topic"),
		consumed:      cv("vigil_bus_consumed_records_total", "Records handled and committed, by topic and consumer group.", "topic", "group"),
		dead:          cv("vigil_bus_dead_letters_total", "Records that could not be decoded or had an invalid tenant, by topic and consumer group.", "topic", "group"),
		retried:       cv("vigil_bus_handler_retries_total", "Batches handed again after their handler failed, by topic and consumer group.", "topic", "group"),
		cms:           cv("vigil_bus_commit_failures_total", "Offset commits that failed (the batch will be read again), by topic and consumer group.", "topic", "group"),
	}
}

func (m *metrics) all() []*prometheus.CounterVec {
	return []*prometheus.CounterVec{m.published, m.publishFailed, m.consumed, m.dead, m.retried, m.cms}
}

// Describe implements prometheus.Collector.
func (b *Bus) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range b.met.all() {
		c.Describe(ch)
	}
}

// Collect implements prometheus.Collector.
func (b *Bus) Collect(ch chan<- prometheus.Metric) {
	for _, c := range b.met.all() {
		c.Collect(ch)
	}
}
