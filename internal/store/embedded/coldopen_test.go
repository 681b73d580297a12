package embedded

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/store"
	"github.com/vigilsiem/vigil/internal/store/storetest"
)

// coldStore writes writes batches of n events of tenant, each frozen into
// its own cold file, and returns the store and the tenant's files.
func coldStore(t *testing.T, tenant string, writes, n int) (*Store, []*coldFile) {
	t.Helper()
	s, err := Open(Options{Dir: t.TempDir(), Interval: time.Hour, MemoryLimit: "512MB", Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	all := storetest.Events(tenant, writes*n)
	for w := range writes {
		if err := s.Write(ctx, all[w*n:(w+1)*n]); err != nil {
			t.Fatal(err)
		}
		if err := s.Freeze(ctx); err != nil {
			t.Fatal(err)
		}
	}
	fs := s.datasets[store.Events].cold.all()[tenant]
	if len(fs) < writes {
		t.Fatalf("%d cold files, want %d", len(fs), writes)
	}
	return s, fs
}

func openRows(t *testing.T, c *coldOpener, path string) int64 {
	t.Helper()
	o, err := c.open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer o.release()
	return o.pf.NumRows()
}

// TestColdOpenerServesOnlyTheSameFile: a cold file replaced at its path
// (another file renamed over it, as a freeze that rewrites an unfinished
// one does) or removed is never read through the metadata cached for the
// one before.
func TestColdOpenerServesOnlyTheSameFile(t *testing.T) {
	_, small := coldStore(t, "acme", 1, 30)
	_, large := coldStore(t, "acme", 1, 70)
	path := small[0].Path
	c := newColdOpener()
	defer c.close()
	if n := openRows(t, c, path); n != 30 {
		t.Fatalf("%d rows, want 30", n)
	}
	openRows(t, c, path)
	if files, _, hits, misses := c.stats(); files != 1 || hits != 1 || misses != 1 {
		t.Fatalf("two opens of one file: %d files cached, %d hits, %d misses; want 1, 1, 1", files, hits, misses)
	}

	// Replaced: another file renamed over the path.
	b, err := os.ReadFile(large[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+".new", b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	if n := openRows(t, c, path); n != 70 {
		t.Fatalf("the file renamed over the path read %d rows, want its 70 (stale metadata)", n)
	}

	// Removed: the open fails, and nothing stays cached for the path.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if o, err := c.open(path); err == nil {
		o.release()
		t.Fatal("a removed cold file opened from the cache")
	}
	if files, _, _, _ := c.stats(); files != 0 {
		t.Fatalf("%d files cached after the only one was removed", files)
	}
}

// TestColdOpenerForgetWaitsForReaders: a file the index forgets (retention
// removed it) is no longer served, but a search reading it finishes; its
// descriptor is closed by the last reader, so the disk is freed.
func TestColdOpenerForgetWaitsForReaders(t *testing.T) {
	_, fs := coldStore(t, "acme", 1, 30)
	c := newColdOpener()
	defer c.close()
	held, err := c.open(fs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	c.forget(fs[0].Path)
	if files, bytes, _, _ := c.stats(); files != 0 || bytes != 0 {
		t.Fatalf("forgotten file still cached: %d files, %d bytes", files, bytes)
	}
	rows, err := readColdRowsOf(held, []int64{0, 29}, []outColumn{{"@timestamp", "TIMESTAMP"}})
	if err != nil || len(rows) != 2 {
		t.Fatalf("reading a forgotten file still held: %d rows, %v", len(rows), err)
	}
	if _, err := held.fh.Stat(); err != nil {
		t.Fatalf("descriptor closed while a reader holds it: %v", err)
	}
	held.release()
	if _, err := held.fh.Stat(); err == nil {
		t.Fatal("descriptor of a forgotten file open after its last reader released it")
	}
}

// TestColdOpenerNotCachedAcrossForget: a file opened while the index
// forgot files (retention may have removed it after the open) is read but
// not kept.
func TestColdOpenerNotCachedAcrossForget(t *testing.T) {
	_, fs := coldStore(t, "acme", 1, 30)
	c := newColdOpener()
	defer c.close()
	o, err := openColdFile(fs[0].Path)
	if err != nil {
		t.Fatal(err)
	}
	o.c = c
	gen := c.gen
	c.forget(filepath.Join(t.TempDir(), "other.parquet"))
	c.add(o, gen)
	if files, _, _, _ := c.stats(); files != 0 {
		t.Fatal("a file opened before a forget was cached")
	}
	o.release()
	if _, err := o.fh.Stat(); err == nil {
		t.Fatal("uncached file's descriptor open after release")
	}
}

// TestColdOpenerBounds: the cache keeps at most maxFiles files and
// maxBytes of estimated metadata, dropping the least recently used.
func TestColdOpenerBounds(t *testing.T) {
	_, fs := coldStore(t, "acme", 3, 20)
	c := newColdOpener()
	defer c.close()
	c.maxFiles = 2
	for _, f := range fs {
		openRows(t, c, f.Path)
	}
	if files, _, _, _ := c.stats(); files != 2 {
		t.Fatalf("%d files cached, want the bound of 2", files)
	}
	openRows(t, c, fs[0].Path) // dropped first: a miss
	if _, _, hits, misses := c.stats(); hits != 0 || misses != 4 {
		t.Fatalf("%d hits, %d misses; want 0, 4", hits, misses)
	}
	c.close()
	c.maxFiles, c.maxBytes = 10, 1
	if n := openRows(t, c, fs[1].Path); n != 20 {
		t.Fatalf("%d rows, want 20", n)
	}
	if files, bytes, _, _ := c.stats(); files != 0 || bytes != 0 {
		t.Fatalf("a file over the byte bound cached: %d files, %d bytes", files, bytes)
	}
}

// TestRetentionDropsOpenedColdFiles: files a search opened are dropped
// from the cache when the index removes them, and later searches read
// what is left.
func TestRetentionDropsOpenedColdFiles(t *testing.T) {
	s, fs := coldStore(t, "acme", 2, 30)
	ctx := context.Background()
	d := s.datasets[store.Events]
	search := func() int64 {
		t.Helper()
		res, err := s.Search(ctx, store.Request{Tenant: "acme", Query: "ssh2"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Total
	}
	if n := search(); n != 60 {
		t.Fatalf("%d events, want 60", n)
	}
	res, err := s.Search(ctx, store.Request{Tenant: "acme", Query: "publickey user1"})
	if err != nil || res.Total == 0 {
		t.Fatalf("rare search: %d, %v", res.Total, err)
	}
	if files, _, _, _ := d.cold.opened.stats(); files == 0 {
		t.Fatal("no cold file kept open by a search read in Go")
	}
	if err := d.cold.remove(fs[:1]); err != nil {
		t.Fatal(err)
	}
	for _, o := range d.cold.opened.byPath {
		if o.path == fs[0].Path {
			t.Fatal("a removed file still cached")
		}
	}
	if n := search(); n != 30 {
		t.Fatalf("%d events after one file of two was removed, want 30", n)
	}
}
