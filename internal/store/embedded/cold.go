package embedded

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// coldFile is one Parquet file of a tenant and day, with its meta.
type coldFile struct {
	Path   string `json:"-"`
	Tenant string `json:"-"`
	Day    string `json:"-"`
	First  uint64 `json:"-"` // segment range it was frozen from
	Last   uint64 `json:"-"`
	Size   int64  `json:"-"`
	// modTime stands in for the receive time of a file frozen before it
	// was recorded.
	modTime time.Time
	// dups is how many rows of the freeze that wrote the file were
	// dropped as duplicates (set on one file of the freeze).
	dups int

	// ReceivedMin and ReceivedMax bound when the store received the rows
	// (its clock at the commits of the segments frozen into the file).
	// Retention counts from ReceivedMax.
	ReceivedMin time.Time `json:"received_min,omitzero"`
	ReceivedMax time.Time `json:"received_max,omitzero"`

	Rows    int64             `json:"rows"`
	Min     time.Time         `json:"min"`
	Max     time.Time         `json:"max"`
	Columns map[string]string `json:"columns"`
	Tokens  *bloom            `json:"tokens,omitempty"`
	// TokenCount is the number of distinct tokens in the filter.
	TokenCount int `json:"token_count"`

	// V is the meta's version: 4 for a file with blocks and their value
	// counts whose meta is zstd-compressed (metazstd.go), 3 for one
	// written as plain JSON, 2 for blocks without counts, absent (1)
	// before.
	V int `json:"v,omitempty"`
	// Blocks are the file's row groups in order, each with its rows, time
	// range and token filter (version 2, files of the direct writer), so
	// that a search reads only the row groups that may hold its terms and
	// time range. Such a file has no file-wide Tokens.
	Blocks []*coldBlock `json:"blocks,omitempty"`
}

// coldMetaVersion is the newest meta version this code reads and writes
// (docs/format/store.md, "Cold file meta"); it reads every older one.
const coldMetaVersion = 4

// coldBlock is one row group of a cold file.
type coldBlock struct {
	Rows   int64     `json:"rows"`
	Min    time.Time `json:"min"`
	Max    time.Time `json:"max"`
	Tokens *bloom    `json:"tokens"`
	// TokenCount is the number of distinct tokens in the filter.
	TokenCount int `json:"token_count"`
	// Values holds, for each column with at most maxBlockValues distinct
	// values in the block, the rows holding each value (as text); the
	// rest of the block's rows have no value in it. A column not listed
	// has no counts (version 3, blockstats.go).
	Values map[string]map[string]int64 `json:"values,omitempty"`
	// Parts are the token filters of the block's runs of PartRows rows in
	// order (the last may be shorter), of blocks of more than one part;
	// a search reads only the parts whose filter may hold its terms.
	// Readers that do not know them use Tokens alone.
	PartRows int64    `json:"part_rows,omitempty"`
	Parts    []*bloom `json:"parts,omitempty"`
}

// coldPick is a cold file a search reads, and which of its rows: all of
// them (ranges nil), or the row ranges of the blocks that may match.
type coldPick struct {
	*coldFile
	ranges [][2]int64 // [first, last] file row numbers
}

// coldName is s<first>-<last>-<n>.parquet.
func coldName(first, last uint64, n int) string {
	return fmt.Sprintf("s%016d-%016d-%d.parquet", first, last, n)
}

func parseColdName(name string) (first, last uint64, ok bool) {
	s, ok := strings.CutPrefix(name, "s")
	if !ok {
		return 0, 0, false
	}
	s, ok = strings.CutSuffix(s, ".parquet")
	if !ok {
		return 0, 0, false
	}
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return 0, 0, false
	}
	f, err1 := strconv.ParseUint(parts[0], 10, 64)
	l, err2 := strconv.ParseUint(parts[1], 10, 64)
	_, err3 := strconv.Atoi(parts[2])
	return f, l, err1 == nil && err2 == nil && err3 == nil
}

// coldIndex lists a dataset's cold files per tenant, oldest day first.
type coldIndex struct {
	dir string
	mu  sync.RWMutex
	// byTenant holds each tenant's files sorted by day then name.
	byTenant map[string][]*coldFile
	// opened keeps files opened by searches (coldopen.go).
	opened *coldOpener
}

// loadColdIndex reads the meta of every cold file. Files from a freeze that
// did not complete (their range ends above frozen) and files without meta
// are removed: their segments are still hot and will be frozen again.
func loadColdIndex(dir string, frozen uint64) (*coldIndex, error) {
	idx := &coldIndex{dir: dir, byTenant: map[string][]*coldFile{}, opened: newColdOpener()}
	tenants, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return idx, os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return nil, fmt.Errorf("list cold dir: %w", err)
	}
	for _, t := range tenants {
		if !t.IsDir() {
			continue
		}
		days, err := os.ReadDir(filepath.Join(dir, t.Name()))
		if err != nil {
			return nil, err
		}
		for _, d := range days {
			if !d.IsDir() {
				continue
			}
			dayDir := filepath.Join(dir, t.Name(), d.Name())
			files, err := os.ReadDir(dayDir)
			if err != nil {
				return nil, err
			}
			for _, f := range files {
				name := f.Name()
				p := filepath.Join(dayDir, name)
				if strings.HasSuffix(name, ".meta") {
					if _, err := os.Stat(strings.TrimSuffix(p, ".meta")); os.IsNotExist(err) {
						os.Remove(p)
					}
					continue
				}
				first, last, ok := parseColdName(name)
				if !ok {
					continue
				}
				if last > frozen {
					os.Remove(p)
					os.Remove(p + ".meta")
					continue
				}
				cf, err := readMeta(p)
				if err != nil {
					return nil, err
				}
				cf.Path, cf.Tenant, cf.Day, cf.First, cf.Last = p, t.Name(), d.Name(), first, last
				st, err := f.Info()
				if err != nil {
					return nil, err
				}
				cf.Size = st.Size()
				cf.modTime = st.ModTime()
				idx.byTenant[cf.Tenant] = append(idx.byTenant[cf.Tenant], cf)
			}
		}
	}
	for t := range idx.byTenant {
		idx.sort(t)
	}
	return idx, nil
}

// metaJSON is the meta of f, compact: the value counts of a block
// (blockstats.go) hold up to thousands of members, and indented they
// took a third more bytes.
func metaJSON(f *coldFile) []byte {
	b, err := json.Marshal(f)
	if err != nil {
		panic("bug: marshal cold meta: " + err.Error())
	}
	return b
}

func readMeta(parquetPath string) (*coldFile, error) {
	b, err := os.ReadFile(parquetPath + ".meta")
	if err != nil {
		return nil, fmt.Errorf("read cold meta: %w", err)
	}
	if b, err = decompressMeta(b); err != nil {
		return nil, fmt.Errorf("read cold meta %s: %w", parquetPath, err)
	}
	var cf coldFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return nil, fmt.Errorf("read cold meta %s: %w", parquetPath, err)
	}
	if cf.V > coldMetaVersion {
		return nil, fmt.Errorf("read cold meta %s: version %d, this Vigil reads up to %d", parquetPath, cf.V, coldMetaVersion)
	}
	if cf.Tokens != nil {
		if err := cf.Tokens.decode(); err != nil {
			return nil, fmt.Errorf("read cold meta %s: %w", parquetPath, err)
		}
	}
	var rows int64
	for _, b := range cf.Blocks {
		if b == nil || b.Tokens == nil {
			return nil, fmt.Errorf("read cold meta %s: a block without a token filter", parquetPath)
		}
		if err := b.Tokens.decode(); err != nil {
			return nil, fmt.Errorf("read cold meta %s: %w", parquetPath, err)
		}
		if len(b.Parts) > 0 && (b.PartRows < 1 || int64(len(b.Parts)) != (b.Rows+b.PartRows-1)/b.PartRows) {
			return nil, fmt.Errorf("read cold meta %s: %d parts of %d rows in a block of %d", parquetPath, len(b.Parts), b.PartRows, b.Rows)
		}
		for _, p := range b.Parts {
			if p == nil {
				return nil, fmt.Errorf("read cold meta %s: a part without a token filter", parquetPath)
			}
			if err := p.decode(); err != nil {
				return nil, fmt.Errorf("read cold meta %s: %w", parquetPath, err)
			}
		}
		for col, vs := range b.Values {
			var sum int64
			for _, n := range vs {
				if n <= 0 {
					return nil, fmt.Errorf("read cold meta %s: column %s: a count of %d", parquetPath, col, n)
				}
				sum += n
			}
			if sum > b.Rows {
				return nil, fmt.Errorf("read cold meta %s: column %s: counts of %d rows in a block of %d", parquetPath, col, sum, b.Rows)
			}
		}
		rows += b.Rows
	}
	if len(cf.Blocks) > 0 && rows != cf.Rows {
		return nil, fmt.Errorf("read cold meta %s: blocks hold %d rows, the file %d", parquetPath, rows, cf.Rows)
	}
	return &cf, nil
}

func (idx *coldIndex) sort(tenant string) {
	fs := idx.byTenant[tenant]
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Day != fs[j].Day {
			return fs[i].Day < fs[j].Day
		}
		return fs[i].First < fs[j].First
	})
}

func (idx *coldIndex) add(files []*coldFile) {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	touched := map[string]bool{}
	for _, f := range files {
		idx.byTenant[f.Tenant] = append(idx.byTenant[f.Tenant], f)
		touched[f.Tenant] = true
	}
	for t := range touched {
		idx.sort(t)
	}
}

// files returns the tenant's files whose time range overlaps [from, to)
// (zero bounds are open) and whose token filter may hold every term; of a
// file with blocks, only the rows of the blocks that may match.
func (idx *coldIndex) files(tenant string, from, to time.Time, terms []string) (keep []coldPick, skipped int) {
	return idx.filesCounting(tenant, from, to, terms, nil)
}

// filesCounting is files, but a block whose counts counts takes
// (blockCounts.take) is left out of the rows to read.
func (idx *coldIndex) filesCounting(tenant string, from, to time.Time, terms []string, counts *blockCounts) (keep []coldPick, skipped int) {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	for _, f := range idx.byTenant[tenant] {
		if !overlaps(f.Min, f.Max, from, to) || f.Tokens != nil && !mayHoldAll(f.Tokens, terms) {
			skipped++
			continue
		}
		pick := coldPick{coldFile: f}
		if len(f.Blocks) > 0 {
			var start int64
			all := true
			for _, b := range f.Blocks {
				if overlaps(b.Min, b.Max, from, to) && mayHoldAll(b.Tokens, terms) && (counts == nil || !counts.take(f, b, from, to)) {
					var whole bool
					pick.ranges, whole = b.rowRanges(pick.ranges, start, terms)
					all = all && whole
				} else {
					all = false
				}
				start += b.Rows
			}
			if len(pick.ranges) == 0 {
				skipped++
				continue
			}
			if all {
				pick.ranges = nil
			}
		}
		keep = append(keep, pick)
	}
	return keep, skipped
}

// rowRanges appends to ranges the file row numbers of the rows of b (its
// first at start) that may hold every term: the parts whose filter may
// hold them, or the whole block when it has no parts or there are no
// terms. whole says whether that is the whole block.
func (b *coldBlock) rowRanges(ranges [][2]int64, start int64, terms []string) (_ [][2]int64, whole bool) {
	add := func(lo, hi int64) {
		if n := len(ranges); n > 0 && ranges[n-1][1] == lo-1 {
			ranges[n-1][1] = hi
		} else {
			ranges = append(ranges, [2]int64{lo, hi})
		}
	}
	if len(terms) == 0 || len(b.Parts) == 0 {
		add(start, start+b.Rows-1)
		return ranges, true
	}
	whole = true
	for i, p := range b.Parts {
		lo := start + int64(i)*b.PartRows
		if mayHoldAll(p, terms) {
			add(lo, min(lo+b.PartRows, start+b.Rows)-1)
		} else {
			whole = false
		}
	}
	return ranges, whole
}

// overlaps reports whether [lo, hi] meets [from, to) (zero bounds open).
func overlaps(lo, hi, from, to time.Time) bool {
	return (from.IsZero() || !hi.Before(from)) && (to.IsZero() || lo.Before(to))
}

// mayHoldAll reports whether the filter may hold every term; terms are
// folded tokens (query.Plan.Terms).
func mayHoldAll(b *bloom, terms []string) bool {
	for _, t := range terms {
		if !b.mayContain(tokenHash(t)) {
			return false
		}
	}
	return true
}

// received returns when the newest row of the file was received.
func (f *coldFile) received() time.Time {
	if !f.ReceivedMax.IsZero() {
		return f.ReceivedMax
	}
	return f.modTime
}

func metaSize(f *coldFile) int64 {
	if st, err := os.Stat(f.Path + ".meta"); err == nil {
		return st.Size()
	}
	return 0
}

// remove deletes files from the index and the disk.
func (idx *coldIndex) remove(files []*coldFile) error {
	idx.mu.Lock()
	defer idx.mu.Unlock()
	gone := map[*coldFile]bool{}
	paths := make([]string, 0, len(files))
	for _, f := range files {
		gone[f] = true
		paths = append(paths, f.Path)
	}
	// Searches reading them keep their descriptors until done; no later
	// one is served from them.
	defer idx.opened.forget(paths...)
	var firstErr error
	for t, fs := range idx.byTenant {
		kept := fs[:0]
		for _, f := range fs {
			if !gone[f] {
				kept = append(kept, f)
				continue
			}
			for _, p := range []string{f.Path, f.Path + ".meta"} {
				if err := os.Remove(p); err != nil && !os.IsNotExist(err) && firstErr == nil {
					firstErr = fmt.Errorf("remove cold file: %w", err)
				}
			}
			os.Remove(filepath.Dir(f.Path)) // the day directory, once empty
		}
		idx.byTenant[t] = kept
	}
	return firstErr
}

// all returns every file of every tenant.
func (idx *coldIndex) all() map[string][]*coldFile {
	idx.mu.RLock()
	defer idx.mu.RUnlock()
	out := make(map[string][]*coldFile, len(idx.byTenant))
	for t, fs := range idx.byTenant {
		out[t] = append([]*coldFile(nil), fs...)
	}
	return out
}
