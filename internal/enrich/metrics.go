package enrich

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics exported by Register:
//
//	vigil_intel_indicators                 indicators in the index
//	vigil_intel_feed_indicators{feed}      indicators each feed last loaded
//	vigil_intel_feed_up{feed}              1 when the feed's last load succeeded
//	vigil_intel_matches_total              indicator matches recorded in events
//	vigil_intel_matched_events_total       events with at least one match
//	vigil_assets_hosts, vigil_assets_users inventory sizes
type collector struct {
	s                                    *Set
	indicators, feedIndicators, feedUp   *prometheus.Desc
	matches, matchedEvents, hosts, users *prometheus.Desc
}

// Register adds the enrichers' metrics to reg.
func (s *Set) Register(reg prometheus.Registerer) error {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("vigil_"+name, help, labels, nil)
	}
	return reg.Register(&collector{s: s,
		indicators:     d("intel_indicators", "Threat-intelligence indicators in the index."),
		feedIndicators: d("intel_feed_indicators", "Indicators a feed last loaded.", "feed"),
		feedUp:         d("intel_feed_up", "1 when the feed's last load succeeded, 0 when it failed (its previous indicators stay).", "feed"),
		matches:        d("intel_matches_total", "Indicator matches recorded in events."),
		matchedEvents:  d("intel_matched_events_total", "Events with at least one indicator match."),
		hosts:          d("assets_hosts", "Hosts in the asset inventory."),
		users:          d("assets_users", "Users in the identity inventory."),
	})
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.indicators, c.feedIndicators, c.feedUp, c.matches, c.matchedEvents, c.hosts, c.users} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	if x := c.s.Intel; x != nil {
		ch <- prometheus.MustNewConstMetric(c.indicators, prometheus.GaugeValue, float64(x.Index().Len()))
		for _, st := range x.Status() {
			up := 1.0
			if st.Err != nil {
				up = 0
			}
			ch <- prometheus.MustNewConstMetric(c.feedIndicators, prometheus.GaugeValue, float64(st.Indicators), st.Name)
			ch <- prometheus.MustNewConstMetric(c.feedUp, prometheus.GaugeValue, up, st.Name)
		}
		m, ev := x.Matches()
		ch <- prometheus.MustNewConstMetric(c.matches, prometheus.CounterValue, float64(m))
		ch <- prometheus.MustNewConstMetric(c.matchedEvents, prometheus.CounterValue, float64(ev))
	}
	if a := c.s.Assets; a != nil {
		inv := a.Inventory()
		ch <- prometheus.MustNewConstMetric(c.hosts, prometheus.GaugeValue, float64(inv.Hosts()))
		ch <- prometheus.MustNewConstMetric(c.users, prometheus.GaugeValue, float64(inv.Users()))
	}
}
