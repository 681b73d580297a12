package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// travelRuleID is the built-in impossible travel analytic's rule id.
const travelRuleID = "vigil-analytics:user_impossible_travel"

// TestBusShardedEntityAnalytics is issue 17's "analytics baselines keyed
// by entity" through the real binary: a kfake broker, one ingest node and
// two detect nodes. Each of 10 users logs in from Stockholm on one host,
// then from Beijing 20 minutes later on another: the events topic is
// keyed by host, so the two logins of a user are in different partitions,
// often read by different detect nodes. Only an engine that sees both
// logins of a user raises the impossible-travel alert. One detect node is
// killed -9 after the first logins were learned: the survivor takes its
// entity partitions over (state and log) and raises exactly one travel
// alert per user on <P>.alerts.
func TestBusShardedEntityAnalytics(t *testing.T) {
	const users = 10
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	addr := broker.ListenAddrs()[0]
	cfg := fmt.Sprintf("bus:\n  kafka: {brokers: [%q], topic_prefix: ueba, partitions: 4}\n", addr)
	in := startVigil(t, cfg, "--role", "ingest")
	da := startVigil(t, cfg, "--role", "detect")
	db := startVigil(t, cfg, "--role", "detect")
	logs := func() string {
		return fmt.Sprintf("ingest:\n%s\ndetect A:\n%s\ndetect B:\n%s", in.log, da.log, db.log)
	}
	for _, g := range []string{"ueba.detect", "ueba.analytics"} {
		var members int
		if !testutil.Poll(testutil.WaitTimeout, func() bool { members = stableMembers(t, addr, g); return members == 2 }) {
			t.Fatalf("group %s has %d stable members, want 2\n%s", g, members, logs())
		}
	}
	alerts := watchAlerts(t, addr, "ueba.alerts")

	t0 := time.Now().UTC().Add(-2 * time.Hour).Truncate(time.Second)
	logins := func(at time.Time, host, ip, country string, lat, lon float64) []byte {
		var b strings.Builder
		for u := range users {
			fmt.Fprintf(&b, `{"@timestamp":%q,"event":{"category":"authentication","outcome":"success","action":"ssh-login"},`+
				`"user":{"name":"user%d"},"host":{"name":"%s-%d"},"source":{"ip":"%s.%d","geo":{"country_iso_code":%q,"location":{"lat":%v,"lon":%v}}},`+
				`"message":"Accepted publickey for user%d"}`+"\n", at.Format(time.RFC3339), u, host, u, ip, 10+u, country, lat, lon, u)
		}
		return []byte(b.String())
	}
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", logins(t0, "vpn", "10.1.0", "SE", 59.33, 18.06)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	// Both nodes own entity partitions, and together have learned every
	// first login (one entity record per login: its user).
	var learned int64
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		a, b := analyticsPartitions(t, da), analyticsPartitions(t, db)
		learned = 0
		for _, m := range []map[string]int64{a, b} {
			for _, off := range m {
				learned += off
			}
		}
		return len(a) > 0 && len(b) > 0 && learned >= users
	}) {
		t.Fatalf("the detect nodes learned %d of %d first logins\n%s", learned, users, logs())
	}
	t.Logf("first logins learned; killing detect B (-9)")
	db.kill()
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "",
		logins(t0.Add(20*time.Minute), "web", "203.0.113", "CN", 39.9, 116.4)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	var byUser map[string][]string
	if !testutil.Poll(2*testutil.WaitTimeout, func() bool { byUser = alerts.travelByUser(); return len(byUser) >= users }) {
		t.Fatalf("travel alerts for %d users, want %d: %v\n%s", len(byUser), users, byUser, logs())
	}
	for u := range users {
		if ids := byUser[fmt.Sprintf("user%d", u)]; len(ids) != 1 {
			t.Errorf("user%d has %d travel alerts %v, want 1", u, len(ids), ids)
		}
	}
	var owned map[string]int64
	if !testutil.Poll(testutil.WaitTimeout, func() bool { owned = analyticsPartitions(t, da); return len(owned) == 4 }) {
		t.Errorf("detect A owns entity partitions %v, want all 4", owned)
	}
	// the survivor's counters are those of its partitions' engines
	var health struct {
		Analytics struct {
			Entities  int   `json:"entities"`
			Anomalies int64 `json:"anomalies"`
		} `json:"analytics"`
	}
	getJSON(t, da.url("/api/v1/health"), &health)
	if health.Analytics.Entities < users || health.Analytics.Anomalies < users {
		t.Errorf("detect A's analytics: %+v; want the %d users and their travel anomalies at least", health.Analytics, users)
	}
}

// analyticsPartitions are the entity partitions a detect node owns, with
// the first offset of each not yet learned from (its health).
func analyticsPartitions(t *testing.T, v *vigil) map[string]int64 {
	t.Helper()
	var health struct {
		Partitions map[string]int64 `json:"analytics_partitions"`
	}
	getJSON(t, v.url("/api/v1/health"), &health)
	return health.Partitions
}

// alertWatch reads an alerts topic and keeps the distinct alert ids.
type alertWatch struct {
	mu     sync.Mutex
	travel map[string]map[string]bool // user → alert ids
}

// watchAlerts reads topic from its start until the test ends.
func watchAlerts(t *testing.T, addr, topic string) *alertWatch {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	if err != nil {
		t.Fatal(err)
	}
	w := &alertWatch{travel: map[string]map[string]bool{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
				var a alert.Alert
				if json.Unmarshal(r.Value, &a) != nil || a.RuleID != travelRuleID || a.Analytic == nil {
					return
				}
				w.mu.Lock()
				if w.travel[a.Analytic.Entity] == nil {
					w.travel[a.Analytic.Entity] = map[string]bool{}
				}
				w.travel[a.Analytic.Entity][a.ID] = true
				w.mu.Unlock()
			})
		}
	}()
	t.Cleanup(func() { cancel(); <-done; cl.Close() })
	return w
}

func (w *alertWatch) travelByUser() map[string][]string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string][]string{}
	for u, ids := range w.travel {
		for id := range ids {
			out[u] = append(out[u], id)
		}
	}
	return out
}
