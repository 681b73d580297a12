package queue

import (
	"github.com/prometheus/client_golang/prometheus"
)

// The queue's metrics. Each queue registers its own collector whose
// descriptions carry its output and tenant as constant labels, so any
// number of queues share one registry and a closed queue's series go away
// with Unregister. Values are read from one Status snapshot per scrape;
// counters count since the queue was opened (a reopen is a counter reset,
// which rate() handles).
//
//	vigil_queue_records                    gauge    undelivered records
//	vigil_queue_bytes                      gauge    bytes of undelivered records
//	vigil_queue_disk_bytes                 gauge    bytes of all segment files
//	vigil_queue_segments                   gauge    segment files
//	vigil_queue_oldest_age_seconds         gauge    age of the oldest undelivered record
//	vigil_queue_health                     gauge    0 ok, 1 warning, 2 dropping
//	vigil_queue_limit_ratio{limit}         gauge    fraction of max_bytes / max_age in use
//	vigil_queue_appended_records_total     counter
//	vigil_queue_appended_bytes_total       counter
//	vigil_queue_delivered_records_total    counter  acknowledged by the output
//	vigil_queue_dropped_records_total{reason} counter  undelivered records dropped by a limit
//	vigil_queue_dropped_bytes_total        counter
//	vigil_queue_corrupt_records_total      counter  skipped as corrupt when read
//	vigil_queue_torn_records_total         counter  discarded from a torn tail at Open
//	vigil_queue_fsyncs_total               counter
type collector struct {
	q *Queue

	records, bytes, disk, segments, oldest, health, ratio *prometheus.Desc
	appended, appendedBytes, delivered, dropped           *prometheus.Desc
	droppedBytes, corrupt, torn, fsyncs                   *prometheus.Desc
}

func newCollector(q *Queue) *collector {
	labels := prometheus.Labels{"output": q.opts.Output, "tenant": q.tenant}
	d := func(name, help string, variable ...string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_queue_"+name, help, variable, labels)
	}
	return &collector{
		q:             q,
		records:       d("records", "Records in the durable queue not yet delivered (acknowledged by the output) nor dropped."),
		bytes:         d("bytes", "Bytes of the queued records not yet delivered."),
		disk:          d("disk_bytes", "Bytes of the queue's segment files, delivered parts not yet reclaimed included."),
		segments:      d("segments", "Segment files of the queue."),
		oldest:        d("oldest_age_seconds", "Age of the oldest undelivered record (0 when the queue is empty)."),
		health:        d("health", "Queue health: 0 ok, 1 past the warning ratio of a limit, 2 dropping data at a limit."),
		ratio:         d("limit_ratio", "Fraction of a queue limit in use.", "limit"),
		appended:      d("appended_records_total", "Records appended to the queue."),
		appendedBytes: d("appended_bytes_total", "Bytes appended to the queue, framing included."),
		delivered:     d("delivered_records_total", "Records the output acknowledged as delivered."),
		dropped:       d("dropped_records_total", "Undelivered records dropped because the queue hit a limit.", "reason"),
		droppedBytes:  d("dropped_bytes_total", "Bytes of segments dropped because the queue hit a limit."),
		corrupt:       d("corrupt_records_total", "Records skipped because they were corrupt on disk."),
		torn:          d("torn_records_total", "Records of a torn tail (an unfinished append at a crash) discarded at open."),
		fsyncs:        d("fsyncs_total", "Fsyncs of segment files."),
	}
}

// Describe implements prometheus.Collector.
func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.records, c.bytes, c.disk, c.segments, c.oldest, c.health, c.ratio,
		c.appended, c.appendedBytes, c.delivered, c.dropped, c.droppedBytes, c.corrupt, c.torn, c.fsyncs} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *collector) Collect(ch chan<- prometheus.Metric) {
	q := c.q
	q.mu.Lock()
	now := q.opts.Now()
	st := q.statusLocked(now)
	droppedAge := q.stats.droppedAge
	q.mu.Unlock()
	age := 0.0
	if !st.Oldest.IsZero() {
		age = max(now.Sub(st.Oldest).Seconds(), 0)
	}
	g := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
	}
	n := func(d *prometheus.Desc, v uint64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), lv...)
	}
	g(c.records, float64(st.Records))
	g(c.bytes, float64(st.Bytes))
	g(c.disk, float64(st.DiskBytes))
	g(c.segments, float64(st.Segments))
	g(c.oldest, age)
	g(c.health, float64(st.Health.Level))
	g(c.ratio, st.Health.BytesRatio, "max_bytes")
	g(c.ratio, st.Health.AgeRatio, "max_age")
	n(c.appended, st.Appended)
	n(c.appendedBytes, st.AppendedBytes)
	n(c.delivered, st.Delivered)
	n(c.dropped, st.Dropped-droppedAge, dropMaxBytes)
	n(c.dropped, droppedAge, dropMaxAge)
	n(c.droppedBytes, st.DroppedBytes)
	n(c.corrupt, st.Corrupt)
	n(c.torn, st.Torn)
	n(c.fsyncs, st.Fsyncs)
}
