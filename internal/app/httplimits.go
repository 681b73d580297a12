package app

import (
	"fmt"
	"net"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vigilsiem/vigil/internal/netlimit"
)

// limitHTTP caps the API listener's connections (http.limits): in total
// and per client address, counted in vigil_http_connections_open and
// vigil_http_connections_refused_total{reason}.
func (a *App) limitHTTP(ln net.Listener) (net.Listener, error) {
	lim := a.cfg.HTTP.Limits
	l := netlimit.NewListener(ln, netlimit.Limits{Max: lim.MaxConnections, PerPeer: lim.MaxConnectionsPerPeer})
	refused := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vigil_http_connections_refused_total",
		Help: "HTTP connections closed at accept over http.limits, by cap: listener or peer."}, []string{"reason"})
	open := prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "vigil_http_connections_open", Help: "Open HTTP connections."},
		func() float64 { return float64(l.Open()) })
	for _, c := range []prometheus.Collector{refused, open} {
		if err := a.reg.Register(c); err != nil {
			return nil, fmt.Errorf("http listener: metrics: %w", err)
		}
	}
	l.Refused = func(reason string, peer net.Addr) {
		refused.WithLabelValues(reason).Inc()
		a.log.Debug("http connection refused", "cap", reason, "peer", peer.String())
	}
	return l, nil
}
