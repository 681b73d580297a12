package watchlist

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

type counter struct{ atomic.Uint64 }

func (c *counter) Inc() { c.Add(1) }

// metrics are exported as
//
//	vigil_watchlist_entries                  entries held
//	vigil_watchlist_actions_total            rule actions applied
//	vigil_watchlist_missing_key_total        rule actions skipped: the event lacks the key field
//	vigil_watchlist_rejected_full_total      writes rejected because the list was full
//	vigil_watchlist_expired_total            entries deleted by the TTL sweep
//	vigil_watchlist_replicated_total         ops read from the bus and applied
//	vigil_watchlist_bad_ops_total            records of the bus's watch-list topic that did not decode
type metrics struct {
	actions, noKey, rejectedFull, expired, replicated, badOps counter
}

func newMetrics(reg prometheus.Registerer, s *Store) *metrics {
	m := &metrics{}
	if reg == nil {
		return m
	}
	c := func(name, help string, v *counter) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "vigil", Subsystem: "watchlist", Name: name, Help: help},
			func() float64 { return float64(v.Load()) })
	}
	reg.MustRegister(
		c("actions_total", "Watch-list actions of matching rules applied.", &m.actions),
		c("missing_key_total", "Watch-list actions skipped because the event lacked the key field.", &m.noKey),
		c("rejected_full_total", "Watch-list writes rejected because the list was full.", &m.rejectedFull),
		c("expired_total", "Watch-list entries deleted after their TTL.", &m.expired),
		c("replicated_total", "Watch-list ops read from the bus and applied.", &m.replicated),
		c("bad_ops_total", "Records of the bus's watch-list topic that did not decode (skipped).", &m.badOps),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "vigil", Subsystem: "watchlist", Name: "entries",
			Help: "Watch-list entries held, all tenants."}, func() float64 { return float64(s.count()) }),
	)
	return m
}
