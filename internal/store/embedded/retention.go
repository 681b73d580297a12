package embedded

import (
	"sort"
	"time"
)

// Retention reasons recorded in the manifest.
const (
	reasonMaxAge   = "max_age"
	reasonMaxBytes = "max_bytes"
)

// retain applies each tenant's retention to its cold files. Age counts from
// when the store received the rows, not from their @timestamp: imported
// history is kept as long as data that arrived with it. Files whose newest
// row was received longer ago than the max age go, then the oldest files
// until the tenant's cold bytes fit its max bytes. The deletions are
// recorded in the manifest before the files go, so they never read as
// tampering.
func (d *dataset) retain(now time.Time) error {
	drop := map[string][]*coldFile{}
	n := 0
	for tenant, files := range d.cold.all() {
		maxAge, maxBytes := d.cfg.Retention(tenant)
		var total int64
		for _, f := range files {
			total += f.Size + metaSize(f)
		}
		for _, f := range retentionOrder(files) {
			reason := ""
			switch {
			case maxAge > 0 && f.received().Before(now.Add(-maxAge)):
				reason = reasonMaxAge
			case maxBytes > 0 && total > maxBytes:
				reason = reasonMaxBytes
			}
			if reason == "" {
				break
			}
			drop[reason] = append(drop[reason], f)
			n++
			total -= f.Size + metaSize(f)
		}
	}
	if n == 0 {
		return nil
	}
	d.filesMu.Lock()
	defer d.filesMu.Unlock()
	for _, reason := range []string{reasonMaxAge, reasonMaxBytes} {
		if len(drop[reason]) == 0 {
			continue
		}
		if err := d.recordDeletion(drop[reason], reason); err != nil {
			return err
		}
		if err := d.cold.remove(drop[reason]); err != nil {
			return err
		}
		d.m.retainedFiles.WithLabelValues(string(d.name)).Add(float64(len(drop[reason])))
		d.log.Info("retention deleted cold files", "files", len(drop[reason]), "reason", reason)
	}
	return nil
}

// retentionOrder returns files oldest received first (then by day and
// segment range, the index's order).
func retentionOrder(files []*coldFile) []*coldFile {
	out := append([]*coldFile(nil), files...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].received().Before(out[j].received()) })
	return out
}
