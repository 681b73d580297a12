package shard

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"

	"github.com/vigilsiem/vigil/internal/analytics/entity"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// processRuns are 9 days of hosts h0..h7 running svchost.exe daily (the
// built-in host_rare_process learns 7 days), then each host in turn
// running tool.exe on day 9: to one engine the first two hosts run it
// with fewer than min_peers (2) other hosts, the rest do not.
func processRuns() []*event.Event {
	day0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	n := 0
	run := func(host, proc string, at time.Time) *event.Event {
		n++
		e := &event.Event{Timestamp: at, Tenant: "acme", ID: fmt.Sprintf("pr-%d", n)}
		e.SetString("event.category", "process")
		e.SetString("host.name", host)
		e.SetString("process.name", proc)
		e.SetString("process.executable", `C:\Windows\`+proc)
		return e
	}
	var out []*event.Event
	for d := range 9 {
		for h := range 8 {
			out = append(out, run(fmt.Sprintf("h%d", h), "svchost.exe", day0.AddDate(0, 0, d).Add(time.Duration(8+h)*time.Hour)))
		}
	}
	for h := range 8 {
		out = append(out, run(fmt.Sprintf("h%d", h), "tool.exe", day0.AddDate(0, 0, 9).Add(time.Duration(h)*time.Minute)))
	}
	return out
}

// TestShardedPeersExact: rarity's peer counts (min_peers) sharded by
// entity are those of one engine given every event: tool.exe, run by 8
// hosts spread over the partitions, raises host_rare_process alerts for
// the first two hosts only, with the ids one engine gives them, whichever
// of two owners owns the hosts and the value.
func TestShardedPeersExact(t *testing.T) {
	evs := processRuns()
	wantIDs := want(t, evs)
	rare := 0
	for _, id := range wantIDs {
		if strings.HasPrefix(id, entity.RuleIDPrefix+"host_rare_process ") {
			rare++
		}
	}
	if rare != 2 {
		t.Fatalf("one engine raises %d host_rare_process alerts, want 2: %v", rare, wantIDs)
	}
	c := newCluster(t)
	var got collected
	cfg := ownerConfig(c.ListenAddrs(), options(t), &got)
	a, _ := start(t, cfg)
	b, _ := start(t, cfg)
	waitFor(t, "both owners own partitions", func() bool { return len(a.Owned()) > 0 && len(b.Owned()) > 0 })
	produce(t, c.ListenAddrs(), evs, []alert.Alert{ruleAlert()}) // want adds it
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return slices.Equal(got.distinct(), wantIDs) }) {
		t.Fatalf("sharded alerts\n%s\nwant (one engine)\n%s", strings.Join(got.distinct(), "\n"), strings.Join(wantIDs, "\n"))
	}
}
