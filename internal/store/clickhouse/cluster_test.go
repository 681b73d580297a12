package clickhouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/clickhouse/chtest"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

func ddlStore(t *testing.T, c Cluster) *Store {
	t.Helper()
	if err := c.check(); err != nil {
		t.Fatal(err)
	}
	return &Store{db: "vigil", cluster: c}
}

// TestClusterDDL checks the DDL text of each layout: one server (as before
// clusters existed), a replicated cluster with DDL ON CLUSTER, and a plain
// cluster whose nodes Vigil is given.
func TestClusterDDL(t *testing.T) {
	one := strings.Join(ddlStore(t, Cluster{}).schemaStatements(), ";\n")
	for _, want := range []string{
		"CREATE DATABASE IF NOT EXISTS `vigil`;",
		"CREATE TABLE IF NOT EXISTS `vigil`.`fields` (dataset String, field String, kinds UInt16) ENGINE = MergeTree ORDER BY (dataset, field);",
		"CREATE TABLE IF NOT EXISTS `vigil`.`events` (\n  v_day Date,",
		"  v_raw String\n) ENGINE = ReplacingMergeTree\nPARTITION BY (v_day, v_tenant)\nORDER BY (v_tenant, v_ts, v_id)",
	} {
		if !strings.Contains(one, want) {
			t.Errorf("one-server DDL lacks %q:\n%s", want, one)
		}
	}
	if strings.Contains(one, "_local") || strings.Contains(one, "CLUSTER") || strings.Contains(one, "Distributed") {
		t.Errorf("one-server DDL has cluster parts:\n%s", one)
	}

	rep := strings.Join(ddlStore(t, Cluster{Name: "prod", Replicated: true}).schemaStatements(), ";\n")
	for _, want := range []string{
		"CREATE DATABASE IF NOT EXISTS `vigil` ON CLUSTER `prod`;",
		"CREATE TABLE IF NOT EXISTS `vigil`.`fields_local` ON CLUSTER `prod` (dataset String, field String, kinds UInt16) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/vigil/fields_local', '{replica}') ORDER BY (dataset, field);",
		"CREATE TABLE IF NOT EXISTS `vigil`.`fields` ON CLUSTER `prod` (\ndataset String, field String, kinds UInt16\n) ENGINE = Distributed(`prod`, `vigil`, `fields_local`, cityHash64(dataset, field));",
		"CREATE TABLE IF NOT EXISTS `vigil`.`events_local` ON CLUSTER `prod` (\n  v_day Date,",
		"  v_raw String\n) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/vigil/events_local', '{replica}')\nPARTITION BY (v_day, v_tenant)\nORDER BY (v_tenant, v_ts, v_id);",
		"CREATE TABLE IF NOT EXISTS `vigil`.`events` ON CLUSTER `prod` (\n  v_day Date,",
		"  v_raw String\n) ENGINE = Distributed(`prod`, `vigil`, `events_local`, cityHash64(v_tenant, v_id))",
		"ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/vigil/deadletters_local', '{replica}')",
		"ENGINE = Distributed(`prod`, `vigil`, `audit_local`, cityHash64(v_tenant, v_id))",
	} {
		if !strings.Contains(rep, want) {
			t.Errorf("replicated DDL lacks %q:\n%s", want, rep)
		}
	}

	host := strings.Join(ddlStore(t, Cluster{Name: "c", ShardingKey: ShardByHost, Nodes: []string{"http://a:8123"},
		ZooKeeperPath: "/ch/{shard}/", Replica: "r-{replica}", Replicated: true}).schemaStatements(), ";\n")
	for _, want := range []string{
		"CREATE DATABASE IF NOT EXISTS `vigil`;",
		"ENGINE = Distributed(`c`, `vigil`, `events_local`, cityHash64(v_tenant, ifNull(v_host_name, '')))",
		"ReplicatedReplacingMergeTree('/ch/{shard}/vigil/events_local', 'r-{replica}')",
	} {
		if !strings.Contains(host, want) {
			t.Errorf("DDL with nodes lacks %q:\n%s", want, host)
		}
	}
	if strings.Contains(host, "ON CLUSTER") {
		t.Errorf("DDL with nodes has ON CLUSTER:\n%s", host)
	}
}

func TestClusterOptionsRefused(t *testing.T) {
	for c, want := range map[*Cluster]string{
		{Replicated: true}:                 "without a cluster name",
		{Name: "a b"}:                      "cluster \"a b\"",
		{Name: "c", ShardingKey: "rand()"}: "sharding key",
		{Name: "c", Replicated: true, ZooKeeperPath: "/t"}:     "must contain {shard}",
		{Name: "c", ZooKeeperPath: "/t'); DROP"}:               "zookeeper path",
		{Name: "c", Replica: "x'"}:                             "replica",
		{Name: "c", Nodes: []string{"http://u:secret@h:8123"}}: "cluster node",
		{Name: "c", Nodes: []string{"ftp://h"}}:                "cluster node",
	} {
		err := c.check()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: error %v, want %q", *c, err, want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("error carries the password: %v", err)
		}
	}
}

// TestReplicatedDDLParses sends the replicated layout's DDL to a test
// server of a cluster, which has no ZooKeeper: a statement ON CLUSTER must
// get as far as the distributed DDL queue (code 49, "DDL background thread
// is not initialized") and a Replicated table as far as ZooKeeper (code
// 225), never fail as a syntax error (62) or a bad engine argument (42).
// The server has the macros {shard} and {replica}, as a cluster's do.
func TestReplicatedDDLParses(t *testing.T) {
	srv := chtest.StartCluster(t, 1)[0]
	ctx := context.Background()
	s := openOn(t, srv, "repl_probe")
	name := chtest.ClusterName
	for _, c := range []Cluster{{Name: name, Replicated: true}, {Name: name, Replicated: true, Nodes: []string{srv.URL}}} {
		d := ddlStore(t, c)
		d.db = "repl_probe"
		for _, q := range d.schemaStatements()[1:] {
			err := s.c.exec(ctx, q)
			var se *ServerError
			switch {
			case strings.Contains(q, "ON CLUSTER"):
				if !errors.As(err, &se) || se.Code() != 49 || !strings.Contains(se.Message, "DDL background thread") {
					t.Errorf("%s\n: %v, want the distributed DDL queue's error", q, err)
				}
			case strings.Contains(q, "ENGINE = Replicated"):
				if !errors.As(err, &se) || se.Code() != 225 {
					t.Errorf("%s\n: %v, want ZooKeeper's absence", q, err)
				}
			case err != nil: // a Distributed table needs no ZooKeeper
				t.Errorf("%s\n: %v", q, err)
			}
		}
	}
}

// openCluster opens a store on a 2-shard cluster, given its nodes; with
// insertLocal it inserts into the shards' local tables.
func openCluster(t *testing.T, nodes []*chtest.Server, db string, insertLocal bool) *Store {
	t.Helper()
	urls := []string{nodes[0].URL, nodes[1].URL}
	s, err := Open(context.Background(), Options{URL: nodes[0].URL, Database: db,
		Cluster: Cluster{Name: chtest.ClusterName, Nodes: urls, InsertLocal: insertLocal}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func localCount(t *testing.T, s *Store, c *client, table string) int {
	t.Helper()
	res, err := c.query(context.Background(), "SELECT count() FROM "+s.db+"."+table+" FINAL")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if len(res.Data) != 1 || len(res.Data[0]) != 1 {
		t.Fatalf("count: %v", res.Data)
	}
	if _, err := fmt.Sscan(string(res.Data[0][0]), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestClusterSameAnswers writes the same 20,000 events to one server and to
// a cluster of two shards, through the Distributed table and into the
// shards' local tables (InsertLocal): the events spread over both shards,
// a retry lands where the first copy did, and searches, stats, CIDR and
// rare-term queries answer the same.
func TestClusterSameAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("20,000 events on three servers")
	}
	ctx := context.Background()
	nodes := chtest.StartCluster(t, 2)
	dist := openCluster(t, nodes, "same", false)
	local := openCluster(t, nodes, "same_local", true)
	one := openOn(t, chtest.Start(t), "same")
	evs := mixedEvents(20000)
	for i := 0; i < len(evs); i += 2500 {
		for _, s := range []*Store{one, dist, local} {
			if err := s.Write(ctx, evs[i:i+2500]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, cl := range []*Store{dist, local} {
		t.Run(cl.db, func(t *testing.T) {
			// A retry lands where the first insert did.
			if err := cl.Write(ctx, evs[:2500]); err != nil {
				t.Fatal(err)
			}
			a, b := localCount(t, cl, cl.nodeClients[0], "events_local"), localCount(t, cl, cl.nodeClients[1], "events_local")
			if a+b != len(evs) || a < len(evs)/4 || b < len(evs)/4 {
				t.Errorf("events per shard %d and %d, want about %d each", a, b, len(evs)/2)
			}
			compareAnswers(t, one, cl)
		})
	}
}

// TestInsertLocalNeedsShardMacro: without a {shard} macro on a node, the
// store cannot tell its shard and does not insert into local tables.
func TestInsertLocalNeedsShardMacro(t *testing.T) {
	s := openOn(t, chtest.Start(t), "nomacro")
	s.nodeClients = []*client{s.c}
	if err := s.findShards(context.Background()); err == nil || !strings.Contains(err.Error(), "no {shard} macro") {
		t.Errorf("find shards: %v, want the missing macro", err)
	}
}

// TestClusterRetention drops old partitions on both shards and keeps the
// rest.
func TestClusterRetention(t *testing.T) {
	nodes := chtest.StartCluster(t, 2)
	s := openCluster(t, nodes, "ret", false)
	ctx := context.Background()
	var evs []*event.Event
	for _, tenant := range []string{"acme", "other"} {
		for day := 0; day < 3; day++ {
			for _, e := range storetest.Events(tenant, 40) {
				e.Timestamp = e.Timestamp.AddDate(0, 0, day)
				e.ID = e.ID + string(rune('a'+day))
				evs = append(evs, e)
			}
		}
	}
	if err := s.Write(ctx, evs); err != nil {
		t.Fatal(err)
	}
	for i, c := range s.nodeClients {
		if n := localCount(t, s, c, "events_local"); n == 0 {
			t.Fatalf("shard %d has no events: the test would not show a drop on every shard", i+1)
		}
	}
	n, err := s.DropBefore(ctx, "acme", storetest.Base.AddDate(0, 0, 2))
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 { // acme's days 0 and 1, each on both shards
		t.Errorf("dropped %d partitions, want 2", n)
	}
	if got := total(t, s, store.Request{Tenant: "acme"}); got != 40 {
		t.Errorf("acme keeps %d events, want 40", got)
	}
	if got := total(t, s, store.Request{Tenant: "other"}); got != 120 {
		t.Errorf("other keeps %d events, want 120", got)
	}
	old := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	if n, err := s.DropBefore(ctx, "", old); err != nil || n != 0 {
		t.Errorf("nothing older than 2000: dropped %d, %v", n, err)
	}
}

// TestClusterConformance runs the store suite on a 2-shard cluster,
// inserting through the Distributed table and into the local tables.
func TestClusterConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole store suite on a cluster")
	}
	nodes := chtest.StartCluster(t, 2)
	for _, local := range []bool{false, true} {
		t.Run(fmt.Sprintf("insert_local=%v", local), func(t *testing.T) {
			storetest.Run(t, func(t *testing.T, dir string) store.Store {
				sum := sha256.Sum256([]byte(dir + fmt.Sprint(local)))
				return openCluster(t, nodes, "t_"+hex.EncodeToString(sum[:8]), local)
			})
		})
	}
}
