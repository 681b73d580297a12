// Command busscale measures Vigil's roles over a Kafka bus on one machine
// (issue 17, item 4; docs/scale-out.md, "Measured: detect processes on one
// machine"):
//
//  1. ingest→store→query: one `vigil serve --role ingest` node takes N
//     events of the bench mix over TCP (octet-counted syslog, as `vigil
//     bench` sends them) and one `--role store,query` node (embedded store)
//     stores them; the figure is events per second until the store node has
//     written all N (written rows are searchable).
//  2. detect: the N records the ingest node published are copied, as they
//     are, into a fresh `<prefix>.events` topic for each run; K `vigil serve
//     --role detect` processes (fresh data directories) consume it in a
//     fresh group; the figure is events per second until the group's
//     committed offsets reach the end of the topic, and events per CPU-second
//     of the detect processes (from /proc) with the broker's CPU apart.
//
// The broker is kfake, in a child process of this program (`busscale
// broker`), so its CPU is counted apart. Usage:
//
//	go run ./internal/bench/cmd/busscale -vigil /tmp/vigil -events 200000 \
//	    -sigma ../shared/data/sigma -nodes 1,2,4
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/vigilsiem/vigil/internal/bench"
)

// waitLimit bounds every wait on state: a run that has not finished by then
// has failed.
const waitLimit = 30 * time.Minute

func main() {
	if len(os.Args) == 2 && os.Args[1] == "broker" {
		runBroker()
		return
	}
	vigil := flag.String("vigil", "vigil", "the vigil binary")
	events := flag.Int("events", 200000, "events of the bench mix")
	sigma := flag.String("sigma", "../shared/data/sigma", "the SigmaHQ copy (rules/, rules-emerging-threats/, rules-threat-hunting/)")
	nodes := flag.String("nodes", "1,2,4", "numbers of detect processes to run")
	partitions := flag.Int("partitions", 12, "partitions of the events topic")
	ch := flag.Bool("clickhouse", false, "also measure ingest→store→query with the store node on a private clickhouse-server")
	flag.Parse()
	if err := run(*vigil, *events, *sigma, *nodes, *partitions, *ch); err != nil {
		fmt.Fprintln(os.Stderr, "busscale:", err)
		os.Exit(1)
	}
}

// runBroker runs a one-broker kfake cluster on 127.0.0.1, prints its
// address and serves until stdin closes.
func runBroker() {
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "start kfake:", err)
		os.Exit(1)
	}
	fmt.Println(c.ListenAddrs()[0])
	_, _ = io.Copy(io.Discard, os.Stdin)
	c.Close()
}

type proc struct {
	cmd  *exec.Cmd
	base string
	log  *os.File
}

func (p *proc) stop() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		_ = p.cmd.Wait()
	}
	p.log.Close()
}

func (p *proc) tail() string {
	b, _ := os.ReadFile(p.log.Name())
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

func freeAddr() string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startVigil starts `vigil serve` with conf and args in a fresh data
// directory under work and waits until it answers /api/v1/health.
func startVigil(bin, work, name, conf string, args ...string) (*proc, error) {
	dir := filepath.Join(work, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	cf := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(cf, []byte(conf), 0o600); err != nil {
		return nil, err
	}
	lf, err := os.Create(filepath.Join(work, name+".log"))
	if err != nil {
		return nil, err
	}
	httpAddr := freeAddr()
	a := append([]string{"serve", "--data", dir, "--http", httpAddr, "--config", cf, "--log-level", "warn"}, args...)
	cmd := exec.Command(bin, a...)
	cmd.Stdout, cmd.Stderr = lf, lf
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{cmd: cmd, base: "http://" + httpAddr, log: lf}
	if !poll(func() bool {
		resp, err := http.Get(p.base + "/api/v1/health")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}) {
		p.stop()
		return nil, fmt.Errorf("%s did not become healthy:\n%s", name, p.tail())
	}
	return p, nil
}

func poll(cond func() bool) bool {
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
	return true
}

func cpu(pids ...int) float64 {
	var s float64
	for _, pid := range pids {
		v, err := bench.CPUSeconds(pid)
		if err != nil {
			panic(err)
		}
		s += v
	}
	return s
}

func busConf(addr, prefix string, partitions int, extra string) string {
	return fmt.Sprintf("bus:\n  kafka: {brokers: [%q], topic_prefix: %s, partitions: %d}\n%s", addr, prefix, partitions, extra)
}

func run(bin string, n int, sigma, nodeList string, partitions int, withCH bool) error {
	var ks []int
	for _, f := range strings.Split(nodeList, ",") {
		k, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || k < 1 {
			return fmt.Errorf("bad -nodes %q", nodeList)
		}
		ks = append(ks, k)
	}
	work, err := os.MkdirTemp("", "busscale")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	// The broker, in its own process.
	self, err := os.Executable()
	if err != nil {
		return err
	}
	broker := exec.Command(self, "broker")
	brokerIn, err := broker.StdinPipe()
	if err != nil {
		return err
	}
	brokerOut, err := broker.StdoutPipe()
	if err != nil {
		return err
	}
	broker.Stderr = os.Stderr
	if err := broker.Start(); err != nil {
		return fmt.Errorf("start broker: %w", err)
	}
	defer func() { brokerIn.Close(); _ = broker.Wait() }()
	addr, err := bufio.NewReader(brokerOut).ReadString('\n')
	if err != nil {
		return fmt.Errorf("read broker address: %w", err)
	}
	addr = strings.TrimSpace(addr)
	bpid := broker.Process.Pid
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("broker kfake at %s (pid %d); %d events; %d partitions; load average at start: %s", addr, bpid, n, partitions, load)

	// 1. ingest→store→query.
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr))
	if err != nil {
		return err
	}
	defer cl.Close()
	fmt.Printf("\n| run | processes | events | wall s | events/s | node CPU-s | events/node CPU-s | broker CPU-s |\n|---|---|---|---|---|---|---|---|\n")
	if err := ingestRun(bin, work, addr, bpid, "src", partitions, "embedded", "", n); err != nil {
		return err
	}
	if withCH {
		srv, stop, err := startClickHouse()
		if err != nil {
			return err
		}
		err = ingestRun(bin, work, addr, bpid, "ch", partitions, "ClickHouse", fmt.Sprintf("storage:\n  backend: clickhouse\n  clickhouse: {url: %s, database: vigil_bench}\n", srv.URL), n)
		stop()
		if err != nil {
			return err
		}
	}

	// The published records, to copy into each detect run's topic.
	recs, err := readAll(addr, "src.events", n)
	if err != nil {
		return err
	}

	sets := []struct{ name, conf string }{
		{"built-in rules", ""},
		{"SigmaHQ corpus + built-in", fmt.Sprintf("rules:\n  dirs: [%q, %q, %q]\n",
			filepath.Join(sigma, "rules"), filepath.Join(sigma, "rules-emerging-threats"), filepath.Join(sigma, "rules-threat-hunting"))},
	}
	for si, set := range sets {
		for _, k := range ks {
			prefix := fmt.Sprintf("d%d_%d", si, k)
			if err := detectRun(bin, work, cl, addr, bpid, prefix, partitions, set.name, set.conf, k, recs); err != nil {
				return err
			}
		}
	}
	load, _ = os.ReadFile("/proc/loadavg")
	fmt.Printf("\nload average at end: %s", load)
	return nil
}

// ingestRun measures one ingest node and one store,query node (storage
// config store) over the bus topics of prefix.
func ingestRun(bin, work, addr string, bpid int, prefix string, partitions int, storeName, store string, n int) error {
	conf := busConf(addr, prefix, partitions, store)
	sq, err := startVigil(bin, work, prefix+"-store", conf, "--role", "store,query", "--syslog-udp", "off", "--syslog-tcp", "off")
	if err != nil {
		return err
	}
	defer sq.stop()
	sysAddr := freeAddr()
	in, err := startVigil(bin, work, prefix+"-ingest", conf, "--role", "ingest", "--syslog-udp", "off", "--syslog-tcp", sysAddr)
	if err != nil {
		return err
	}
	defer in.stop()
	gen := &bench.Generator{Day: time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour), Events: n}
	c0, b0 := cpu(in.cmd.Process.Pid, sq.cmd.Process.Pid), cpu(bpid)
	start := time.Now()
	if _, err := bench.Send(context.Background(), sysAddr, gen, n, 4); err != nil {
		return err
	}
	// The store role commits a batch once the store has written it (the
	// ClickHouse backend has no vigil_store_written_rows_total).
	var stored, dead int64
	if !poll(func() bool {
		stored, dead, err = storeConsumed(sq.base, prefix)
		return err == nil && stored >= int64(n)
	}) {
		return fmt.Errorf("store node handled %d (%d dead) of %d events (%v)\ningest:\n%s\nstore:\n%s", stored, dead, n, err, in.tail(), sq.tail())
	}
	wall := time.Since(start).Seconds()
	nodeCPU, brokerCPU := cpu(in.cmd.Process.Pid, sq.cmd.Process.Pid)-c0, cpu(bpid)-b0
	fmt.Printf("| ingest→store→query (%s) | 1 ingest + 1 store,query | %d (%d dead) | %.1f | %.0f | %.1f | %.0f | %.1f |\n",
		storeName, stored, dead, wall, float64(n)/wall, nodeCPU, float64(n)/nodeCPU, brokerCPU)
	return nil
}

// storeConsumed reads from the node at base how many records of
// <prefix>.events its store group handled and committed, and how many of
// them were dead letters.
func storeConsumed(base, prefix string) (handled, dead int64, err error) {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		return 0, 0, fmt.Errorf("read metrics: %w", err)
	}
	defer resp.Body.Close()
	sel := fmt.Sprintf(`{group=%q,topic=%q}`, prefix+".store", prefix+".events")
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		name, v, ok := strings.Cut(sc.Text(), sel+" ")
		if !ok {
			continue
		}
		f, _ := strconv.ParseFloat(v, 64)
		switch name {
		case "vigil_bus_consumed_records_total":
			handled = int64(f)
		case "vigil_bus_dead_letters_total":
			dead = int64(f)
		}
	}
	return handled, dead, sc.Err()
}

// readAll reads the n records of topic from the start.
func readAll(addr, topic string, n int) ([]*kgo.Record, error) {
	c, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	var recs []*kgo.Record
	for len(recs) < n {
		fs := c.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			return nil, fmt.Errorf("read %s: %w", topic, err)
		}
		fs.EachRecord(func(r *kgo.Record) { recs = append(recs, r) })
	}
	return recs, nil
}

func detectRun(bin, work string, cl *kgo.Client, addr string, bpid int, prefix string, partitions int, setName, rules string, k int, recs []*kgo.Record) error {
	conf := busConf(addr, prefix, partitions, rules)
	var ps []*proc
	defer func() {
		for _, p := range ps {
			p.stop()
		}
	}()
	var pids []int
	for i := range k {
		p, err := startVigil(bin, work, fmt.Sprintf("%s-detect%d", prefix, i), conf, "--role", "detect", "--syslog-udp", "off", "--syslog-tcp", "off")
		if err != nil {
			return err
		}
		ps = append(ps, p)
		pids = append(pids, p.cmd.Process.Pid)
	}
	active, err := activeRules(ps[0].base)
	if err != nil {
		return err
	}
	group := prefix + ".detect"
	if !poll(func() bool { return stableMembers(cl, group) == k }) {
		return fmt.Errorf("group %s never had %d stable members", group, k)
	}
	topic := prefix + ".events"
	out := make([]*kgo.Record, len(recs))
	for i, r := range recs {
		out[i] = &kgo.Record{Topic: topic, Partition: r.Partition, Key: r.Key, Value: r.Value, Headers: r.Headers}
	}
	prod, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.RecordPartitioner(kgo.ManualPartitioner()), kgo.ProducerBatchMaxBytes(4<<20))
	if err != nil {
		return err
	}
	defer prod.Close()
	c0, b0 := cpu(pids...), cpu(bpid)
	start := time.Now()
	if err := prod.ProduceSync(context.Background(), out...).FirstErr(); err != nil {
		return fmt.Errorf("copy records to %s: %w", topic, err)
	}
	var committed, end int64
	if !poll(func() bool {
		committed, end = offsets(cl, group, topic, int32(partitions))
		return end >= int64(len(recs)) && committed == end
	}) {
		return fmt.Errorf("group %s committed %d of %d\n%s", group, committed, end, ps[0].tail())
	}
	wall := time.Since(start).Seconds()
	dc, bc := cpu(pids...)-c0, cpu(bpid)-b0
	n := float64(len(recs))
	fmt.Printf("| detect, %s (%d active rules) | %d detect | %d | %.1f | %.0f | %.1f | %.0f | %.1f |\n", setName, active, k, len(recs), wall, n/wall, dc, n/dc, bc)
	return nil
}

// activeRules reads how many rules the node at base runs.
func activeRules(base string) (int, error) {
	resp, err := http.Get(base + "/api/v1/health")
	if err != nil {
		return 0, fmt.Errorf("read rules: %w", err)
	}
	defer resp.Body.Close()
	var h struct {
		Rules struct {
			Active int `json:"active"`
		} `json:"rules"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return 0, fmt.Errorf("read rules: %w", err)
	}
	return h.Rules.Active, nil
}

func stableMembers(cl *kgo.Client, group string) int {
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

// offsets returns the group's committed offsets and the end offsets of
// topic, summed over its partitions.
func offsets(cl *kgo.Client, group, topic string, partitions int32) (committed, end int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	lo := kmsg.NewPtrListOffsetsRequest()
	lt := kmsg.NewListOffsetsRequestTopic()
	lt.Topic = topic
	of := kmsg.NewPtrOffsetFetchRequest()
	of.Group = group
	ot := kmsg.NewOffsetFetchRequestTopic()
	ot.Topic = topic
	for p := range partitions {
		lp := kmsg.NewListOffsetsRequestTopicPartition()
		lp.Partition, lp.Timestamp = p, -1
		lt.Partitions = append(lt.Partitions, lp)
		ot.Partitions = append(ot.Partitions, p)
	}
	lo.Topics = append(lo.Topics, lt)
	of.Topics = append(of.Topics, ot)
	// Read committed: transactional markers count in the end offset, so
	// the committed offset reaches it once the last transaction committed.
	lo.IsolationLevel = 1
	lr, err1 := lo.RequestWith(ctx, cl)
	fr, err2 := of.RequestWith(ctx, cl)
	if err := errors.Join(err1, err2); err != nil {
		return -1, 0
	}
	for _, tp := range lr.Topics {
		for _, p := range tp.Partitions {
			end += p.Offset
		}
	}
	for _, tp := range fr.Topics {
		for _, p := range tp.Partitions {
			committed += max(p.Offset, 0)
		}
	}
	return committed, end
}
