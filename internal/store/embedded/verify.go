package embedded

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Finding is one thing Verify found, about one file of a dataset.
type Finding struct {
	Dataset string `json:"dataset"`
	// Kind of a problem: edited, missing, truncated, reordered, unknown (a
	// file the chain does not know) or damaged (a freeze found its
	// segments changed). Kind of a note: unsealed (a write in flight or
	// cut by a crash), pending (a freeze in progress) or unfinished (a
	// deletion or manifest append a crash cut short; the next start
	// finishes it).
	Kind string `json:"kind"`
	// Path is relative to the dataset directory.
	Path   string `json:"path"`
	Detail string `json:"detail"`
}

type finding = Finding

func (f Finding) String() string {
	return fmt.Sprintf("%s/%s: %s: %s", f.Dataset, f.Path, f.Kind, f.Detail)
}

// VerifySummary counts what Verify checked in one dataset.
type VerifySummary struct {
	Dataset         string `json:"dataset"`
	ManifestEntries uint64 `json:"manifest_entries"`
	HotSegments     int    `json:"hot_segments"`
	HotBatches      int    `json:"hot_batches"`
	ColdFiles       int    `json:"cold_files"`
	ColdBytes       int64  `json:"cold_bytes"`
	// ManifestHead and HotHead are the ends of the two chains: kept
	// elsewhere (a ticket, another host), they show later that no one
	// rewrote the chains themselves.
	ManifestHead string `json:"manifest_head"`
	HotHead      string `json:"hot_head"`
}

// VerifyReport is the outcome of Verify: intact when Problems is empty.
type VerifyReport struct {
	Problems []Finding       `json:"problems"`
	Notes    []Finding       `json:"notes"`
	Datasets []VerifySummary `json:"datasets"`
}

// Verify checks the hash chains of every dataset under dataDir/store: the
// manifest's links, every cold file it records as live against its hash,
// every cold file on disk against the manifest, and every hot segment's
// batches and links. It only reads, so it works on a stopped server's
// directory and beside a running one (whose unsealed tail and freeze in
// progress it reports as notes). With a tenant, only that tenant's cold
// files are checked; hot segments hold every tenant and are always checked.
func Verify(dataDir, tenant string) (*VerifyReport, error) {
	root := filepath.Join(dataDir, "store")
	ents, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", root, err)
	}
	rep := &VerifyReport{Problems: []Finding{}, Notes: []Finding{}, Datasets: []VerifySummary{}}
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if !exists(filepath.Join(dir, "hot")) && !exists(filepath.Join(dir, manifestName)) {
			continue // not a dataset (duckdb.tmp)
		}
		// Beside a running server a freeze or retention moves files
		// between the reads of the pass; each read that finds a file gone
		// reads the frozen mark or the manifest again (both are written
		// before files go), so one pass tells such moves from tampering.
		v := &verifier{name: e.Name(), dir: dir, tenant: tenant, rep: &VerifyReport{}}
		if err := v.run(); err != nil {
			return nil, err
		}
		rep.Problems = append(rep.Problems, v.rep.Problems...)
		rep.Notes = append(rep.Notes, v.rep.Notes...)
		rep.Datasets = append(rep.Datasets, v.sum)
	}
	return rep, nil
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

type verifier struct {
	name, dir, tenant string
	rep               *VerifyReport
	sum               VerifySummary
	st                *manifestState
	fresh             *manifestState // the manifest read again, once, by deletedSince
	frozen            uint64
	// hook, for tests, runs at stages of the pass ("cold listed", "hot" before the hot
	// directory is listed, "hot listed", "hot read" before each segment is
	// read) so that a test can freeze between the reads.
	hook func(stage string)
}

// at calls the test hook at a stage of the pass.
func (v *verifier) at(stage string) {
	if v.hook != nil {
		v.hook(stage)
	}
}

// refreeze reads the frozen mark again and, when a freeze moved it since
// the last read, the manifest too: a freeze appends its entry before it
// moves the mark, so the manifest read after the mark records every
// freeze up to it.
func (v *verifier) refreeze() error {
	b, err := os.ReadFile(filepath.Join(v.dir, "hot", "frozen"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	frozen, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || frozen <= v.frozen {
		return nil // run reported a mark that is not a number; it only grows
	}
	st, err := readManifest(filepath.Join(v.dir, manifestName))
	if err != nil {
		return err
	}
	v.frozen, v.st = frozen, st
	return nil
}

func (v *verifier) problem(kind, path, detail string) {
	v.rep.Problems = append(v.rep.Problems, Finding{Dataset: v.name, Kind: kind, Path: path, Detail: detail})
}

func (v *verifier) note(kind, path, detail string) {
	v.rep.Notes = append(v.rep.Notes, Finding{Dataset: v.name, Kind: kind, Path: path, Detail: detail})
}

func (v *verifier) run() error {
	v.sum.Dataset = v.name
	// The frozen mark before the manifest: a freeze appends its entry
	// before it moves the mark, so every segment at or below the mark read
	// here has its entry in the manifest read next.
	if b, err := os.ReadFile(filepath.Join(v.dir, "hot", "frozen")); err == nil {
		if v.frozen, err = strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err != nil {
			v.problem("edited", "hot/frozen", "not a segment number")
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("verify: %w", err)
	}
	st, err := readManifest(filepath.Join(v.dir, manifestName))
	if err != nil {
		return err
	}
	v.st = st
	v.sum.ManifestEntries = st.n
	v.sum.ManifestHead = st.head.String()
	for _, p := range st.problems {
		p.Dataset = v.name
		v.rep.Problems = append(v.rep.Problems, p)
	}
	if st.partial > 0 {
		v.note("unfinished", manifestName, fmt.Sprintf("ends in a partial entry of %d bytes (an append cut short; cut at the next start)", st.partial))
	}
	// Freezes run one at a time and each sets the mark: with two or more
	// recorded, the mark was written (only the newest may be cut short).
	if !exists(filepath.Join(v.dir, "hot", "frozen")) && len(st.freezes) > 1 {
		v.problem("missing", "hot/frozen", fmt.Sprintf("the manifest records %d freezes but the frozen mark is gone", len(st.freezes)))
	}
	for _, e := range st.entries {
		for _, p := range e.Problems {
			v.problem("damaged", fmt.Sprintf("hot/%s", segName(e.First)), fmt.Sprintf("found by the freeze of segments %d-%d (manifest entry %d): %s", e.First, e.Last, e.N, p))
		}
	}
	if err := v.cold(); err != nil {
		return err
	}
	return v.hot()
}

// cold checks the cold files against the manifest.
func (v *verifier) cold() error {
	onDisk := map[string]bool{}
	coldDir := filepath.Join(v.dir, "cold")
	err := filepath.WalkDir(coldDir, func(p string, de os.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				// No cold files yet, or retention removed a day
				// directory it emptied during the walk: what it held
				// is checked against the manifest below.
				return filepath.SkipDir
			}
			return err
		}
		if de.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(v.dir, p)
		onDisk[filepath.ToSlash(rel)] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("verify: list cold files: %w", err)
	}
	v.at("cold listed")
	paths := make([]string, 0, len(v.st.live))
	for p := range v.st.live {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		f := v.st.live[p]
		if v.tenant != "" && f.Tenant != v.tenant {
			continue
		}
		n := v.st.liveEntry[p]
		e := v.st.byN[n]
		pending := e != nil && e.Kind == entryFreeze && e.Last > v.frozen
		if !onDisk[p] || !exists(filepath.Join(v.dir, filepath.FromSlash(p))) {
			switch {
			case v.deletedSince(p):
				// retention deleted it after the manifest was read
			case pending:
				v.note("pending", p, fmt.Sprintf("recorded by the freeze of manifest entry %d, not yet in place (a freeze in progress, or cut short: abandoned at the next start)", n))
			default:
				v.problem("missing", p, fmt.Sprintf("recorded by manifest entry %d; no deletion is recorded", n))
			}
			continue
		}
		v.sum.ColdFiles++
		v.sum.ColdBytes += f.Size
		v.checkFile(p, f.Size, f.SHA256, n)
		if onDisk[p+".meta"] {
			v.checkFile(p+".meta", f.MetaSize, f.MetaSHA256, n)
		} else if !v.deletedSince(p) {
			v.problem("missing", p+".meta", fmt.Sprintf("recorded by manifest entry %d; no deletion is recorded", n))
		}
	}
	extra := make([]string, 0)
	for p := range onDisk {
		if strings.HasSuffix(p, ".meta") {
			if onDisk[strings.TrimSuffix(p, ".meta")] {
				continue
			}
		}
		if _, ok := v.st.live[strings.TrimSuffix(p, ".meta")]; ok {
			continue
		}
		if v.tenant != "" && !strings.HasPrefix(p, "cold/"+v.tenant+"/") {
			continue
		}
		extra = append(extra, p)
	}
	sort.Strings(extra)
	for _, p := range extra {
		base := strings.TrimSuffix(p, ".meta")
		_, last, named := parseColdName(filepath.Base(base))
		switch {
		case v.st.deleted[base] > 0:
			v.note("unfinished", p, fmt.Sprintf("deleted by retention in manifest entry %d, still on disk (removed at the next start)", v.st.deleted[base]))
		case v.st.abandoned[base] > 0:
			v.note("unfinished", p, fmt.Sprintf("from a freeze abandoned in manifest entry %d (removed at the next start)", v.st.abandoned[base]))
		case named && last > v.frozen:
			v.note("pending", p, "from a freeze in progress or cut short (removed at the next start unless it completes)")
		default:
			v.problem("unknown", p, "not recorded in the manifest (a file added, or its record removed)")
		}
	}
	return nil
}

// deletedSince reports whether the manifest, read again, records p as
// deleted: retention ran beside a running server during the pass.
// Retention records a deletion before it removes the files, so a manifest
// read after a file was found gone records it when retention removed it;
// the manifest is read again only when it has grown since the last read.
func (v *verifier) deletedSince(p string) bool {
	if v.fresh != nil && v.fresh.deleted[p] > 0 {
		return true
	}
	mp := filepath.Join(v.dir, manifestName)
	if fi, err := os.Stat(mp); err != nil || v.fresh != nil && fi.Size() == v.fresh.size+int64(v.fresh.partial) {
		return false
	}
	st, err := readManifest(mp)
	if err != nil {
		return false
	}
	v.fresh = st
	return v.fresh.deleted[p] > 0
}

func (v *verifier) checkFile(p string, size int64, sum chainHash, n uint64) {
	gotSize, got, err := hashFile(filepath.Join(v.dir, filepath.FromSlash(p)))
	switch {
	case errors.Is(err, fs.ErrNotExist) && v.deletedSince(strings.TrimSuffix(p, ".meta")):
		// retention deleted it after the listing
	case err != nil:
		v.problem("missing", p, fmt.Sprintf("cannot be read: %v", err))
	case gotSize < size:
		v.problem("truncated", p, fmt.Sprintf("%d bytes; manifest entry %d recorded %d", gotSize, n, size))
	case gotSize != size || got != sum:
		v.problem("edited", p, fmt.Sprintf("its SHA-256 differs from manifest entry %d", n))
	}
}

// hot checks the hot segments' chains, from the last freeze on.
func (v *verifier) hot() error {
	hotDir := filepath.Join(v.dir, "hot")
	v.at("hot")
	ents, err := os.ReadDir(hotDir)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("verify: list hot segments: %w", err)
	}
	v.at("hot listed")
	// A freeze beside a running server may have moved the frozen mark and
	// removed its segments since run read the mark: read it again, now that
	// the listing is taken, so that no segment the listing lacks reads as
	// missing (segments above the mark read now were all there to list).
	if err := v.refreeze(); err != nil {
		return err
	}
	var seqs []uint64
	for _, e := range ents {
		if seq, ok := parseSegName(e.Name()); ok {
			seqs = append(seqs, seq)
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	var head *hotHead
	if b, err := os.ReadFile(filepath.Join(hotDir, headName)); err == nil {
		head = &hotHead{}
		if err := json.Unmarshal(b, head); err != nil {
			v.problem("edited", "hot/"+headName, fmt.Sprintf("not valid: %v", err))
			head = nil
		}
	}
	prev := v.st.hotChainAt(v.frozen)
	var prevSeq uint64
	if cf := v.st.committedFreeze(v.frozen); cf != nil {
		prevSeq = cf.Last
	}
	sizes := map[uint64]int64{}
	broken := false   // the last segment's chain is broken: its end is unknown
	var before uint64 // the segment listed before this one, 0 for the first
	for i, seq := range seqs {
		if seq <= v.frozen {
			continue
		}
		p := "hot/" + segName(seq)
		last := i == len(seqs)-1
		v.at("hot read")
		data, err := os.ReadFile(filepath.Join(hotDir, segName(seq)))
		if os.IsNotExist(err) {
			// Removed since the listing: frozen (the mark is written
			// before a freeze removes its segments), or deleted.
			if err := v.refreeze(); err != nil {
				return err
			}
			if seq <= v.frozen {
				// The chain goes on from that freeze.
				prev = v.st.hotChainAt(v.frozen)
				prevSeq = 0
				if cf := v.st.committedFreeze(v.frozen); cf != nil {
					prevSeq = cf.Last
				}
				before = 0
				continue
			}
			v.problem("missing", p, "deleted while verify ran, and not frozen")
			before = seq
			continue
		}
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		prevListed := before
		before = seq
		sizes[seq] = int64(len(data))
		if len(data) == 0 {
			continue // opened, never written
		}
		v.sum.HotSegments++
		sc := scanSegment(data, seq)
		if !sc.chained {
			a, ok := v.st.adopted[seq]
			switch {
			case ok && a.Size == int64(len(data)) && a.SHA256 == sha256Sum(data):
			case ok:
				v.problem("edited", p, "written before the chain; its SHA-256 differs from the adopted one")
			case last && head == nil && len(data) <= len(segHeaderKey)+200 && strings.HasPrefix(segHeaderKey+"\x00", string(data[:min(len(data), len(segHeaderKey))])):
				v.note("unsealed", p, "a first write in flight or cut by a crash")
			default:
				v.problem("edited", p, "has no chain header and was not adopted")
			}
			prevSeq = seq
			continue
		}
		if prevSeq > 0 && seq != prevSeq+1 {
			v.problem("missing", fmt.Sprintf("hot/%s", segName(prevSeq+1)), fmt.Sprintf("segments %d-%d are missing", prevSeq+1, seq-1))
		} else if sc.header.Prev != prev {
			if prevListed == 0 {
				v.problem("missing", p, "does not continue the chain from the last freeze (a segment before it missing, or segments reordered)")
			} else {
				v.problem("truncated", p, fmt.Sprintf("does not continue from segment %d: batches lost at the end of segment %d (truncated), or segments reordered", prevListed, prevListed))
			}
		}
		for _, f := range sc.problems {
			v.problem(f.Kind, p, f.Detail)
		}
		broken = len(sc.problems) > 0
		v.sum.HotBatches += sc.batches
		if sc.tail > 0 && len(sc.problems) == 0 {
			switch {
			case !last:
				v.problem("truncated", p, fmt.Sprintf("%d bytes after its last batch trailer (a batch cut short)", sc.tail))
			case head != nil:
				v.problem("edited", p, fmt.Sprintf("%d bytes after its last batch trailer, after a clean stop", sc.tail))
			default:
				v.note("unsealed", p, fmt.Sprintf("%d bytes after the last batch trailer: a write in flight, or cut by a crash (cut at the next start)", sc.tail))
			}
		}
		prev = sc.head
		prevSeq = seq
	}
	v.sum.HotHead = prev.String()
	if head == nil {
		return nil
	}
	// A clean stop recorded where the chain ended: the log must end there.
	hp := "hot/" + segName(head.Seq)
	switch got, ok := sizes[head.Seq]; {
	case head.Size > 0 && !ok:
		v.problem("missing", hp, fmt.Sprintf("the open segment at the clean stop (%d bytes) is gone", head.Size))
	case head.Size > 0 && got < head.Size:
		v.problem("truncated", hp, fmt.Sprintf("%d bytes; it had %d at the clean stop", got, head.Size))
	case head.Size > 0 && got > head.Size:
		v.problem("edited", hp, fmt.Sprintf("%d bytes; it had %d at the clean stop", got, head.Size))
	case prev != head.Chain && !broken:
		v.problem("edited", hp, "the chain does not end where the clean stop left it")
	}
	return nil
}
