package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// DropBefore deletes, in every dataset, the partitions of tenant ("": of
// every tenant) whose days all end before the day of before: retention by
// ALTER TABLE … DROP PARTITION, which works on every ClickHouse version
// and costs the same whatever a partition holds. It returns how many
// partitions it dropped.
func (s *Store) DropBefore(ctx context.Context, tenant string, before time.Time) (int, error) {
	if tenant != "" && !store.ValidTenant(tenant) {
		return 0, fmt.Errorf("drop partitions: tenant %q is not valid", tenant)
	}
	return s.DropBeforeFunc(ctx, before, func(t string) bool { return tenant == "" || t == tenant })
}

// DropBeforeFunc is DropBefore for the tenants for which want is true.
// On a cluster it drops the partitions of the local tables of every shard:
// ALTER TABLE … ON CLUSTER … DROP PARTITION once for each, or, when Vigil
// is given the cluster's nodes, ALTER TABLE … DROP PARTITION on each node
// that has it.
func (s *Store) DropBeforeFunc(ctx context.Context, before time.Time, want func(tenant string) bool) (int, error) {
	day := before.UTC().Format(time.DateOnly)
	dropped := 0
	for _, d := range store.Datasets {
		local := s.localName(string(d))
		parts, err := s.oldPartitions(ctx, local, day)
		if err != nil {
			return dropped, fmt.Errorf("list partitions of %s: %w", d, err)
		}
		for _, p := range parts {
			tenant, ok := partitionTenant(p.partition)
			if !ok {
				return dropped, fmt.Errorf("list partitions of %s: unexpected partition %q", d, p.partition)
			}
			if !want(tenant) {
				continue
			}
			q := "ALTER TABLE " + sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(local) + s.onCluster() + " DROP PARTITION " + p.partition
			for _, c := range p.on {
				if err := c.exec(ctx, q); err != nil {
					return dropped, fmt.Errorf("drop partition %s of %s: %w", p.partition, d, err)
				}
			}
			s.log.Info("clickhouse retention dropped a partition", "dataset", string(d), "partition", p.partition, "servers", len(p.on))
			dropped++
		}
	}
	return dropped, nil
}

// oldPartition is a partition to drop and the servers to send the ALTER
// to.
type oldPartition struct {
	partition string
	on        []*client
}

// oldPartitions lists the partitions of a table whose days all end before
// day: on each node, or, with DDL ON CLUSTER, on one replica of each shard
// (the cluster table function) with the ALTER sent once.
func (s *Store) oldPartitions(ctx context.Context, table, day string) ([]oldPartition, error) {
	// The partition column is the key as ClickHouse writes it, such as
	// ('2026-11-23','acme'): fed back verbatim to DROP PARTITION.
	from := "system.parts"
	if s.onCluster() != "" {
		from = "cluster(" + sqlgen.CHString(s.cluster.Name) + ", system, parts)"
	}
	q := "SELECT DISTINCT partition FROM " + from + " WHERE active AND database = " + sqlgen.CHString(s.db) +
		" AND table = " + sqlgen.CHString(table) + " AND max_date < toDate(" + sqlgen.CHString(day) + ") ORDER BY partition"
	var out []oldPartition
	index := map[string]int{}
	for _, c := range s.nodes() {
		res, err := c.query(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, row := range res.Data {
			var part string
			if len(row) != 1 || json.Unmarshal(row[0], &part) != nil {
				return nil, fmt.Errorf("bad row %s", row)
			}
			i, ok := index[part]
			if !ok {
				i = len(out)
				index[part] = i
				out = append(out, oldPartition{partition: part})
			}
			out[i].on = append(out[i].on, c)
		}
	}
	return out, nil
}

// partitionTenant checks that a partition key is ('YYYY-MM-DD','tenant'),
// the only form this store's tables have, before it goes into SQL, and
// returns its tenant.
func partitionTenant(p string) (string, bool) {
	if !strings.HasPrefix(p, "('") || !strings.HasSuffix(p, "')") || len(p) < len("('2006-01-02','x')") {
		return "", false
	}
	date, tenant, ok := strings.Cut(p[2:len(p)-2], "','")
	if !ok {
		return "", false
	}
	_, err := time.Parse(time.DateOnly, date)
	return tenant, err == nil && store.ValidTenant(tenant)
}
