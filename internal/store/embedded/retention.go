package embedded

import (
	"encoding/base64"
	"time"
)

func base64Std(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// retain applies each tenant's retention to its cold files: files whose
// newest event is older than the max age go, then the oldest files until
// the tenant's cold bytes fit its max bytes.
func (d *dataset) retain(now time.Time) error {
	var drop []*coldFile
	for tenant, files := range d.cold.all() {
		maxAge, maxBytes := d.cfg.Retention(tenant)
		var total int64
		for _, f := range files {
			total += f.Size + metaSize(f)
		}
		for _, f := range files { // oldest first
			expired := maxAge > 0 && f.Max.Before(now.Add(-maxAge))
			over := maxBytes > 0 && total > maxBytes
			if !expired && !over {
				break
			}
			drop = append(drop, f)
			total -= f.Size + metaSize(f)
		}
	}
	if len(drop) == 0 {
		return nil
	}
	d.filesMu.Lock()
	err := d.cold.remove(drop)
	d.filesMu.Unlock()
	d.m.retainedFiles.WithLabelValues(string(d.name)).Add(float64(len(drop)))
	d.log.Info("retention deleted cold files", "files", len(drop))
	return err
}
