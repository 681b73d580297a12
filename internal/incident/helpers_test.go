package incident_test

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store/incidents"
)

var t0 = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

func openDB(tb testing.TB) *sql.DB {
	tb.Helper()
	c, err := duckdb.NewConnector("?autoinstall_known_extensions=false&autoload_known_extensions=false", nil)
	if err != nil {
		tb.Fatal(err)
	}
	db := sql.OpenDB(c)
	tb.Cleanup(func() { db.Close() })
	return db
}

func openStore(tb testing.TB, db *sql.DB) *incidents.Store {
	tb.Helper()
	st, err := incidents.Open(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

// clock is a wall clock that moves a second per reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func newManager(tb testing.TB, st incident.Store, cfg incident.Config) *incident.Manager {
	tb.Helper()
	if cfg.Now == nil {
		c := &clock{t: t0.Add(24 * time.Hour)}
		cfg.Now = c.now
	}
	m, err := incident.New(context.Background(), st, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// al makes an alert: at is minutes after t0, ents is a space-separated
// list of h:host u:user s:source-ip d:destination-ip.
func al(id, level string, at float64, ents string) alert.Alert {
	t := t0.Add(time.Duration(at * float64(time.Minute)))
	a := alert.Alert{ID: id, Tenant: "acme", RuleID: "rule-" + id, Title: "Rule " + id, Level: level, First: t, Last: t, Count: 1,
		EventIDs: []string{"ev-" + id}, Tags: []string{"attack.t1110"}, Status: alert.StatusOpen}
	for _, e := range strings.Fields(ents) {
		k, v, _ := strings.Cut(e, ":")
		switch k {
		case "h":
			a.Entities.Hosts = append(a.Entities.Hosts, v)
		case "u":
			a.Entities.Users = append(a.Entities.Users, v)
		case "s":
			a.Entities.SourceIPs = append(a.Entities.SourceIPs, v)
		case "d":
			a.Entities.DestinationIPs = append(a.Entities.DestinationIPs, v)
		case "t":
			a.Tenant = v
		default:
			panic("bad entity " + e)
		}
	}
	return a
}

// groups lists the alert ids of each incident of the tenants that is not
// merged, as sorted "a1,a2" strings, sorted.
func groups(tb testing.TB, m *incident.Manager, tenants ...string) []string {
	tb.Helper()
	if len(tenants) == 0 {
		tenants = []string{"acme"}
	}
	var out []string
	for _, tn := range tenants {
		list, _, err := m.List(context.Background(), incident.Filter{Tenant: tn, Limit: 10000})
		if err != nil {
			tb.Fatal(err)
		}
		for _, inc := range list {
			if inc.MergedInto != "" {
				continue
			}
			ids := append([]string(nil), inc.AlertIDs...)
			sort.Strings(ids)
			if len(ids) != inc.AlertCount {
				tb.Errorf("incident %s: %d alert ids, count %d", inc.ID, len(ids), inc.AlertCount)
			}
			out = append(out, strings.Join(ids, ","))
		}
	}
	sort.Strings(out)
	return out
}

func write(tb testing.TB, m *incident.Manager, as ...alert.Alert) {
	tb.Helper()
	if err := m.WriteAlerts(context.Background(), as); err != nil {
		tb.Fatal(err)
	}
}

// find returns the incident holding alert id.
func find(tb testing.TB, m *incident.Manager, tenant, alertID string) incident.Incident {
	tb.Helper()
	list, _, err := m.List(context.Background(), incident.Filter{Tenant: tenant, Limit: 10000})
	if err != nil {
		tb.Fatal(err)
	}
	for _, inc := range list {
		for _, id := range inc.AlertIDs {
			if id == alertID {
				return inc
			}
		}
	}
	tb.Fatalf("no incident holds alert %s", alertID)
	return incident.Incident{}
}

// notes records notices.
type notes struct {
	mu sync.Mutex
	ns []string
}

func (n *notes) NotifyIncidents(_ context.Context, ns []incident.Notice) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range ns {
		n.ns = append(n.ns, fmt.Sprintf("%s %s %s", x.Reason, x.Incident.Severity, strings.Join(x.Incident.AlertIDs, ",")))
	}
}

func (n *notes) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.ns
	n.ns = nil
	return out
}
