package forward

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The delivery metrics. The queue registers its own per output and tenant
// (vigil_queue_records, vigil_queue_oldest_age_seconds, drops at the limits:
// see internal/queue); these add the routing and the output side:
//
//	vigil_route_matched_events_total{route}                 events (and alerts) a route took
//	vigil_output_queued_events_total{output}                events appended to the output's queue
//	vigil_output_refused_events_total{output}               events not queued: their tenant is not a valid name
//	vigil_output_delivered_events_total{output,type}        events the receiver took
//	vigil_output_delivered_bytes_total{output,type}         bytes of their queue records
//	vigil_output_failed_events_total{output,type}           events in send attempts that failed (per attempt)
//	vigil_output_failed_sends_total{output,type}            send attempts that failed
//	vigil_output_dropped_events_total{output,type,reason}   rejected by the receiver, or undecodable
//	vigil_output_retrying{output,type}                      1 while the last attempt failed
//	vigil_output_queue_records{output,type}                 undelivered events, all tenants
//	vigil_output_queue_oldest_age_seconds{output,type}      age of the oldest undelivered event, all tenants
//	vigil_output_queue_health{output,type}                  worst tenant: 0 ok, 1 warning (80% of a limit), 2 dropping
//	vigil_output_last_delivery_timestamp_seconds{output,type}
type metrics struct {
	routed, queued, refused *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		routed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_route_matched_events_total",
			Help: "Events and alerts a route took."}, []string{"route"}),
		queued: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_output_queued_events_total",
			Help: "Events appended to an output's durable queue."}, []string{"output"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_output_refused_events_total",
			Help: "Events not queued for an output because their tenant is not a valid name."}, []string{"output"}),
	}
	if reg != nil {
		reg.MustRegister(m.routed, m.queued, m.refused)
	}
	return m
}

// outputCollector exports the output side of every output, read from
// their counters and queue status at scrape time.
type outputCollector struct {
	m *Manager

	delivered, deliveredBytes, failed, failedSends, dropped *prometheus.Desc
	retrying, records, oldest, health, lastDelivery         *prometheus.Desc
}

func newOutputCollector(m *Manager) *outputCollector {
	d := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_output_"+name, help, append([]string{"output", "type"}, extra...), nil)
	}
	return &outputCollector{
		m:              m,
		delivered:      d("delivered_events_total", "Events the output's receiver took."),
		deliveredBytes: d("delivered_bytes_total", "Bytes (queue records) of the events delivered."),
		failed:         d("failed_events_total", "Events in send attempts that failed, counted per attempt."),
		failedSends:    d("failed_sends_total", "Send attempts that failed."),
		dropped:        d("dropped_events_total", "Events the output dropped: refused by the receiver on their own, or undecodable.", "reason"),
		retrying:       d("retrying", "1 while the output's last attempt failed and it is retrying."),
		records:        d("queue_records", "Undelivered events in the output's queue, all tenants."),
		oldest:         d("queue_oldest_age_seconds", "Age of the oldest undelivered event of the output, all tenants."),
		health:         d("queue_health", "Worst queue health of the output: 0 ok, 1 past 80% of a limit, 2 dropping data."),
		lastDelivery:   d("last_delivery_timestamp_seconds", "When the output last delivered a batch (Unix seconds, 0: never)."),
	}
}

func (c *outputCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.delivered, c.deliveredBytes, c.failed, c.failedSends, c.dropped,
		c.retrying, c.records, c.oldest, c.health, c.lastDelivery} {
		ch <- d
	}
}

func (c *outputCollector) Collect(ch chan<- prometheus.Metric) {
	now := time.Now()
	for _, s := range c.m.Status() {
		lv := []string{s.Name, s.Type}
		n := func(d *prometheus.Desc, v uint64, extra ...string) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), append(lv, extra...)...)
		}
		g := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
		}
		n(c.delivered, s.Delivered)
		n(c.deliveredBytes, s.DeliveredBytes)
		n(c.failed, s.Failed)
		n(c.failedSends, s.FailedSends)
		n(c.dropped, s.DroppedRejected, DropRejected)
		n(c.dropped, s.DroppedUndecodable, DropUndecodable)
		retrying := 0.0
		if s.Retrying {
			retrying = 1
		}
		g(c.retrying, retrying)
		g(c.records, float64(s.Queue.Records))
		age := 0.0
		if !s.Queue.Oldest.IsZero() {
			age = max(now.Sub(s.Queue.Oldest).Seconds(), 0)
		}
		g(c.oldest, age)
		g(c.health, float64(s.Health.Level))
		last := 0.0
		if !s.LastDelivery.IsZero() {
			last = float64(s.LastDelivery.UnixNano()) / 1e9
		}
		g(c.lastDelivery, last)
	}
}
