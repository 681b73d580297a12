package shard

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestKilledEntityOwner: an owner killed -9 (a child process) after
// learning the first half loses nothing: the survivor restores the state
// records the victim wrote (one every 7 records of a partition) and
// replays the records after them, and the alerts of both are the alerts
// and ids one engine given every event raises, rarity's peer counts
// (host_rare_process) included.
func TestKilledEntityOwner(t *testing.T) {
	// the process runs first: their peer counts pass through the owners
	// of their values (outboxes) before and across the kill
	evs := append(processRuns(), logins()...)
	wantIDs := want(t, evs)
	c := newCluster(t)
	brokers := c.ListenAddrs()

	var got collected
	cmd, out := testutil.StartChild(t, "TestHelperEntityOwner", "VIGIL_ENTITY_HELPER_BROKERS="+strings.Join(brokers, ","))
	var mu sync.Mutex
	victim := map[int32]int64{} // partition → next offset, as the victim last reported
	victimDone := make(chan struct{})
	go func() {
		defer close(victimDone)
		sc := bufio.NewScanner(out)
		tick := map[int32]int64{}
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			switch {
			case len(f) == 3 && f[0] == "A":
				_ = got.WriteAlerts(context.Background(), []alert.Alert{{RuleID: f[1], ID: f[2]}})
			case len(f) == 3 && f[0] == "O":
				p, _ := strconv.Atoi(f[1])
				next, _ := strconv.ParseInt(f[2], 10, 64)
				tick[int32(p)] = next
			case len(f) == 1 && f[0] == "T":
				mu.Lock()
				victim, tick = tick, map[int32]int64{}
				mu.Unlock()
			}
		}
	}()
	learned := func() (n int64, parts int) {
		mu.Lock()
		defer mu.Unlock()
		for _, next := range victim {
			n += next
		}
		return n, len(victim)
	}
	waitFor(t, "the victim owns partitions", func() bool { _, n := learned(); return n > 0 })
	survivor, _ := start(t, ownerConfig(brokers, options(t), &got))
	waitFor(t, "the survivor owns partitions", func() bool { return len(survivor.Owned()) > 0 })

	half := len(evs) - late
	produce(t, brokers, evs[:half], nil)
	waitFor(t, "the first half learned", func() bool {
		n, _ := learned()
		for _, next := range survivor.Owned() {
			n += next
		}
		return n >= int64(half)
	})
	if n, parts := learned(); n == 0 || parts == 0 {
		t.Fatalf("the victim owns %d partitions and learned %d records of them: nothing to take over", parts, n)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-victimDone
	produce(t, brokers, evs[half:], []alert.Alert{ruleAlert()})
	waitFor(t, "the alerts of one engine", func() bool { return slices.Equal(got.distinct(), wantIDs) })
	if n := len(survivor.Owned()); n != partitions {
		t.Fatalf("the survivor owns %d partitions, want %d", n, partitions)
	}
}

// TestHelperEntityOwner is the victim of TestKilledEntityOwner, run as a
// child process so that it can be killed with SIGKILL. It writes "A rule
// id" per alert and "O partition next" for its partitions.
func TestHelperEntityOwner(t *testing.T) {
	brokers := os.Getenv("VIGIL_ENTITY_HELPER_BROKERS")
	if brokers == "" {
		t.Skip("run by TestKilledEntityOwner")
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	cfg := ownerConfig(strings.Split(brokers, ","), options(t), alert.SinkFunc(func(_ context.Context, as []alert.Alert) error {
		mu.Lock()
		defer mu.Unlock()
		for _, a := range as {
			fmt.Fprintf(w, "A %s %s\n", a.RuleID, a.ID)
		}
		return w.Flush()
	}))
	o, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		// the parent reads ownership and progress from these lines
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			// Owned before mu: Run holds the owner's lock while it writes
			// alerts, which take mu
			owned := o.Owned()
			mu.Lock()
			for p, next := range owned {
				fmt.Fprintf(w, "O %d %d\n", p, next)
			}
			fmt.Fprintln(w, "T")
			w.Flush()
			mu.Unlock()
		}
	}()
	_ = o.Run(context.Background()) // until killed
}
