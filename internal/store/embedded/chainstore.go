package embedded

import (
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// The dataset's side of the chain: what a start settles, what a freeze and
// retention record in the manifest.

// settleChain finishes what a crash left in the manifest: freezes that
// were never marked frozen are abandoned (loadColdIndex removed their
// files), deletions recorded but not done are done, and a store that ran
// before the chain existed has its cold files and hot segments adopted.
func (d *dataset) settleChain() error {
	defer d.chain.makeLean()
	st := d.chain.st // nothing else runs yet
	for i := len(st.freezes) - 1; i >= 0; i-- {
		fz := st.freezes[i]
		if fz.Last <= d.hot.frozen {
			break
		}
		if err := d.chain.append(&manifestEntry{Kind: entryAbandon, Abandons: fz.N, First: fz.First, Last: fz.Last}); err != nil {
			return err
		}
		d.log.Warn("a freeze was cut short; its segments stay hot and are frozen again", "segments", fmt.Sprintf("%d-%d", fz.First, fz.Last))
	}
	var unfinished []*coldFile
	for _, files := range d.cold.all() {
		for _, f := range files {
			if _, gone := st.deleted[d.rel(f.Path)]; gone {
				unfinished = append(unfinished, f)
			}
		}
	}
	if len(unfinished) > 0 {
		if err := d.cold.remove(unfinished); err != nil {
			return fmt.Errorf("finish retention: %w", err)
		}
	}
	if !d.chain.empty() {
		return nil
	}
	adopt := &manifestEntry{Kind: entryAdopt}
	for _, files := range d.cold.all() {
		for _, f := range files {
			rec, err := fileRecord(d.dir, f.Path, f.Tenant, f.Rows)
			if err != nil {
				return fmt.Errorf("adopt cold files: %w", err)
			}
			adopt.Files = append(adopt.Files, rec)
		}
	}
	for _, s := range d.hot.sealedSegments() {
		data, err := os.ReadFile(s.path)
		if err != nil {
			return fmt.Errorf("adopt hot segments: %w", err)
		}
		if scanSegment(data, s.seq).chained {
			continue
		}
		adopt.Segments = append(adopt.Segments, manifestSegment{Seq: s.seq, Size: int64(len(data)), SHA256: sha256Sum(data)})
	}
	if len(adopt.Files) == 0 && len(adopt.Segments) == 0 {
		return nil
	}
	d.log.Info("adopted the data stored before the hash chain", "cold_files", len(adopt.Files), "hot_segments", len(adopt.Segments))
	return d.chain.append(adopt)
}

// rel is a path of the dataset as the manifest names it.
func (d *dataset) rel(path string) string {
	r, err := filepath.Rel(d.dir, path)
	if err != nil {
		return path
	}
	return filepath.ToSlash(r)
}

// freezeRecord is a freeze entry being prepared: the chain checked over
// the frozen segments and the hashes of the files, before they are
// published.
type freezeRecord struct {
	entry *manifestEntry
	files []manifestFile
}

// prepareFreeze checks the chain of the segments being frozen and hashes
// the files written from them (still under tmp/). A broken chain does not
// stop the freeze, which would lose nothing but block the dataset: the
// breaks are recorded in the entry, where verify keeps reporting them.
func (d *dataset) prepareFreeze(segs []*segment, segData [][]byte, files []*coldFile) (*freezeRecord, error) {
	first, last := segs[0].seq, segs[len(segs)-1].seq
	st := d.chain.snapshot()
	head := st.hotChainAt(d.hot.frozen)
	e := &manifestEntry{Kind: entryFreeze, First: first, Last: last}
	for i, s := range segs {
		data := segData[i]
		sc := scanSegment(data, s.seq)
		if !sc.chained {
			if a, ok := st.adopted[s.seq]; !ok || a.Size != int64(len(data)) || a.SHA256 != sha256Sum(data) {
				e.Problems = append(e.Problems, fmt.Sprintf("segment %d: not chained and not as adopted", s.seq))
			}
			continue
		}
		if sc.header.Prev != head {
			e.Problems = append(e.Problems, fmt.Sprintf("segment %d: does not follow the segment before it", s.seq))
		}
		for _, p := range sc.problems {
			e.Problems = append(e.Problems, fmt.Sprintf("segment %d: %s: %s", s.seq, p.Kind, p.Detail))
		}
		if sc.tail > 0 {
			e.Problems = append(e.Problems, fmt.Sprintf("segment %d: %d bytes after its last batch trailer", s.seq, sc.tail))
		}
		head = sc.head
	}
	if len(e.Problems) > 0 {
		d.m.chainBreaks.WithLabelValues(string(d.name)).Add(float64(len(e.Problems)))
		d.log.Error("hot segments being frozen fail their hash chain: they were changed on disk; the freeze records it", "segments", fmt.Sprintf("%d-%d", first, last), "problems", e.Problems)
	}
	e.HotChain = &head
	rec := &freezeRecord{entry: e}
	for _, f := range files {
		mf, err := fileRecord(filepath.Dir(f.Path), f.Path, f.Tenant, f.Rows)
		if err != nil {
			return nil, err
		}
		rec.files = append(rec.files, mf)
	}
	return rec, nil
}

// commitFreeze appends the freeze entry once the files are published under
// their final paths (same order as given to prepareFreeze).
func (d *dataset) commitFreeze(rec *freezeRecord, files []*coldFile) error {
	for i, f := range files {
		rec.files[i].Path = d.rel(f.Path)
	}
	rec.entry.Files = rec.files
	return d.chain.append(rec.entry)
}

// recordDeletion appends a delete entry for files retention is about to
// delete.
func (d *dataset) recordDeletion(files []*coldFile, reason string) error {
	e := &manifestEntry{Kind: entryDelete, Reason: reason}
	for _, f := range files {
		rec, ok := d.chain.recorded(d.rel(f.Path))
		if !ok {
			// Not in the manifest (verify reports it): record what is there.
			var err error
			if rec, err = fileRecord(d.dir, f.Path, f.Tenant, f.Rows); err != nil {
				return err
			}
		}
		e.Files = append(e.Files, rec)
	}
	return d.chain.append(e)
}

// receivedRange is when the segments' rows were received; a segment from
// before the chain counts from when it was created.
func receivedRange(segs []*segment) (lo, hi time.Time) {
	for _, s := range segs {
		a, b := s.receivedMin, s.receivedMax
		if a.IsZero() {
			a, b = s.created, s.created
		}
		if lo.IsZero() || a.Before(lo) {
			lo = a
		}
		if b.After(hi) {
			hi = b
		}
	}
	return lo.UTC(), hi.UTC()
}
