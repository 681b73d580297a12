package clickhouse

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/sqlgen"
)

// shard is one shard of the cluster: its replicas among Cluster.Nodes,
// which Vigil inserts into with Cluster.InsertLocal.
type shard struct {
	macro    string
	replicas []*client
}

// findShards groups the nodes by their {shard} macro (system.macros), in
// the macro's order (numeric when every one is a number), so that every
// Vigil node given the same servers sends an event to the same shard.
func (s *Store) findShards(ctx context.Context) error {
	byMacro := map[string]*shard{}
	for _, c := range s.nodeClients {
		res, err := c.query(ctx, "SELECT substitution FROM system.macros WHERE macro = 'shard'")
		if err != nil {
			return fmt.Errorf("read the shard macro of %s: %w", c.base.Redacted(), err)
		}
		var m string
		if len(res.Data) != 1 || len(res.Data[0]) != 1 || json.Unmarshal(res.Data[0][0], &m) != nil || m == "" {
			return fmt.Errorf("insert_local: server %s has no {shard} macro", c.base.Redacted())
		}
		if byMacro[m] == nil {
			byMacro[m] = &shard{macro: m}
			s.shards = append(s.shards, byMacro[m])
		}
		byMacro[m].replicas = append(byMacro[m].replicas, c)
	}
	slices.SortFunc(s.shards, func(a, b *shard) int {
		x, errA := strconv.Atoi(a.macro)
		y, errB := strconv.Atoi(b.macro)
		if errA == nil && errB == nil {
			return x - y
		}
		if a.macro < b.macro {
			return -1
		}
		return 1
	})
	return nil
}

// shardOf is the shard of an event: FNV-1a of its tenant and id, so that
// every copy of the event (a retry, a replay) goes where the first did and
// ReplacingMergeTree keeps one.
func shardOf(tenant, id string, shards int) int {
	h := fnv.New64a()
	h.Write([]byte(tenant))
	h.Write([]byte{0})
	h.Write([]byte(id))
	return int(h.Sum64() % uint64(shards))
}

// writeLocal inserts events into the local tables of their shards: one
// INSERT per shard (per maxInsertBytes), into the first of its replicas
// that takes it. A replica that fails after storing the rows leaves a copy
// that the next replica's rows replace (ReplacingMergeTree, and a
// replicated table's insert deduplication).
func (s *Store) writeLocal(ctx context.Context, d store.Dataset, events []*event.Event) error {
	table := sqlgen.CHIdent(s.db) + "." + sqlgen.CHIdent(s.localName(string(d)))
	per := make([][]*event.Event, len(s.shards))
	for _, e := range events {
		i := shardOf(e.Tenant, e.ID, len(s.shards))
		per[i] = append(per[i], e)
	}
	var w rowEncoder
	var b []byte
	for i, evs := range per {
		b = b[:0]
		for j, e := range evs {
			b = w.append(b, e)
			if len(b) >= maxInsertBytes || j == len(evs)-1 {
				if err := s.insertShard(ctx, s.shards[i], table, b); err != nil {
					return err
				}
				b = b[:0]
			}
		}
	}
	return nil
}

func (s *Store) insertShard(ctx context.Context, sh *shard, table string, rows []byte) error {
	var err error
	for _, c := range sh.replicas {
		if err = c.insert(ctx, table, rows); err == nil {
			return nil
		}
		if ctx.Err() != nil {
			break
		}
	}
	return fmt.Errorf("insert into shard %s: %w", sh.macro, err)
}
