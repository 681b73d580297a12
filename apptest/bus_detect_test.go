package apptest

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// portScanRuleID is the built-in port scan correlation
// (rules/vigil/network/mr_port_scan.yml: 20 distinct destination ports
// denied for one source.ip within a minute).
const portScanRuleID = "395caec6-8223-41b0-a376-2f1fe55c86f3"

// TestBusShardedPortScan is issue 17's done-when: a kfake broker,
// ClickHouse, one ingest node, two detect nodes and one store+query node,
// all with bus: and storage.backend: clickhouse. 10 scanners each probe 25
// ports; one detect node is killed -9 half-way. Exactly 10 port-scan
// alerts are found through the query node, one per scanner, each counting
// its 25 probes once (a hit counted twice would make a count of 26).
func TestBusShardedPortScan(t *testing.T) {
	const scanners, ports = 10, 25
	n := startBusNodes(t, "scan")
	in, sq, da, db, logs := n.in, n.sq, n.da, n.db, n.logs

	// Probe i of every scanner, a second apart, in event time.
	t0 := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
	probes := func(from, to int) []byte {
		var b strings.Builder
		for i := from; i < to; i++ {
			for s := range scanners {
				fmt.Fprintf(&b, `{"@timestamp":%q,"message":"denied probe","event":{"category":["network"],"type":["connection","denied"],"action":"deny"},`+
					`"source":{"ip":"198.51.100.%d"},"destination":{"ip":"10.0.0.5","port":%d}}`+"\n",
					t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), 10+s, 1000+i)
			}
		}
		return []byte(b.String())
	}
	half := ports / 2
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", probes(0, half)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	// Half-way: both detect nodes have read some of the first half, and
	// together all of it.
	var got [2]float64
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		got = [2]float64{detectReceived(t, da), detectReceived(t, db)}
		return got[0] > 0 && got[1] > 0 && got[0]+got[1] >= float64(half*scanners)
	}) {
		t.Fatalf("detect nodes read %v events of the first %d\n%s", got, half*scanners, logs())
	}
	t.Logf("half-way: detect nodes read %v events; killing detect B (-9)", got)
	db.kill()
	killed := time.Now()
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", probes(half, ports)); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}

	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	done := func() bool {
		getJSON(t, sq.url("/api/v1/alerts?rule_id="+portScanRuleID+"&limit=100"), &reply)
		if len(reply.Alerts) < scanners {
			return false
		}
		for _, a := range reply.Alerts {
			if a.Count < ports {
				return false
			}
		}
		return true
	}
	if !testutil.Poll(2*testutil.WaitTimeout, done) {
		t.Fatalf("port scan alerts through the query node: %s\n%s", alertSummary(reply.Alerts), logs())
	}
	t.Logf("10 port scan alerts of 25 probes each through the query node %v after the kill", time.Since(killed).Round(time.Millisecond))
	bySource := map[string]int{}
	for _, a := range reply.Alerts {
		var src string
		if a.Correlation != nil {
			src = a.Correlation.Group["source.ip"]
		}
		bySource[src]++
		if a.Count != ports || a.Correlation == nil || a.Correlation.Value != 20 {
			t.Errorf("alert %s for %s: count %d, correlation %+v; want count %d, value 20", a.ID, src, a.Count, a.Correlation, ports)
		}
	}
	if len(reply.Alerts) != scanners || len(bySource) != scanners {
		t.Errorf("%d port scan alerts for %d sources, want %d, one per scanner: %s", len(reply.Alerts), len(bySource), scanners, alertSummary(reply.Alerts))
	}
	for s := range scanners {
		if ip := "198.51.100." + strconv.Itoa(10+s); bySource[ip] != 1 {
			t.Errorf("scanner %s has %d port scan alerts, want 1", ip, bySource[ip])
		}
	}
	// The survivor counts every hit partition now.
	var health struct {
		Partitions map[string]int64 `json:"correlation_partitions"`
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, da.url("/api/v1/health"), &health)
		return len(health.Partitions) == 4
	}) {
		t.Errorf("detect A counts hit partitions %v, want all 4", health.Partitions)
	}
}

func alertSummary(as []alert.Alert) string {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "\n  %s count=%d", a.ID, a.Count)
		if a.Correlation != nil {
			fmt.Fprintf(&b, " group=%v value=%d", a.Correlation.Group, a.Correlation.Value)
		}
	}
	return b.String()
}

// detectReceived is how many events a detect node's rules have read
// (vigil_component_received_events_total of its detect sink).
func detectReceived(t *testing.T, v *vigil) float64 {
	t.Helper()
	resp, err := http.Get(v.url("/metrics"))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "vigil_component_received_events_total{") &&
			strings.Contains(l, `component_id="detect"`) && strings.Contains(l, `component_kind="sink"`) {
			f := strings.Fields(l)
			n, _ := strconv.ParseFloat(f[len(f)-1], 64)
			return n
		}
	}
	return 0
}

// busNodes are the nodes of the done-when deployment: a kfake broker,
// ClickHouse, one ingest node, two detect nodes and one store+query node,
// all with bus: (topic prefix P) and storage.backend: clickhouse.
type busNodes struct {
	addr           string // the broker
	in, sq, da, db *vigil
}

// startBusNodes starts the deployment and waits until both detect nodes
// are stable members of both detect groups (P.detect, P.correlate).
func startBusNodes(t *testing.T, prefix string) *busNodes {
	t.Helper()
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	n := &busNodes{addr: broker.ListenAddrs()[0]}
	ch := chtest.Start(t)
	cfg := fmt.Sprintf(`bus:
  kafka: {brokers: [%q], topic_prefix: %s, partitions: 4}
storage:
  backend: clickhouse
  clickhouse: {url: %s, database: vigil_%s}
`, n.addr, prefix, ch.URL, prefix)
	n.in = startVigil(t, cfg, "--role", "ingest")
	n.sq = startVigil(t, cfg, "--role", "store,query")
	n.da = startVigil(t, cfg, "--role", "detect")
	n.db = startVigil(t, cfg, "--role", "detect")
	for _, g := range []string{prefix + ".detect", prefix + ".correlate"} {
		var members int
		if !testutil.Poll(testutil.WaitTimeout, func() bool { members = stableMembers(t, n.addr, g); return members == 2 }) {
			t.Fatalf("group %s has %d stable members, want 2\n%s", g, members, n.logs())
		}
	}
	return n
}

// logs are the nodes' logs, for a failure message.
func (n *busNodes) logs() string {
	return fmt.Sprintf("ingest:\n%s\ndetect A:\n%s\ndetect B:\n%s\nstore+query:\n%s", n.in.log, n.da.log, n.db.log, n.sq.log)
}

// stableMembers is the member count of a consumer group that is stable
// (not rebalancing), or 0.
func stableMembers(t *testing.T, addr, group string) int {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	req := kmsg.NewPtrDescribeGroupsRequest()
	req.Groups = []string{group}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	resp, err := req.RequestWith(ctx, cl)
	if err != nil || len(resp.Groups) != 1 || resp.Groups[0].State != "Stable" {
		return 0
	}
	return len(resp.Groups[0].Members)
}

// scanThenExploitRuleID is the built-in chained correlation
// (rules/vigil/network/mr_scan_then_exploit.yml: the port scan step, a
// correlation, then a web attack from the same source.ip within 30m).
const scanThenExploitRuleID = "6e7f8a9b-0c1d-4e2f-9a3b-5c6d7e8f9a23"

// TestBusShardedChain: a correlation of correlations on two detect nodes
// with bus:. 10 scanners each probe 25 ports and then send a web attack;
// one detect node is killed -9 while it reads them. Each scanner's port
// scan step (the inner correlation) fires on the owner of its key and is
// routed to the owner of the scan-then-exploit key: exactly one
// scan-then-exploit alert per scanner. A second web attack of every
// scanner then folds into its alert: a count of 3 each (the step's firing
// and two attacks); a step firing routed twice would make it 4.
func TestBusShardedChain(t *testing.T) {
	const scanners, ports = 10, 25
	n := startBusNodes(t, "chain")
	in, sq, da, db, logs := n.in, n.sq, n.da, n.db, n.logs

	t0 := time.Now().UTC().Add(-2 * time.Minute).Truncate(time.Second)
	src := func(s int) string { return "198.51.100." + strconv.Itoa(10+s) }
	attack := func(b *strings.Builder, s int, at time.Time) {
		fmt.Fprintf(b, `{"@timestamp":%q,"message":"GET /cgi-bin/../../etc/passwd","event":{"category":["web"]},`+
			`"url":{"original":"/cgi-bin/../../etc/passwd"},"source":{"ip":%q}}`+"\n", at.Format(time.RFC3339Nano), src(s))
	}
	var first strings.Builder
	for i := range ports {
		for s := range scanners {
			fmt.Fprintf(&first, `{"@timestamp":%q,"message":"denied probe","event":{"category":["network"],"type":["connection","denied"],"action":"deny"},`+
				`"source":{"ip":%q},"destination":{"ip":"10.0.0.5","port":%d}}`+"\n",
				t0.Add(time.Duration(i)*time.Second).Format(time.RFC3339Nano), src(s), 1000+i)
		}
	}
	for s := range scanners {
		attack(&first, s, t0.Add(40*time.Second))
	}
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(first.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	// Half-way: both detect nodes have read some of the events.
	var got [2]float64
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		got = [2]float64{detectReceived(t, da), detectReceived(t, db)}
		return got[0] > 0 && got[1] > 0
	}) {
		t.Fatalf("detect nodes read %v events\n%s", got, logs())
	}
	t.Logf("detect nodes read %v events; killing detect B (-9)", got)
	db.kill()

	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	chainAlerts := func(count int) func() bool {
		return func() bool {
			getJSON(t, sq.url("/api/v1/alerts?rule_id="+scanThenExploitRuleID+"&limit=100"), &reply)
			if len(reply.Alerts) < scanners {
				return false
			}
			for _, a := range reply.Alerts {
				if a.Count < count {
					return false
				}
			}
			return true
		}
	}
	if !testutil.Poll(2*testutil.WaitTimeout, chainAlerts(2)) {
		t.Fatalf("scan-then-exploit alerts through the query node: %s\n%s", alertSummary(reply.Alerts), logs())
	}
	var second strings.Builder
	for s := range scanners {
		attack(&second, s, t0.Add(50*time.Second))
	}
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(second.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	if !testutil.Poll(2*testutil.WaitTimeout, chainAlerts(3)) {
		t.Fatalf("scan-then-exploit alerts after the second attacks: %s\n%s", alertSummary(reply.Alerts), logs())
	}
	bySource := map[string]int{}
	for _, a := range reply.Alerts {
		var ip string
		if a.Correlation != nil {
			ip = a.Correlation.Group["source.ip"]
		}
		bySource[ip]++
		if a.Count != 3 {
			t.Errorf("alert %s for %s: count %d, want 3 (the scan step once, two attacks)", a.ID, ip, a.Count)
		}
	}
	for s := range scanners {
		if bySource[src(s)] != 1 {
			t.Errorf("scanner %s has %d scan-then-exploit alerts, want 1: %s", src(s), bySource[src(s)], alertSummary(reply.Alerts))
		}
	}
	// the inner correlation's own alert (the port scan) is one per scanner too
	getJSON(t, sq.url("/api/v1/alerts?rule_id="+portScanRuleID+"&limit=100"), &reply)
	if len(reply.Alerts) != scanners {
		t.Errorf("%d port scan alerts, want %d: %s", len(reply.Alerts), scanners, alertSummary(reply.Alerts))
	}
}
