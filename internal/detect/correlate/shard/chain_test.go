package shard

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/detect/correlate"
)

// chainRules: a port scan counts per (source, destination); two of them
// from one source within the hour are a multi-target scan (event_count:
// a chained hit counted twice raises its count), and a scan followed by
// an exploit from the same source is a scan then exploit. The outer
// correlations group by the source alone, so a scan's firing is routed
// to another key, mostly owned by another partition.
const chainRules = `title: Probe
name: probe
logsource: {category: firewall}
detection: {s: {action: deny}, condition: s}
---
title: Exploit
name: exploit
logsource: {category: webserver}
detection: {s: {action: exploit}, condition: s}
---
title: Port scan
name: port_scan
correlation:
  type: value_count
  rules: probe
  group-by: [src, dst]
  timespan: 5m
  condition: {field: port, gte: 20}
---
title: Multi-target scan
name: multi_scan
correlation:
  type: event_count
  rules: port_scan
  group-by: [src]
  timespan: 1h
  condition: {gte: 2}
---
title: Scan then exploit
name: scan_then_exploit
correlation:
  type: temporal_ordered
  rules: [port_scan, exploit]
  group-by: [src]
  timespan: 1h
`

// chainScan is every scanner probing port i of two destinations in turn,
// 100 ms apart, across two tenants; then (exploits) one exploit from each
// scanner.
func chainScan() (probes, exploits []correlate.Hit) {
	n := 0
	for i := 0; i < ports; i++ {
		for s := 0; s < scanners; s++ {
			for d := 1; d <= 2; d++ {
				probes = append(probes, correlate.Hit{Rule: "probe", Tenant: "t" + strconv.Itoa(s%2),
					Time: t0.Add(time.Duration(n) * 100 * time.Millisecond).UnixNano(), ID: "ev" + strconv.Itoa(n),
					Fields: []correlate.Field{{Name: "src", Value: "10.0.0." + strconv.Itoa(s)},
						{Name: "dst", Value: "10.1.0." + strconv.Itoa(d)}, {Name: "port", Value: strconv.Itoa(1000 + i)}}})
				n++
			}
		}
	}
	for s := 0; s < scanners; s++ {
		exploits = append(exploits, correlate.Hit{Rule: "exploit", Tenant: "t" + strconv.Itoa(s%2),
			Time: t0.Add(time.Minute + time.Duration(s)*time.Second).UnixNano(), ID: "x" + strconv.Itoa(s),
			Fields: []correlate.Field{{Name: "src", Value: "10.0.0." + strconv.Itoa(s)}}})
	}
	return probes, exploits
}

func TestChainSingleEngine(t *testing.T) {
	probes, exploits := chainScan()
	want := single(t, compileRules(t, chainRules), append(probes, exploits...))
	if c := countByCorr(want); c["port_scan"] != 2*scanners || c["multi_scan"] != scanners || c["scan_then_exploit"] != scanners {
		t.Fatalf("one engine raises %v, want %d port scans, %d multi-target scans and %d scans then exploits",
			c, 2*scanners, scanners, scanners)
	}
}

// TestChainExact: the chained correlations of two members fire as one
// engine's, each firing of an inner correlation routed once to the owner
// of its outer key, with members joining in the middle of the windows.
func TestChainExact(t *testing.T) {
	set := compileRules(t, chainRules)
	probes, exploits := chainScan()
	c := newCluster(t)
	r := newRouter(t, c.ListenAddrs(), set)
	var got alerts
	waitOwns(t, startOwner(t, ownerConfig(c.ListenAddrs(), set, got.emit)))
	half := len(probes) / 2
	route(t, r, probes[:half])
	waitEqual(t, "first half of the probes, one member", got.snapshot, single(t, set, probes[:half]))
	waitOwns(t, startOwner(t, ownerConfig(c.ListenAddrs(), set, got.emit)))
	route(t, r, probes[half:])
	waitEqual(t, "the probes, two members", got.snapshot, single(t, set, probes))
	route(t, r, exploits)
	all := append(append([]correlate.Hit(nil), probes...), exploits...)
	waitEqual(t, "probes and exploits, two members", got.snapshot, single(t, set, all))
	if c := countByCorr(got.snapshot()); c["multi_scan"] != scanners || c["scan_then_exploit"] != scanners {
		t.Fatalf("chained alerts %v, want %d of each", c, scanners)
	}
}

// TestChainKilledOwner: one of two members is killed (SIGKILL) after
// the inner correlations fired; the survivor replays the victim's
// partitions from their last states, and the outer correlations still
// count each inner firing once.
func TestChainKilledOwner(t *testing.T) {
	set := compileRules(t, chainRules)
	probes, exploits := chainScan()
	cut := len(probes) * 9 / 10 // after every port scan fired
	killedOwner(t, "chain", false, set, [][]correlate.Hit{probes[:cut], probes[cut:], exploits})
}

// TestChainKilledBeforeState: the victim is killed right after a port
// scan fired on it (blocked in Emit), before the state holding that
// firing, and its chained hits, are written: the survivor replays the
// hits and routes the chained hits once (a member that produced them at
// once, outside the state's transaction, would have them routed twice).
func TestChainKilledBeforeState(t *testing.T) {
	set := compileRules(t, chainRules)
	probes, exploits := chainScan()
	killedOwner(t, "chain", true, set, [][]correlate.Hit{probes, exploits})
}

// TestZombieOwnerFenced: a member paused (here: blocked in Emit) past its
// rebalance timeout loses its partitions to the other member without
// knowing it. When it resumes, its state transactions are refused
// (fenced: the new owner initialised each partition's transactional id
// before reading its state), so no state record and no chained hit of the
// zombie reaches the bus after the take-over, and the alerts stay one
// engine's. With the port scan rules the new owner writes no state of its
// own after the take-over (no chained hits), so only the fence at take-over
// stops the zombie; with the chained rules the zombie holds chained hits
// the new owner routes too.
func TestZombieOwnerFenced(t *testing.T) {
	t.Run("port scan", func(t *testing.T) {
		hits := scan()
		zombieFenced(t, compileSet(t), hits, nil)
	})
	t.Run("chain", func(t *testing.T) {
		probes, exploits := chainScan()
		zombieFenced(t, compileRules(t, chainRules), probes, exploits)
	})
}

func zombieFenced(t *testing.T, set *correlate.Set, hits, more []correlate.Hit) {
	c := newCluster(t)
	brokers := c.ListenAddrs()
	r := newRouter(t, brokers, set)
	var got alerts

	// the zombie: blocks in the Emit of its first port scan firing;
	// what it emits after that is ignored (a zombie's alerts are
	// outside the transactions, docs/correlation.md)
	gate, blocked := make(chan struct{}), make(chan struct{})
	var once sync.Once
	paused := false
	zcfg := ownerConfig(brokers, set, func(p int32, fs []correlate.Firing) {
		for _, f := range fs {
			if f.Corr.Ref() == "port_scan" && !paused {
				paused = true
				once.Do(func() { close(blocked) })
				<-gate
			}
		}
		if !paused {
			got.emit(p, fs)
		}
	})
	zcfg.SnapshotEvery = 1 // it would write a state at each poll
	logs := &lockedBuffer{}
	zcfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	zombie, err := NewOwner(zcfg)
	if err != nil {
		t.Fatal(err)
	}
	zctx, zcancel := context.WithCancel(context.Background())
	zdone := make(chan struct{})
	go func() { defer close(zdone); _ = zombie.Run(zctx) }()
	var gateOnce sync.Once
	open := func() { gateOnce.Do(func() { close(gate) }) }
	t.Cleanup(func() { open(); zcancel(); <-zdone })
	waitOwns(t, zombie)
	route(t, r, hits)
	<-blocked

	// the other member takes every partition over while the zombie is
	// blocked, and raises the alerts of all hits
	bcfg := ownerConfig(brokers, set, got.emit)
	bcfg.SnapshotEvery, bcfg.SnapshotInterval = 1<<30, time.Hour // state only with chained hits
	b := startOwner(t, bcfg)
	waitFor(t, "the new owner owns every partition", func() bool { return len(b.Owned()) == partitions })
	waitEqual(t, "the hits, after the take-over", got.snapshot, single(t, set, hits))
	ends := stateEnds(t, brokers)

	// resumed, the zombie tries to write its states, and is fenced. Once
	// fenced it drops its partitions and joins the group again, and the
	// rebalance makes the new owner write the state of what it gives back:
	// so the ends are compared only until the zombie says it is fenced
	// (the log is read before the ends, so ends that moved while no
	// fence was logged are the zombie's). Without the fence the zombie's
	// write commits and no fence is ever logged.
	open()
	var after map[int32]int64
	moved := false
	waitFor(t, "the zombie is fenced or writes a state", func() bool {
		fenced := strings.Contains(logs.String(), "fenced by its new owner")
		after = stateEnds(t, brokers)
		moved = !fenced && !equalEnds(ends, after)
		return fenced || moved
	})
	zcancel()
	<-zdone
	if moved {
		t.Fatalf("the zombie wrote states after the take-over: state partitions' committed ends moved from %v to %v", ends, after)
	}
	if len(more) > 0 {
		route(t, r, more)
		waitEqual(t, "all hits", got.snapshot, single(t, set, append(append([]correlate.Hit(nil), hits...), more...)))
	}
}

// stateEnds is the last stable offset of every state partition: the end
// of what read-committed readers (the next owner) see.
func stateEnds(t *testing.T, brokers []string) map[int32]int64 {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(brokers...))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrListOffsetsRequest()
	req.IsolationLevel = 1 // read committed
	rt := kmsg.NewListOffsetsRequestTopic()
	rt.Topic = stateTopic
	for p := int32(0); p < partitions; p++ {
		rp := kmsg.NewListOffsetsRequestTopicPartition()
		rp.Partition, rp.Timestamp, rp.CurrentLeaderEpoch = p, -1, -1
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	resp, err := req.RequestWith(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int32]int64{}
	for _, t2 := range resp.Topics {
		for _, rp := range t2.Partitions {
			if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
				t.Fatalf("list state partition %d: %v", rp.Partition, err)
			}
			out[rp.Partition] = rp.Offset
		}
	}
	return out
}

func equalEnds(a, b map[int32]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// lockedBuffer is a log destination read while it is written.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestStateCommitFails: the brokers refuse the commit of some state
// transactions (their outcome unknown to the owner, their chained hits
// not committed): the owner takes each such partition over again from its
// last committed state, replays its hits, routes their chained hits again,
// and the alerts are still one engine's.
func TestStateCommitFails(t *testing.T) {
	set := compileRules(t, chainRules)
	probes, exploits := chainScan()
	c := newCluster(t)
	r := newRouter(t, c.ListenAddrs(), set)
	var got alerts
	cfg := ownerConfig(c.ListenAddrs(), set, got.emit)
	logs := &lockedBuffer{}
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	o := startOwner(t, cfg)
	waitOwns(t, o)
	f := c.Fault(kfake.Fault{Keys: []kmsg.Key{kmsg.EndTxn}, Err: kerr.InvalidTxnState, Count: 3})
	route(t, r, probes)
	waitEqual(t, "the probes", got.snapshot, single(t, set, probes))
	if n := f.Hits(); n != 3 {
		t.Fatalf("%d state commits refused, want 3", n)
	}
	if !strings.Contains(logs.String(), "taking it over again") {
		t.Fatalf("no partition taken over again after a refused commit:\n%s", logs.String())
	}
	route(t, r, exploits)
	waitEqual(t, "probes and exploits", got.snapshot, single(t, set, append(append([]correlate.Hit(nil), probes...), exploits...)))
}
