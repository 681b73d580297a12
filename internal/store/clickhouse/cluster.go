package clickhouse

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// Cluster lays the event tables (events, deadletters, audit and the field
// catalog) out over a ClickHouse cluster (docs/format/clickhouse.md): each
// is a local table <name>_local on every server and a Distributed table
// <name> over them, which searches read and inserts go through. The record
// tables (alerts, incidents, the response log, dashboards) stay plain
// tables on the server of Options.URL.
type Cluster struct {
	// Name is a cluster of the servers' remote_servers; "" keeps the
	// single-server layout.
	Name string
	// Replicated makes the local tables Replicated* (ReplicatedReplacingMergeTree
	// for the datasets), which need ZooKeeper or ClickHouse Keeper.
	Replicated bool
	// ZooKeeperPath is the prefix of each replicated table's path in
	// ZooKeeper; the database and table are added (<prefix>/<db>/<table>).
	// It must name the shard, as the {shard} macro does. Default
	// /clickhouse/tables/{shard}.
	ZooKeeperPath string
	// Replica is each replica's name. Default {replica} (the macro).
	Replica string
	// ShardingKey picks the Distributed tables' sharding key: "event"
	// (default: cityHash64(tenant, event.id)) or "host" (cityHash64(tenant,
	// host.name)). Both are functions of the stored event, so an event
	// written twice lands on the same shard, where ReplacingMergeTree keeps
	// it once.
	ShardingKey string
	// Nodes are the HTTP URLs of every server of the cluster (each replica
	// of each shard). With them Vigil creates the tables and drops
	// partitions on each node itself, which needs no ZooKeeper; without
	// them it sends DDL ON CLUSTER Name (distributed DDL: ZooKeeper or
	// Keeper).
	Nodes []string
	// InsertLocal sends each event to the local table of its shard, a
	// function of its tenant and event.id (shardwrite.go), one INSERT per
	// shard, rather than through the Distributed table, which costs the
	// servers about twice the CPU (BenchmarkClusterInsert). It needs
	// Nodes, each with a {shard} macro; every writer must then insert this
	// way, or copies of an event may meet on different shards.
	InsertLocal bool
}

const (
	ShardByEvent = "event"
	ShardByHost  = "host"
)

var (
	clusterNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.-]{0,127}$`)
	// zkPathRE keeps a path to letters, digits, '/', '_', '-', '.' and
	// macros: it goes into SQL as a string, and ZooKeeper paths are plain.
	zkPathRE  = regexp.MustCompile(`^/[A-Za-z0-9_./{}-]{0,254}$`)
	replicaRE = regexp.MustCompile(`^[A-Za-z0-9_.{}-]{1,128}$`)
)

// check fills the defaults and validates c.
func (c *Cluster) check() error {
	if c.Name == "" {
		if c.Replicated || len(c.Nodes) > 0 || c.InsertLocal || c.ShardingKey != "" || c.ZooKeeperPath != "" || c.Replica != "" {
			return fmt.Errorf("cluster settings without a cluster name")
		}
		return nil
	}
	if !clusterNameRE.MatchString(c.Name) {
		return fmt.Errorf("cluster %q: want letters, digits, '_', '.', '-'", c.Name)
	}
	switch c.ShardingKey {
	case "":
		c.ShardingKey = ShardByEvent
	case ShardByEvent, ShardByHost:
	default:
		return fmt.Errorf("cluster sharding key %q: want %s or %s", c.ShardingKey, ShardByEvent, ShardByHost)
	}
	if c.ZooKeeperPath == "" {
		c.ZooKeeperPath = "/clickhouse/tables/{shard}"
	}
	c.ZooKeeperPath = strings.TrimRight(c.ZooKeeperPath, "/")
	if !zkPathRE.MatchString(c.ZooKeeperPath) || strings.Contains(c.ZooKeeperPath, "//") {
		return fmt.Errorf("cluster zookeeper path %q: want /a/b/{shard} of letters, digits, '_', '-', '.' and macros", c.ZooKeeperPath)
	}
	if c.Replicated && !strings.Contains(c.ZooKeeperPath, "{shard}") {
		// Without the shard in the path every shard's table would be a
		// replica of one table: each shard would hold every event.
		return fmt.Errorf("cluster zookeeper path %q: must contain {shard}", c.ZooKeeperPath)
	}
	if c.Replica == "" {
		c.Replica = "{replica}"
	}
	if !replicaRE.MatchString(c.Replica) {
		return fmt.Errorf("cluster replica %q: want letters, digits, '_', '-', '.' and macros", c.Replica)
	}
	if c.InsertLocal && len(c.Nodes) == 0 {
		return fmt.Errorf("cluster insert_local needs the nodes")
	}
	for _, n := range c.Nodes {
		u, err := url.Parse(n)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
			return fmt.Errorf("cluster node %q: want http(s)://host:port without credentials", redactedURL(n))
		}
	}
	return nil
}

// shardingKey is the SQL of the Distributed tables' sharding key of a
// dataset's table. It must be a function of the row alone (not rand()):
// ReplacingMergeTree removes duplicates within a shard only, so a retried
// insert must send each row to the shard the first one did.
func (c *Cluster) shardingKey() string {
	if c.ShardingKey == ShardByHost {
		return "cityHash64(v_tenant, ifNull(v_host_name, ''))"
	}
	return "cityHash64(v_tenant, v_id)"
}

// onCluster is the ON CLUSTER clause of DDL sent once for the whole
// cluster, "" when Vigil runs it on each node (Nodes) or on one server.
func (s *Store) onCluster() string {
	if s.cluster.Name == "" || len(s.cluster.Nodes) > 0 {
		return ""
	}
	return " ON CLUSTER " + sqlgen.CHIdent(s.cluster.Name)
}

// engine is the ENGINE clause of a local table: kind is MergeTree or
// ReplacingMergeTree, args its arguments ("" or "version").
func (s *Store) engine(kind, table, args string) string {
	if !s.cluster.Replicated {
		if args == "" {
			return kind
		}
		return kind + "(" + args + ")"
	}
	path := s.cluster.ZooKeeperPath + "/" + s.db + "/" + table
	a := sqlgen.CHString(path) + ", " + sqlgen.CHString(s.cluster.Replica)
	if args != "" {
		a += ", " + args
	}
	return "Replicated" + kind + "(" + a + ")"
}

// localName is the name of the table that holds the rows of name: name
// itself on one server, name_local on a cluster.
func (s *Store) localName(name string) string {
	if s.cluster.Name == "" {
		return name
	}
	return name + "_local"
}

// distributedDDL is the Distributed table name over name_local.
func (s *Store) distributedDDL(name, columns, key string) string {
	return "CREATE TABLE IF NOT EXISTS " + sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(name) + s.onCluster() +
		" (\n" + columns + "\n) ENGINE = Distributed(" + sqlgen.CHIdent(s.cluster.Name) + ", " + sqlgen.CHIdent(s.db) + ", " +
		sqlgen.CHIdent(name+"_local") + ", " + key + ")"
}

// schemaStatements is the DDL of the event tables, in order.
func (s *Store) schemaStatements() []string {
	stmts := []string{"CREATE DATABASE IF NOT EXISTS " + sqlgen.CHIdent(s.db) + s.onCluster(), fieldsDDL(s)}
	if s.cluster.Name != "" {
		stmts = append(stmts, s.distributedDDL("fields", fieldsColumns, "cityHash64(dataset, field)"))
	}
	for _, d := range store.Datasets {
		stmts = append(stmts, tableDDL(s, d))
		if s.cluster.Name != "" {
			stmts = append(stmts, s.distributedDDL(string(d), tableColumns(), s.cluster.shardingKey()))
		}
	}
	return stmts
}

// nodes are the clients of the servers DDL and retention run on: the
// cluster's nodes when Vigil is given them, else the server of the URL.
func (s *Store) nodes() []*client {
	if len(s.nodeClients) > 0 {
		return s.nodeClients
	}
	return []*client{s.c}
}

func (s *Store) openNodes() {
	for _, n := range s.cluster.Nodes {
		u, _ := url.Parse(n) // checked by Cluster.check
		s.nodeClients = append(s.nodeClients, &client{base: u, user: s.opts.User, password: s.opts.Password, http: &http.Client{}})
	}
}
