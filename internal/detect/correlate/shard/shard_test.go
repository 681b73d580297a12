package shard

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
	"github.com/vigilsiem/vigil/internal/detect/sigma"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const (
	hitTopic   = "vigil.correlation.hits"
	stateTopic = "vigil.correlation.state"
	partitions = 6
	scanners   = 10
	ports      = 25
)

// portScan: a probe is a connection refused; a port scan is 20 distinct
// ports from one source in 5 minutes, and a noisy source 10 probes
// (event_count: a hit counted twice would raise its count).
const portScan = `title: Probe
name: probe
logsource: {category: firewall}
detection: {s: {action: deny}, condition: s}
---
title: Port scan
name: port_scan
correlation:
  type: value_count
  rules: probe
  group-by: [src]
  timespan: 5m
  condition: {field: port, gte: 20}
---
title: Noisy source
name: noisy
correlation:
  type: event_count
  rules: probe
  group-by: [src]
  timespan: 5m
  condition: {gte: 10}
`

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func compileSet(t testing.TB) *correlate.Set { return compileRules(t, portScan) }

func compileRules(t testing.TB, docs string) *correlate.Set {
	t.Helper()
	rules, errs := sigma.Parse([]byte(docs))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var base, corrs []*sigma.Rule
	for _, r := range rules {
		if r.Correlation != nil {
			corrs = append(corrs, r)
		} else {
			base = append(base, r)
		}
	}
	set, errs := correlate.Compile(corrs, base)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return set
}

// scan is the hit stream: every scanner probes port i in turn, a second
// apart, across two tenants.
func scan() []correlate.Hit {
	var hits []correlate.Hit
	for i := 0; i < ports; i++ {
		for s := 0; s < scanners; s++ {
			n := i*scanners + s
			hits = append(hits, correlate.Hit{Rule: "probe", Tenant: "t" + strconv.Itoa(s%2),
				Time: t0.Add(time.Duration(n) * time.Second).UnixNano(), ID: "ev" + strconv.Itoa(n),
				Fields: []correlate.Field{{Name: "src", Value: "10.0.0." + strconv.Itoa(s)}, {Name: "port", Value: strconv.Itoa(1000 + i)}}})
		}
	}
	return hits
}

// alertView is the final state of one alert: its last firing.
type alertView struct {
	Corr, Tenant, Group string
	Value, Count        int64
	First, Last         int64
}

func viewOf(f correlate.Firing) alertView {
	var g []string
	for _, x := range f.Group {
		g = append(g, x.Name+"="+x.Value)
	}
	return alertView{Corr: f.Corr.Ref(), Tenant: f.Tenant, Group: strings.Join(g, ","), Value: f.Value, Count: f.Count,
		First: f.First.UnixNano(), Last: f.Last.UnixNano()}
}

// alerts collects the alerts of a cluster by id, as an alert store
// would: a firing with a known id updates that alert.
type alerts struct {
	mu sync.Mutex
	m  map[string]alertView
}

func (a *alerts) add(id string, v alertView) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.m == nil {
		a.m = map[string]alertView{}
	}
	a.m[id] = v
}

func (a *alerts) emit(_ int32, fs []correlate.Firing) {
	for _, f := range fs {
		a.add(f.ID, viewOf(f))
	}
}

func (a *alerts) snapshot() map[string]alertView {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]alertView, len(a.m))
	for k, v := range a.m {
		out[k] = v
	}
	return out
}

// single is what one engine makes of the hits.
func single(t testing.TB, set *correlate.Set, hits []correlate.Hit) map[string]alertView {
	e, _, err := correlate.New(correlate.Options{Logger: quiet()}, set)
	if err != nil {
		t.Fatal(err)
	}
	var a alerts
	a.emit(0, e.Process(hits))
	return a.snapshot()
}

func quiet() *slog.Logger { return slog.New(slog.DiscardHandler) }

func newCluster(t testing.TB) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(partitions, hitTopic, stateTopic),
		kfake.GroupMinSessionTimeout(500*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func newRouter(t testing.TB, brokers []string, set *correlate.Set) *Router {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...), kgo.RecordPartitioner(kgo.StickyKeyPartitioner(nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	r, err := NewRouter(cl, hitTopic, set)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ownerConfig(brokers []string, set *correlate.Set, emit func(int32, []correlate.Firing)) Config {
	return Config{Brokers: brokers, HitTopic: hitTopic, StateTopic: stateTopic, Group: "detect", Set: set,
		// a state record every 7 hits of a partition: take-overs replay
		// some hits and restore the rest
		SnapshotEvery: 7, TickInterval: 50 * time.Millisecond, Emit: emit, Logger: quiet(),
		Opts: []kgo.Opt{kgo.SessionTimeout(time.Second), kgo.HeartbeatInterval(100 * time.Millisecond),
			kgo.RebalanceTimeout(5 * time.Second)}}
}

// startOwner runs an owner until the test ends.
func startOwner(t *testing.T, cfg Config) *Owner {
	t.Helper()
	o, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	testutil.Go(t, o.Run)
	return o
}

// waitOwns waits until o owns at least one partition.
func waitOwns(t *testing.T, o *Owner) {
	t.Helper()
	waitFor(t, "a member owns partitions", func() bool { return len(o.Owned()) > 0 })
}

func route(t testing.TB, r *Router, hits []correlate.Hit) {
	t.Helper()
	for len(hits) > 0 {
		n := min(len(hits), 25)
		if _, err := r.Route(context.Background(), hits[:n]); err != nil {
			t.Fatal(err)
		}
		hits = hits[n:]
	}
}

// waitEqual waits until the cluster's alerts are want's.
func waitEqual(t *testing.T, what string, got func() map[string]alertView, want map[string]alertView) {
	t.Helper()
	var g map[string]alertView
	if !testutil.Poll(testutil.WaitTimeout, func() bool { g = got(); return reflect.DeepEqual(g, want) }) {
		t.Fatalf("%s: alerts\n  %v\nwant\n  %v", what, g, want)
	}
}

func countByCorr(m map[string]alertView) map[string]int {
	out := map[string]int{}
	for _, v := range m {
		out[v.Corr]++
	}
	return out
}

func TestGroupExact(t *testing.T) {
	set := compileSet(t)
	hits := scan()
	want := single(t, set, hits)
	if c := countByCorr(want); c["port_scan"] != scanners || c["noisy"] != scanners {
		t.Fatalf("one engine raises %v, want %d of each", c, scanners)
	}
	for _, members := range []int{2, 3} {
		t.Run(strconv.Itoa(members), func(t *testing.T) {
			c := newCluster(t)
			r := newRouter(t, c.ListenAddrs(), set)
			var got alerts
			// members join one by one, each after the slice of the stream
			// before it is counted, so partitions move (revoked with
			// their state) in the middle of the windows
			per := len(hits) / members
			for m := 0; m < members; m++ {
				waitOwns(t, startOwner(t, ownerConfig(c.ListenAddrs(), set, got.emit)))
				end := (m + 1) * per
				if m == members-1 {
					end = len(hits)
				}
				route(t, r, hits[m*per:end])
				waitEqual(t, fmt.Sprintf("%d of %d members, %d hits", m+1, members, end), got.snapshot, single(t, set, hits[:end]))
			}
		})
	}
}

// TestKilledOwner kills one of two members (SIGKILL: no commit, no
// leave, no state written) half-way through the scan; the survivor takes
// its partitions over and the alerts are exactly one engine's: 10 port
// scans, one per scanner.
func TestKilledOwner(t *testing.T) {
	set := compileSet(t)
	hits := scan()
	half := len(hits) / 2
	survivor := killedOwner(t, "", false, set, [][]correlate.Hit{hits[:half], hits[half:]})
	if n := len(survivor.Owned()); n != partitions {
		t.Fatalf("the survivor owns %d partitions, want %d", n, partitions)
	}
}

// killedOwner runs two members, one of them the child process
// TestHelperOwner over rules (its environment's VIGIL_SHARD_HELPER_RULES:
// "" the port scan, "chain" the chained rules), routes the slices of hits
// one after the other and kills the child (SIGKILL: no commit, no leave,
// no state written) after the first; after each slice the alerts must be
// one engine's. With blocked, the child blocks for good in the Emit of its
// first port_scan firing (after counting hits it never writes the state
// of, and with the chained hits of that firing not yet produced), and is
// killed there, during the first slice. It returns the survivor.
func killedOwner(t *testing.T, rules string, blocked bool, set *correlate.Set, slices [][]correlate.Hit) *Owner {
	c := newCluster(t)
	brokers := c.ListenAddrs()
	r := newRouter(t, brokers, set)

	var got alerts
	env := []string{"VIGIL_SHARD_HELPER_BROKERS=" + strings.Join(brokers, ","), "VIGIL_SHARD_HELPER_RULES=" + rules}
	if blocked {
		env = append(env, "VIGIL_SHARD_HELPER_BLOCK=port_scan")
	}
	cmd, out := testutil.StartChild(t, "TestHelperOwner", env...)
	victimDone := make(chan struct{})
	var victimOwned sync.Map
	go func() {
		defer close(victimDone)
		readHelper(out, &got, &victimOwned)
	}()
	// wait until the victim is in the group and owns partitions
	waitFor(t, "the victim owns partitions", func() bool {
		n := 0
		victimOwned.Range(func(_, _ any) bool { n++; return true })
		return n > 0
	})
	survivor := startOwner(t, ownerConfig(brokers, set, got.emit))
	waitOwns(t, survivor)
	var routed []correlate.Hit
	for i, hits := range slices {
		route(t, r, hits)
		routed = append(routed, hits...)
		kill := func() {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			<-victimDone
		}
		if i == 0 && blocked {
			waitFor(t, "the victim blocks in Emit", func() bool { _, ok := victimOwned.Load("blocked"); return ok })
			kill()
		}
		waitEqual(t, fmt.Sprintf("slice %d of %d", i+1, len(slices)), got.snapshot, single(t, set, routed))
		if i == 0 && !blocked {
			kill()
		}
	}
	return survivor
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	if !testutil.Poll(testutil.WaitTimeout, cond) {
		t.Fatalf("timed out waiting: %s", what)
	}
}

// readHelper reads the victim's lines: "F id corr tenant group value
// count first last" per firing, "O partition" per owned partition, "B"
// when it blocks (stored in owned as "blocked").
func readHelper(r io.Reader, got *alerts, owned *sync.Map) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) == 9 && f[0] == "F":
			num := func(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }
			got.add(f[1], alertView{Corr: f[2], Tenant: f[3], Group: f[4], Value: num(f[5]), Count: num(f[6]),
				First: num(f[7]), Last: num(f[8])})
		case len(f) == 2 && f[0] == "O":
			owned.Store(f[1], true)
		case len(f) == 1 && f[0] == "B":
			owned.Store("blocked", true)
		}
	}
}

// TestHelperOwner is the victim of TestKilledOwner, run as a child
// process so that it can be killed with SIGKILL.
func TestHelperOwner(t *testing.T) {
	brokers := os.Getenv("VIGIL_SHARD_HELPER_BROKERS")
	if brokers == "" {
		t.Skip("run by TestKilledOwner")
	}
	var mu sync.Mutex
	w := bufio.NewWriter(os.Stdout)
	set := compileSet(t)
	if os.Getenv("VIGIL_SHARD_HELPER_RULES") == "chain" {
		set = compileRules(t, chainRules)
	}
	block := os.Getenv("VIGIL_SHARD_HELPER_BLOCK")
	cfg := ownerConfig(strings.Split(brokers, ","), set, func(_ int32, fs []correlate.Firing) {
		mu.Lock()
		blocks := false
		for _, f := range fs {
			v := viewOf(f)
			fmt.Fprintf(w, "F %s %s %s %s %d %d %d %d\n", f.ID, v.Corr, v.Tenant, v.Group, v.Value, v.Count, v.First, v.Last)
			blocks = blocks || block != "" && v.Corr == block
		}
		if blocks {
			fmt.Fprintln(w, "B")
		}
		w.Flush()
		mu.Unlock()
		if blocks {
			select {} // until killed
		}
	})
	o, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		// The parent reads ownership from these lines; the owner has no
		// event for it, so it is looked at on a ticker.
		reported := map[int32]bool{}
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for range tick.C {
			for p := range o.Owned() {
				if !reported[p] {
					reported[p] = true
					mu.Lock()
					fmt.Fprintf(w, "O %d\n", p)
					w.Flush()
					mu.Unlock()
				}
			}
		}
	}()
	_ = o.Run(context.Background()) // until killed
}

// TestGracefulLeave: a member that leaves writes the state of its
// partitions on the way out, and the next member starts from it.
func TestGracefulLeave(t *testing.T) {
	set := compileSet(t)
	hits := scan()
	half := len(hits) / 2
	c := newCluster(t)
	r := newRouter(t, c.ListenAddrs(), set)
	var got alerts
	cfg := ownerConfig(c.ListenAddrs(), set, got.emit)
	cfg.SnapshotEvery, cfg.SnapshotInterval = 1<<30, time.Hour // only the leave writes state
	first, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = first.Run(ctx) }()
	waitOwns(t, first)
	route(t, r, hits[:half])
	waitEqual(t, "first half", got.snapshot, single(t, set, hits[:half]))
	cancel()
	<-done

	second := startOwner(t, cfg)
	waitOwns(t, second)
	for p := int32(0); p < partitions; p++ {
		end, err := stateEnd(c.ListenAddrs(), p)
		if err != nil {
			t.Fatal(err)
		}
		if end == 0 {
			t.Fatalf("no state written for partition %d at leave", p)
		}
	}
	waitFor(t, "the second member restores every partition", func() bool {
		owned := second.Owned()
		for p := int32(0); p < partitions; p++ {
			if owned[p] == 0 {
				return false
			}
		}
		return true
	})
	route(t, r, hits[half:])
	waitEqual(t, "after the leave", got.snapshot, single(t, set, hits))
}

// TestStateLeadsCommit: a member killed between writing a state record and
// committing leaves a commit behind its state; the next owner starts at
// the state's offset, not the commit's, and counts nothing twice. The
// commit is set back to 0 by hand to make that case. (Owner has two
// guards, the fetch offset set from the state and the skip of records
// below it; the test fails only when both are gone.)
func TestStateLeadsCommit(t *testing.T) {
	set := compileSet(t)
	hits := scan()
	half := len(hits) / 2
	c := newCluster(t)
	r := newRouter(t, c.ListenAddrs(), set)
	var got alerts
	cfg := ownerConfig(c.ListenAddrs(), set, got.emit)
	first, err := NewOwner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = first.Run(ctx) }()
	waitOwns(t, first)
	route(t, r, hits[:half])
	waitEqual(t, "first half", got.snapshot, single(t, set, hits[:half]))
	cancel()
	<-done

	// by topic name: before OffsetCommit v10 (topic ids)
	admin, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.MaxVersions(kversion.V3_5_0()))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = cfg.Group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = hitTopic
	for p := int32(0); p < partitions; p++ {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset, rp.LeaderEpoch = p, 0, -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range resp.Topics {
		for _, rp := range rt.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				t.Fatalf("reset the commit of partition %d: %v", rp.Partition, err)
			}
		}
	}

	waitOwns(t, startOwner(t, cfg))
	route(t, r, hits[half:])
	waitEqual(t, "after the take-over", got.snapshot, single(t, set, hits))
}

// stateEnd is the end offset of state partition p.
func stateEnd(brokers []string, p int32) (int64, error) {
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		return 0, err
	}
	defer cl.Close()
	req := kmsg.NewPtrListOffsetsRequest()
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = stateTopic
	rp := kmsg.NewListOffsetsRequestTopicPartition()
	rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = p, -1, -1
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		return 0, err
	}
	for _, t := range resp.Topics {
		for _, rp := range t.Partitions {
			if rp.Partition == p {
				return rp.Offset, kerr.ErrorForCode(rp.ErrorCode)
			}
		}
	}
	return 0, fmt.Errorf("state partition %d not listed", p)
}
