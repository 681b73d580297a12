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
func (s *Store) DropBeforeFunc(ctx context.Context, before time.Time, want func(tenant string) bool) (int, error) {
	day := before.UTC().Format(time.DateOnly)
	dropped := 0
	for _, d := range store.Datasets {
		// The partition column is the key as ClickHouse writes it, such as
		// ('2026-11-23','acme'): fed back verbatim to DROP PARTITION.
		q := "SELECT DISTINCT partition FROM system.parts WHERE active AND database = " + sqlgen.CHString(s.db) +
			" AND table = " + sqlgen.CHString(string(d)) + " AND max_date < toDate(" + sqlgen.CHString(day) + ")"
		res, err := s.c.query(ctx, q)
		if err != nil {
			return dropped, fmt.Errorf("list partitions of %s: %w", d, err)
		}
		for _, row := range res.Data {
			var part string
			if len(row) != 1 || json.Unmarshal(row[0], &part) != nil {
				return dropped, fmt.Errorf("list partitions of %s: bad row %s", d, row)
			}
			tenant, ok := partitionTenant(part)
			if !ok {
				return dropped, fmt.Errorf("list partitions of %s: unexpected partition %q", d, part)
			}
			if !want(tenant) {
				continue
			}
			if err := s.c.exec(ctx, "ALTER TABLE "+s.table(d)+" DROP PARTITION "+part); err != nil {
				return dropped, fmt.Errorf("drop partition %s of %s: %w", part, d, err)
			}
			s.log.Info("clickhouse retention dropped a partition", "dataset", string(d), "partition", part)
			dropped++
		}
	}
	return dropped, nil
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
