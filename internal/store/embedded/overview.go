package embedded

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
)

// RetentionStatus is store.RetentionStatus.
type RetentionStatus = store.RetentionStatus

// RetentionOverview implements store.RetentionReporter with the store's
// policy and clock.
func (s *Store) RetentionOverview(tenant string) ([]RetentionStatus, error) {
	return RetentionOverview(s.opts.Dir, tenant, s.opts.Retention, s.opts.Now())
}

// RetentionOverview describes every tenant's cold data under dataDir/store
// (or one tenant's) and the policy applied to it, reading only the .meta
// files, so that it works beside a running server. Hot data is not
// retained: it is frozen first (storage.hot_age).
func RetentionOverview(dataDir, tenant string, policy func(tenant string) (time.Duration, int64), now time.Time) ([]RetentionStatus, error) {
	root := filepath.Join(dataDir, "store")
	sets, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("retention overview: %w", err)
	}
	var out []RetentionStatus
	for _, ds := range sets {
		if !ds.IsDir() {
			continue
		}
		coldDir := filepath.Join(root, ds.Name(), "cold")
		tenants, err := os.ReadDir(coldDir)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("retention overview: %w", err)
		}
		for _, t := range tenants {
			if !t.IsDir() || (tenant != "" && t.Name() != tenant) {
				continue
			}
			files, err := readTenantMeta(filepath.Join(coldDir, t.Name()), t.Name())
			if err != nil {
				return nil, err
			}
			if len(files) == 0 {
				continue
			}
			st := RetentionStatus{Dataset: ds.Name(), Tenant: t.Name()}
			st.MaxAge, st.MaxBytes = policy(t.Name())
			for _, f := range files {
				st.Files++
				st.Bytes += f.Size + metaSize(f)
				r := f.received()
				if st.OldestReceived.IsZero() || r.Before(st.OldestReceived) {
					st.OldestReceived = r
				}
				if r.After(st.NewestReceived) {
					st.NewestReceived = r
				}
				if st.OldestEvent.IsZero() || f.Min.Before(st.OldestEvent) {
					st.OldestEvent = f.Min
				}
				if f.Max.After(st.NewestEvent) {
					st.NewestEvent = f.Max
				}
			}
			oldest := retentionOrder(files)[0]
			switch {
			case st.MaxBytes > 0 && st.Bytes > st.MaxBytes:
				st.NextDeletion, st.NextReason = now, reasonMaxBytes
			case st.MaxAge > 0:
				st.NextDeletion, st.NextReason = oldest.received().Add(st.MaxAge), reasonMaxAge
			}
			if !st.NextDeletion.IsZero() {
				rel, _ := filepath.Rel(filepath.Join(root, ds.Name()), oldest.Path)
				st.NextFile = filepath.ToSlash(rel)
			}
			out = append(out, st)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Tenant != out[j].Tenant {
			return out[i].Tenant < out[j].Tenant
		}
		return out[i].Dataset < out[j].Dataset
	})
	return out, nil
}

// readTenantMeta reads the meta of a tenant's cold files without changing
// anything (unlike loadColdIndex, which clears what a crash left).
func readTenantMeta(dir, tenant string) ([]*coldFile, error) {
	var out []*coldFile
	days, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("retention overview: %w", err)
	}
	for _, d := range days {
		if !d.IsDir() {
			continue
		}
		names, err := os.ReadDir(filepath.Join(dir, d.Name()))
		if err != nil {
			return nil, fmt.Errorf("retention overview: %w", err)
		}
		for _, n := range names {
			if !strings.HasSuffix(n.Name(), ".parquet") {
				continue
			}
			p := filepath.Join(dir, d.Name(), n.Name())
			cf, err := readMeta(p)
			if errors.Is(err, fs.ErrNotExist) {
				continue // being frozen or deleted
			}
			if err != nil {
				return nil, err
			}
			st, err := n.Info()
			if err != nil {
				continue
			}
			cf.Path, cf.Tenant, cf.Day, cf.Size, cf.modTime = p, tenant, d.Name(), st.Size(), st.ModTime()
			cf.Tokens = nil
			out = append(out, cf)
		}
	}
	return out, nil
}
