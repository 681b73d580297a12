package entity

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// collector keeps the alerts written to it.
type collector struct {
	mu     sync.Mutex
	alerts []alert.Alert
}

func (c *collector) WriteAlerts(_ context.Context, as []alert.Alert) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.alerts = append(c.alerts, as...)
	return nil
}

func (c *collector) byRule(rule string) []alert.Alert {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []alert.Alert
	for _, a := range c.alerts {
		if a.RuleID == RuleIDPrefix+rule {
			out = append(out, a)
		}
	}
	return out
}

func (c *collector) reset() {
	c.mu.Lock()
	c.alerts = nil
	c.mu.Unlock()
}

// newEngine starts an engine with cfg (its defaults filled) writing to a collector.
func newEngine(t testing.TB, cfg config.Analytics, dir string) (*Engine, *collector) {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	c := &collector{}
	wall := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // replays happen in the past
	e, err := New(Options{Config: cfg, Dir: dir, Logger: quiet, Now: func() time.Time { return wall }}, c)
	if err != nil {
		t.Fatal(err)
	}
	return e, c
}

type place struct {
	country  string
	lat, lon float64
}

var (
	stockholm  = place{"SE", 59.33, 18.06}
	gothenburg = place{"SE", 57.71, 11.97}
	beijing    = place{"CN", 39.90, 116.40}
	newYork    = place{"US", 40.71, -74.01}
)

var seq atomic.Int64

// login is a successful login of user from ip at p.
func login(user string, at time.Time, ip string, p place) *event.Event {
	n := seq.Add(1)
	e := &event.Event{Timestamp: at, Tenant: "acme", ID: fmt.Sprintf("ev-%s-%d", user, n)}
	e.SetString("event.category", "authentication")
	e.SetString("event.outcome", "success")
	e.SetString("user.name", user)
	e.Set("source.ip", event.IP(netip.MustParseAddr(ip)))
	e.SetString("source.geo.country_iso_code", p.country)
	e.Set("source.geo.location.lat", event.Float(p.lat))
	e.Set("source.geo.location.lon", event.Float(p.lon))
	e.SetString("host.name", "vpn01")
	return e
}

func write(t testing.TB, e *Engine, evs ...*event.Event) {
	t.Helper()
	if err := e.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

// day0 is a Monday.
var day0 = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)

// officeHistory logs each user in twice a working day for days days, at
// the user's own hours, from the user's own address in Sweden.
func officeHistory(t testing.TB, e *Engine, users []string, days int) {
	t.Helper()
	for d := 0; d < days; d++ {
		date := day0.AddDate(0, 0, d)
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			continue
		}
		var batch []*event.Event
		for i, u := range users {
			h := 8 + i%3
			batch = append(batch, login(u, date.Add(time.Duration(h)*time.Hour+time.Duration(7*i%50)*time.Minute), fmt.Sprintf("10.1.0.%d", i+1), stockholm))
			batch = append(batch, login(u, date.Add(time.Duration(h+5)*time.Hour+time.Duration(11*i%50)*time.Minute), fmt.Sprintf("10.1.0.%d", i+1), stockholm))
		}
		write(t, e, batch...)
	}
}

func reasons(as []alert.Alert) string {
	var b strings.Builder
	for _, a := range as {
		r := ""
		if a.Analytic != nil {
			r = a.Analytic.Reason
		}
		fmt.Fprintf(&b, "\n  %s %v: %s", a.RuleID, a.Entities.Users, r)
	}
	return b.String()
}
