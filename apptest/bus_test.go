package apptest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/twmb/franz-go/pkg/kversion"
	"gopkg.in/yaml.v3"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/bus"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// busConfig is the bus and storage sections every node of a deployment
// shares: a kfake broker started here, and ClickHouse.
func busConfig(t *testing.T, db string) (string, *kfake.Cluster) {
	t.Helper()
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	srv := chtest.Start(t)
	return fmt.Sprintf(`bus:
  kafka: {brokers: [%q], topic_prefix: apptest, partitions: 4}
storage:
  backend: clickhouse
  clickhouse: {url: %s, database: %s}
`, broker.ListenAddrs()[0], srv.URL, db), broker
}

// TestBusIngestStoreQueryNodes runs a distributed deployment over the bus:
// one `--role ingest` node and one `--role store,query` node on
// ClickHouse. Events posted to the ingest node are found through the query
// node with the event.ids the ingest node published. The store node is
// stopped and its group's offsets set back to the start: the replay leaves
// each event found once. Then it is killed -9 while the events stream and
// started again: every event the ingest node acknowledged is found exactly
// once.
func TestBusIngestStoreQueryNodes(t *testing.T) {
	cfg, broker := busConfig(t, "vigil_bus")
	in := startVigil(t, cfg, "--role", "ingest")
	st := startVigil(t, cfg, "--role", "store,query")

	const batches, perBatch = 20, 50
	const total = batches * perBatch
	postBatch := func(b int) {
		var body strings.Builder
		for i := range perBatch {
			n := b*perBatch + i
			fmt.Fprintf(&body, `{"message":"bus apptest %d","seq":%d,"host":{"name":"h%d"}}`+"\n", n, n, n%7)
		}
		if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
			t.Errorf("ingest batch %d: %d %s", b, code, out)
		}
	}
	addr := broker.ListenAddrs()[0]
	once := func(what string, want int) map[string]int {
		t.Helper()
		rows, took := st.waitFound(`"bus apptest"`, want, 10*time.Second)
		t.Logf("%s: %d events found through the query node after %v", what, len(rows), took)
		ids, seqs := map[string]int{}, map[string]int{}
		for _, r := range rows {
			ids[r.Text("event.id")]++
			seqs[r.Text("seq")]++
		}
		if len(rows) != want || len(ids) != want || len(seqs) != want {
			t.Fatalf("%s: found %d rows, %d distinct ids, %d distinct seq; want %d of each", what, len(rows), len(ids), len(seqs), want)
		}
		return ids
	}

	// A replay of the topic is harmless: with the store group's offsets
	// set back to the start, the store node reads every event again and
	// the query node still finds each once.
	for b := range batches / 4 {
		postBatch(b)
	}
	once("first quarter", total/4)
	waitCommitted(t, addr, "apptest.store", "apptest.events", 4)
	st.stop()
	commitOffsets(t, addr, "apptest.store", "apptest.events", 4, 0)
	st.start()
	waitCommitted(t, addr, "apptest.store", "apptest.events", 4)
	once("first quarter read again", total/4)

	// Up to three quarters of the stream, then the store node is killed
	// (-9) as soon as it stored the next events, while the rest streams in.
	for b := batches / 4; b < 3*batches/4; b++ {
		postBatch(b)
	}
	var posted sync.WaitGroup
	posted.Add(1)
	go func() {
		defer posted.Done()
		for b := 3 * batches / 4; b < batches; b++ {
			postBatch(b)
		}
	}()
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		rows, err := st.search(`"bus apptest"`)
		return err == nil && len(rows) > total/4
	}) {
		t.Fatalf("the store node stored nothing more\ningest:\n%s\nstore:\n%s", in.log.String(), st.log.String())
	}
	st.kill()
	posted.Wait()
	if t.Failed() {
		t.FailNow()
	}
	st.start()
	ids := once("after the kill", total)
	// The ids are those the ingest node published.
	published := readBusIDs(t, addr, "apptest.events", total)
	for id := range published {
		if ids[id] != 1 {
			t.Errorf("published event %s found %d times", id, ids[id])
		}
	}
	if len(published) != total {
		t.Errorf("%d distinct ids on the bus, want %d", len(published), total)
	}
	// The ingest node opened no store.
	for _, d := range []string{"store", "alertlog"} {
		if _, err := os.Stat(filepath.Join(in.dataDir, d)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the ingest node has %s in its data directory (%v)", d, err)
		}
	}
}

// readBusIDs reads the event ids off the events topic (from its start,
// without a group).
func readBusIDs(t *testing.T, addr, topic string, want int) map[string]bool {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ids := map[string]bool{}
	ctx, cancel := context.WithTimeout(context.Background(), testutil.WaitTimeout)
	defer cancel()
	for len(ids) < want && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var e event.Event
			if err := e.UnmarshalBinary(r.Value); err != nil {
				t.Errorf("record %d/%d: %v", r.Partition, r.Offset, err)
				return
			}
			ids[e.ID] = true
		})
	}
	return ids
}

// TestBusAlertsReachQueryNode: alerts published to the alerts topic (by
// the bus API, as a detect node does) are consumed by a `--role store`
// node into ClickHouse, grouped into an incident there, and listed by a
// separate `--role query` node, which has no store of its own.
func TestBusAlertsReachQueryNode(t *testing.T) {
	cfgYAML, _ := busConfig(t, "vigil_bus_alerts")
	st := startVigil(t, cfgYAML, "--role", "store")
	q := startVigil(t, cfgYAML, "--role", "query")

	var cfg config.Config
	if err := yaml.Unmarshal([]byte(cfgYAML), &cfg); err != nil {
		t.Fatal(err)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	b, err := bus.Open(context.Background(), cfg.Bus, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	now := time.Now().UTC().Truncate(time.Second)
	sent := []alert.Alert{
		{ID: "bus-alert-1", Tenant: "default", RuleID: "bus-rule", Title: "Bus port scan", Level: "high", First: now, Last: now, Count: 25,
			EventIDs: []string{"e1"}, Entities: alert.Entities{SourceIPs: []string{"10.1.2.3"}}, Status: alert.StatusOpen},
		{ID: "bus-alert-2", Tenant: "default", RuleID: "bus-rule", Title: "Bus port scan", Level: "high", First: now, Last: now, Count: 25,
			EventIDs: []string{"e2"}, Entities: alert.Entities{SourceIPs: []string{"10.1.2.4"}}, Status: alert.StatusOpen},
	}
	if err := b.PublishAlerts(context.Background(), sent); err != nil {
		t.Fatal(err)
	}
	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, q.url("/api/v1/alerts?rule_id=bus-rule"), &reply)
		return len(reply.Alerts) == 2
	}) {
		t.Fatalf("query node lists %d alerts, want 2\nstore:\n%s\nquery:\n%s", len(reply.Alerts), st.log.String(), q.log.String())
	}
	got := map[string]alert.Alert{}
	for _, a := range reply.Alerts {
		got[a.ID] = a
	}
	for _, a := range sent {
		if g, ok := got[a.ID]; !ok || g.Title != a.Title || g.Count != a.Count || len(g.Entities.SourceIPs) != 1 {
			t.Errorf("alert %s listed as %+v", a.ID, g)
		}
	}
	// Incidents run on the store node; the query node lists them.
	var incs incidentsReply
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, q.url("/api/v1/incidents"), &incs)
		return len(incs.Incidents) > 0
	}) {
		t.Fatalf("no incident listed\nstore:\n%s", st.log.String())
	}
}

// TestBusIngestWaitsForBrokers: an ingest node acknowledges a sender only
// once the brokers have its events. With the broker gone, HTTP ingest
// answers 503 "not stored, send again" (after bus.kafka.publish_timeout),
// not 200.
func TestBusIngestWaitsForBrokers(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	in := startVigil(t, fmt.Sprintf(`bus:
  kafka: {brokers: [%q], topic_prefix: apptest, publish_timeout: 2s, dial_timeout: 1s}
`, broker.ListenAddrs()[0]), "--role", "ingest")
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(`{"message":"before"}`+"\n")); code != 200 {
		t.Fatalf("ingest with the broker up: %d %s", code, out)
	}
	broker.Close()
	code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(`{"message":"after"}`+"\n"))
	if code != 503 || !strings.Contains(out, "send again") {
		t.Fatalf("ingest with the broker gone: %d %s, want 503", code, out)
	}
}

// TestBusDetectNode: ingest, detect and store+query nodes over the bus.
// An event posted to the ingest node reaches the detect node (group
// <prefix>.detect), whose alert goes onto the alerts topic and is listed by
// the query node; the detect node keeps no store.
func TestBusDetectNode(t *testing.T) {
	cfg, _ := busConfig(t, "vigil_bus_detect")
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "marker.yml"), []byte(markerRule), 0o600); err != nil {
		t.Fatal(err)
	}
	in := startVigil(t, cfg, "--role", "ingest")
	det := startVigil(t, cfg, "--role", "detect", "--rules", rules, "--no-builtin-rules")
	sq := startVigil(t, cfg, "--role", "store,query")
	var body strings.Builder
	for i := range 10 {
		fmt.Fprintf(&body, `{"message":"clickhouse apptest %d","observer":{"product":"apptest"},"host":{"name":"ws%d"}}`+"\n", i, i)
	}
	if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	var reply struct {
		Alerts []alert.Alert `json:"alerts"`
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		getJSON(t, sq.url("/api/v1/alerts?rule_id="+markerRuleID), &reply)
		return len(reply.Alerts) == 1
	}) {
		t.Fatalf("query node lists %d alerts of the marker rule, want 1\ndetect:\n%s\nstore:\n%s", len(reply.Alerts), det.log.String(), sq.log.String())
	}
	if a := reply.Alerts[0]; a.Count != 1 || len(a.EventIDs) != 1 {
		t.Errorf("alert %+v", a)
	}
	// The event the alert names is the one stored.
	rows, _ := sq.waitFound(`"clickhouse apptest 7"`, 1, 10*time.Second)
	if rows[0].Text("event.id") != reply.Alerts[0].EventIDs[0] {
		t.Errorf("alert names event %s, the store has %s", reply.Alerts[0].EventIDs[0], rows[0].Text("event.id"))
	}
	for _, d := range []string{"store", "alertlog"} {
		if _, err := os.Stat(filepath.Join(det.dataDir, d)); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the detect node has %s in its data directory (%v)", d, err)
		}
	}
}

// busRequest sends a Kafka request to the broker at addr.
func busRequest(t *testing.T, addr string, req kmsg.Request) kmsg.Response {
	t.Helper()
	// Kafka 3.7's request versions: name topics, not topic ids.
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.MaxVersions(kversion.V3_7_0()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	resp, err := cl.Request(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// commitOffsets sets the committed offsets of group on topic's partitions
// once the group has no members left.
func commitOffsets(t *testing.T, addr, group, topic string, partitions int32, offset int64) {
	t.Helper()
	req := kmsg.NewPtrOffsetCommitRequest()
	req.Group, req.Generation = group, -1
	rt := kmsg.NewOffsetCommitRequestTopic()
	rt.Topic = topic
	for p := range partitions {
		rp := kmsg.NewOffsetCommitRequestTopicPartition()
		rp.Partition, rp.Offset = p, offset
		rt.Partitions = append(rt.Partitions, rp)
	}
	req.Topics = append(req.Topics, rt)
	// The group refuses while members of it remain (one killed -9 stays
	// until bus.kafka.session_timeout).
	var err error
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		err = nil
		for _, tp := range busRequest(t, addr, req).(*kmsg.OffsetCommitResponse).Topics {
			for _, p := range tp.Partitions {
				err = errors.Join(err, kerr.ErrorForCode(p.ErrorCode))
			}
		}
		return err == nil
	}) {
		t.Fatalf("commit offsets of %s for %s: %v", topic, group, err)
	}
}

// waitCommitted waits until group has committed the end of every
// partition of topic: it has read and handled everything there.
func waitCommitted(t *testing.T, addr, group, topic string, partitions int32) {
	t.Helper()
	var committed, end int64
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
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
		end, committed = 0, 0
		for _, tp := range busRequest(t, addr, lo).(*kmsg.ListOffsetsResponse).Topics {
			for _, p := range tp.Partitions {
				end += p.Offset
			}
		}
		for _, tp := range busRequest(t, addr, of).(*kmsg.OffsetFetchResponse).Topics {
			for _, p := range tp.Partitions {
				committed += max(p.Offset, 0)
			}
		}
		return end > 0 && committed == end
	}) {
		t.Fatalf("group %s committed %d of %d records of %s", group, committed, end, topic)
	}
}
