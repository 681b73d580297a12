package embedded

import (
	"container/list"
	"fmt"
	"os"
	"sync"

	"github.com/parquet-go/parquet-go"
)

// Opened cold files, kept between searches. Each search that read a cold
// file in Go (a rare term's parts, a page read by place) opened it,
// decoded its footer (the schema and ~70 column chunks' metadata per
// block) and each column chunk's offset index again: ~2 ms of a rare-term
// search's 18 at 200k events. The cache keeps a bounded number of opened
// files: the open descriptor, parquet-go's File (its footer, and the
// offset indexes it loads on first use and keeps). A file is served from
// the cache only while the path still names the same file (device,
// inode, size and modification time, checked with one stat per use), and
// is dropped when the index removes it (retention, an unfinished freeze):
// a file rewritten at the same path, or removed, is never read through
// stale metadata. The descriptor of a dropped file is closed when its
// last reader is done, so retention frees the disk.

// Limits of the cache of opened cold files.
const (
	// maxOpenCold bounds the cold files kept open (file descriptors): a
	// day of a busy tenant is tens of files; a search for a rare term
	// reads a handful of them.
	maxOpenCold = 128
	// maxOpenColdBytes bounds the estimated memory of the footers and
	// offset indexes kept (openColdCost): ~0.7 B per event on disk, so
	// 64 MiB holds those of ~10M events' files at the estimate's 8×.
	maxOpenColdBytes = 64 << 20
)

// openCold is an opened cold file. Readers get it from coldOpener.open
// and give it back with release; it is closed once dropped from the cache
// and released by every reader.
type openCold struct {
	path string
	fh   *os.File
	pf   *parquet.File
	st   os.FileInfo
	cost int64
	refs int           // readers, plus one while cached
	elem *list.Element // in the cache's LRU; nil once dropped
	c    *coldOpener
	// dicts are the column chunks' dictionaries read so far (coldpage.go),
	// by row group and column.
	dmu   sync.Mutex
	dicts map[[2]int]*colDict
}

// maxColdDictShare bounds one dictionary kept with an opened file: at
// most this share of maxBytes (a larger one is read per search).
const maxColdDictShare = 16

// dict returns the kept dictionary of column chunk key, nil if none.
func (o *openCold) dict(key [2]int) *colDict {
	o.dmu.Lock()
	defer o.dmu.Unlock()
	return o.dicts[key]
}

// keepDict keeps d, the dictionary of column chunk key, with o, counting
// its bytes in the cache's bound.
func (o *openCold) keepDict(key [2]int, d *colDict) {
	c := o.c
	if c == nil || d.size > c.maxBytes/maxColdDictShare {
		return
	}
	o.dmu.Lock()
	if o.dicts[key] != nil {
		o.dmu.Unlock()
		return
	}
	if o.dicts == nil {
		o.dicts = map[[2]int]*colDict{}
	}
	o.dicts[key] = d
	o.dmu.Unlock()
	c.mu.Lock()
	defer c.mu.Unlock()
	o.cost += d.size
	if o.elem == nil {
		return // not cached: the dictionaries go with it
	}
	c.bytes += d.size
	for c.bytes > c.maxBytes && c.lru.Len() > 0 {
		c.dropLocked(c.lru.Back().Value.(*openCold))
	}
}

// release gives the file back; the last release of a dropped file closes it.
func (o *openCold) release() {
	o.c.mu.Lock()
	o.refs--
	last := o.refs == 0
	o.c.mu.Unlock()
	if last {
		o.fh.Close()
	}
}

// coldOpener is the cache of opened cold files, least recently used
// dropped first.
type coldOpener struct {
	mu     sync.Mutex
	byPath map[string]*openCold
	lru    list.List // front: most recently used
	bytes  int64
	// maxFiles, maxBytes are maxOpenCold, maxOpenColdBytes (tests set
	// others).
	maxFiles int
	maxBytes int64
	// hits and misses count the opens served from the cache and not.
	hits, misses int64
	// gen counts the calls of forget: a file opened while one ran is not
	// cached (it may have been removed after it was opened).
	gen uint64
}

func newColdOpener() *coldOpener {
	return &coldOpener{byPath: map[string]*openCold{}, maxFiles: maxOpenCold, maxBytes: maxOpenColdBytes}
}

// sameFile reports whether a and b describe the same file unchanged.
func sameFile(a, b os.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// open returns the opened file at path, from the cache when the path
// still names the file cached. The caller releases it.
func (c *coldOpener) open(path string) (*openCold, error) {
	c.mu.Lock()
	gen := c.gen
	c.mu.Unlock()
	st, err := os.Stat(path)
	if err != nil {
		c.forget(path)
		return nil, fmt.Errorf("open cold file: %w", err)
	}
	c.mu.Lock()
	if o := c.byPath[path]; o != nil {
		if sameFile(o.st, st) {
			o.refs++
			c.lru.MoveToFront(o.elem)
			c.hits++
			c.mu.Unlock()
			return o, nil
		}
		c.dropLocked(o) // another file at the path now
	}
	c.misses++
	c.mu.Unlock()

	o, err := openColdFile(path)
	if err != nil {
		return nil, err
	}
	o.c = c
	c.add(o, gen)
	return o, nil
}

// openColdFile opens the Parquet file at path and decodes its footer.
func openColdFile(path string) (*openCold, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open cold file: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("open cold file: %w", err)
	}
	// Bloom filters are Vigil's own (the meta); offset indexes are read
	// per column chunk when first used, and parquet-go keeps them.
	pf, err := parquet.OpenFile(fh, st.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true), parquet.ReadBufferSize(64<<10))
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("open cold file %s: %w", path, err)
	}
	return &openCold{path: path, fh: fh, pf: pf, st: st, cost: openColdCost(pf), refs: 1}, nil
}

// openColdCost estimates the memory an opened file holds once its offset
// indexes are loaded: 8× the bytes of its footer and offset indexes on
// disk (thrift's compact encoding against Go structs and slices).
func openColdCost(pf *parquet.File) int64 {
	md := pf.Metadata()
	var n int64
	for i := range md.RowGroups {
		for j := range md.RowGroups[i].Columns {
			cc := &md.RowGroups[i].Columns[j]
			n += int64(cc.OffsetIndexLength) + 256 // the chunk's metadata
		}
	}
	return 8*n + 4096
}

// add caches o (opened, one reference: its caller's), unless the path
// was cached meanwhile or files were forgotten since gen, and drops the
// least recently used files past the bounds.
func (c *coldOpener) add(o *openCold, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if old := c.byPath[o.path]; old != nil {
		if !sameFile(old.st, o.st) {
			c.dropLocked(old)
		} else {
			return // another reader cached it first: o stays uncached
		}
	}
	if o.cost > c.maxBytes {
		return
	}
	o.refs++
	o.elem = c.lru.PushFront(o)
	c.byPath[o.path] = o
	c.bytes += o.cost
	for c.lru.Len() > c.maxFiles || c.bytes > c.maxBytes {
		c.dropLocked(c.lru.Back().Value.(*openCold))
	}
}

// dropLocked removes o from the cache (c.mu held), closing it unless a
// reader holds it.
func (c *coldOpener) dropLocked(o *openCold) {
	if o.elem == nil {
		return
	}
	c.lru.Remove(o.elem)
	o.elem = nil
	delete(c.byPath, o.path)
	c.bytes -= o.cost
	if o.refs--; o.refs == 0 {
		o.fh.Close()
	}
}

// forget drops the files at paths: the index removed them.
func (c *coldOpener) forget(paths ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for _, p := range paths {
		if o := c.byPath[p]; o != nil {
			c.dropLocked(o)
		}
	}
}

// close drops every file.
func (c *coldOpener) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for c.lru.Len() > 0 {
		c.dropLocked(c.lru.Back().Value.(*openCold))
	}
}

// stats returns the files and estimated bytes cached, and the hits and
// misses so far.
func (c *coldOpener) stats() (files int, bytes, hits, misses int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len(), c.bytes, c.hits, c.misses
}
