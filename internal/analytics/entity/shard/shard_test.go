package shard

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const (
	topic      = "vigil.entities"
	stateTopic = "vigil.entity-state"
	partitions = 4
)

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

// wall is the engines' clock: the events happen before it.
var wall = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func options(t testing.TB) entity.Options {
	cfg := config.Analytics{Risk: config.Risk{Threshold: 40}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return entity.Options{Config: cfg, Logger: quiet(), Now: func() time.Time { return wall }}
}

// collected keeps the alerts written, by id.
type collected struct {
	mu  sync.Mutex
	ids map[string]int
}

func (c *collected) WriteAlerts(_ context.Context, as []alert.Alert) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ids == nil {
		c.ids = map[string]int{}
	}
	for _, a := range as {
		c.ids[a.RuleID+" "+a.ID]++
	}
	return nil
}

func (c *collected) distinct() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for id := range c.ids {
		out = append(out, id)
	}
	slices.Sort(out)
	return out
}

// logins are 14 days of office logins of six users from Stockholm, each
// on one of three hosts (the events topic would spread them over
// partitions by host), then two logins of kato 20 minutes apart from
// Beijing and New York, and one of each other user from New York.
func logins() []*event.Event {
	day0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	users := []string{"anna", "bjorn", "cecilia", "david", "eva", "kato"}
	n := 0
	login := func(user string, at time.Time, ip, country string, lat, lon float64) *event.Event {
		n++
		e := &event.Event{Timestamp: at, Tenant: "acme", ID: fmt.Sprintf("ev-%d", n)}
		e.SetString("event.category", "authentication")
		e.SetString("event.outcome", "success")
		e.SetString("user.name", user)
		e.SetString("host.name", fmt.Sprintf("vpn0%d", n%3))
		e.Set("source.ip", event.IP(netip.MustParseAddr(ip)))
		e.SetString("source.geo.country_iso_code", country)
		e.Set("source.geo.location.lat", event.Float(lat))
		e.Set("source.geo.location.lon", event.Float(lon))
		return e
	}
	var out []*event.Event
	for d := range 14 {
		for i, u := range users {
			out = append(out, login(u, day0.AddDate(0, 0, d).Add(time.Duration(8+i%3)*time.Hour), "10.1.0.1", "SE", 59.33, 18.06))
		}
	}
	at := day0.AddDate(0, 0, 14).Add(3 * time.Hour)
	out = append(out, login("kato", at, "203.0.113.9", "CN", 39.9, 116.4),
		login("kato", at.Add(20*time.Minute), "198.51.100.7", "US", 40.71, -74.01))
	for i, u := range users[:len(users)-1] {
		out = append(out, login(u, at, fmt.Sprintf("203.0.113.%d", 10+i), "US", 40.71, -74.01))
	}
	return out
}

// late is how many of logins' last events depend on what was learned
// before them: the first login from a new country of each user (kato's
// second far login, 20 minutes after the first: impossible travel).
const late = 6

// ruleAlert is a rule's critical alert on david: its risk crosses the
// threshold of david's entity.
func ruleAlert() alert.Alert {
	at := time.Date(2026, 11, 16, 4, 0, 0, 0, time.UTC)
	return alert.Alert{ID: "rule-1", Tenant: "acme", RuleID: "r1", Title: "bad", Level: "critical", First: at, Last: at,
		Entities: alert.Entities{Users: []string{"David"}}}
}

// want is what one engine given every event and the rule's alert raises.
func want(t *testing.T, evs []*event.Event) []string {
	var c collected
	e, err := entity.New(options(t), &c)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Write(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	if err := c.WriteAlerts(context.Background(), e.AddAlerts([]alert.Alert{ruleAlert()})); err != nil {
		t.Fatal(err)
	}
	return c.distinct()
}

func newCluster(t testing.TB) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, topic, stateTopic),
		kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// produce routes events and alerts as a detect node does.
func produce(t *testing.T, brokers []string, evs []*event.Event, as []alert.Alert) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	re, err := entity.New(options(t), alert.SinkFunc(func(context.Context, []alert.Alert) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	r := NewRouter(topic, re)
	recs, err := r.Events(nil, evs)
	if err != nil {
		t.Fatal(err)
	}
	if recs, err = r.Alerts(recs, as); err != nil {
		t.Fatal(err)
	}
	if err := cl.ProduceSync(context.Background(), recs...).FirstErr(); err != nil {
		t.Fatal(err)
	}
}

func ownerConfig(brokers []string, opts entity.Options, out alert.Sink) Config {
	return Config{Brokers: brokers, Topic: topic, StateTopic: stateTopic, Group: "analytics", Analytics: opts, Out: out,
		// a state record every 7 records of a partition: take-overs
		// replay some records and restore the rest
		// (and at least every 100ms, which writes the peer counts'
		// outbox: it waits for the state's schedule)
		SnapshotEvery: 7, SnapshotInterval: 100 * time.Millisecond, Logger: quiet(),
		Opts: []kgo.Opt{kgo.SessionTimeout(time.Second), kgo.HeartbeatInterval(100 * time.Millisecond),
			kgo.RebalanceTimeout(5 * time.Second)}}
}

// start runs an owner until stop is called or the test ends.
func start(t *testing.T, cfg Config) (o *Owner, stop func()) {
	t.Helper()
	o, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o, testutil.Go(t, o.Run)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !testutil.Poll(testutil.WaitTimeout, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// TestShardedAnalyticsExact: two owners share the entity partitions; the
// user's logins, whichever host they were on, reach one engine, which
// raises the travel, new-country and risk alerts one engine given every
// event raises, with the same ids. One owner leaves half-way: the other
// takes its partitions over with their state and raises nothing twice.
func TestShardedAnalyticsExact(t *testing.T) {
	evs := logins()
	wantIDs := want(t, evs)
	if !slices.ContainsFunc(wantIDs, func(s string) bool {
		return s[:len(entity.RuleIDPrefix+"user_impossible")] == entity.RuleIDPrefix+"user_impossible"
	}) {
		t.Fatalf("no travel alert from one engine: %v", wantIDs)
	}
	c := newCluster(t)
	var got collected
	cfg := ownerConfig(c.ListenAddrs(), options(t), &got)
	a, stopA := start(t, cfg)
	b, _ := start(t, cfg)
	waitFor(t, "both owners own partitions", func() bool { return len(a.Owned()) > 0 && len(b.Owned()) > 0 })

	half := len(evs) - late // kato's first far login, but not the second
	produce(t, c.ListenAddrs(), evs[:half], nil)
	waitFor(t, "the first half learned", func() bool {
		var n int64
		for _, off := range a.Owned() {
			n += off
		}
		for _, off := range b.Owned() {
			n += off
		}
		return n >= int64(half)
	})
	stopA()
	waitFor(t, "b owns every partition", func() bool { return len(b.Owned()) == partitions })
	produce(t, c.ListenAddrs(), evs[half:], []alert.Alert{ruleAlert()})
	waitFor(t, "the alerts of one engine", func() bool { return slices.Equal(got.distinct(), wantIDs) })

}
