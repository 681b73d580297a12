package folder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/objstore"
	"github.com/vigilsiem/vigil/internal/source/objstore/objstoretest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// put writes a file the way a well-behaved producer does: under a hidden
// name, then renamed into place.
func put(t *testing.T, root, key string, data []byte) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

func TestExactlyOnce(t *testing.T) {
	root := t.TempDir()
	objstoretest.ExactlyOnce(t, objstoretest.Harness{
		Name: "imp", Tenant: "default", Bucket: root,
		Put: func(t *testing.T, key string, data []byte) { put(t, root, key, data) },
		NewSource: func(t *testing.T, env config.SourceEnv) *objstore.Source {
			c := Config{SourceCommon: config.SourceCommon{Name: "imp", Tenant: "default", Format: "auto"}, Path: root, Recursive: true,
				Import: objstore.Import{PollInterval: config.Duration(20 * time.Millisecond), Settle: config.Duration(time.Nanosecond),
					Exclude: []string{".tmp-*"}}}
			s, err := New(c, env)
			if err != nil {
				t.Fatal(err)
			}
			return s
		},
	})
}

func TestConfig(t *testing.T) {
	dir := t.TempDir()
	f := func(name string, c Config, wantErr string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			c.Name = "x"
			err := c.Validate()
			if wantErr == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)) {
				t.Fatalf("Validate: %v, want an error containing %q", err, wantErr)
			}
		})
	}
	f("minimal", Config{Path: dir}, "")
	f("no path", Config{}, "path")
	f("move without move_to", Config{Path: dir, AfterImport: AfterMove}, "needs move_to")
	f("move inside", Config{Path: dir, AfterImport: AfterMove, MoveTo: filepath.Join(dir, "done")}, "inside path")
	f("move_to without move", Config{Path: dir, MoveTo: "/tmp/x"}, "needs after_import")
	f("bad after", Config{Path: dir, AfterImport: "shred"}, "keep, delete or move")
	f("bad layout", Config{Path: dir, Import: objstore.Import{Layout: "xml"}}, "layout")
	f("bad pattern", Config{Path: dir, Import: objstore.Import{Include: []string{"["}}}, "pattern")
	f("fast poll", Config{Path: dir, Import: objstore.Import{PollInterval: config.Duration(time.Microsecond)}}, "poll_interval")
	f("marker with slash", Config{Path: dir, Import: objstore.Import{DoneMarker: "a/b"}}, "done_marker")
	f("negative settle", Config{Path: dir, Import: objstore.Import{Settle: -1}}, "negative")
	f("line limit", Config{Path: dir, Import: objstore.Import{MaxLineBytes: 2 << 20}}, "max_line_bytes")

	var c Config
	c.Name, c.Path = "x", dir
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.PollInterval.D() != DefaultPollInterval || c.Settle.D() != DefaultSettle || c.Layout != objstore.LayoutAuto ||
		c.AfterImport != AfterKeep || c.MaxAttempts != objstore.DefaultMaxAttempts {
		t.Fatalf("defaults not filled: %+v", c)
	}
}

func TestParseConfig(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Parse([]byte(`
data_dir: ` + dir + `
sources:
  - name: drop
    type: import_folder
    path: ` + dir + `/in
    include: ["*.log", "*.gz"]
    settle: 10s
    done_marker: .done
    after_import: move
    move_to: ` + dir + `/done
`))
	if err != nil {
		t.Fatal(err)
	}
	fc, ok := c.Sources[0].SourceConfig.(*Config)
	if !ok || fc.DoneMarker != ".done" || fc.Settle.D() != 10*time.Second || len(fc.Include) != 2 || fc.MoveTo != dir+"/done" {
		t.Fatalf("decoded %+v", c.Sources[0].SourceConfig)
	}
}

// runFolder runs a folder source until the returned stop is called.
func runFolder(t *testing.T, c Config, dataDir string) (*objstore.Source, *objstoretest.Store, func()) {
	t.Helper()
	c.SourceCommon = config.SourceCommon{Name: "f", Tenant: "default", Format: "auto"}
	c.PollInterval = config.Duration(10 * time.Millisecond)
	if c.Settle == 0 {
		c.Settle = config.Duration(time.Nanosecond)
	}
	s, err := New(c, config.SourceEnv{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	store := objstoretest.NewStore(4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, store) }()
	stop := func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	return s, store, stop
}

// settled waits until the source has imported n objects and has nothing in
// flight. The objects are imported in key order within a poll, so once the
// one sorting last is imported, any other the poll wrongly took is counted.
func settled(t *testing.T, s *objstore.Source, n int64) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%d objects imported", n), func() bool {
		st := s.Stats()
		return st.Imported >= n && st.InFlight == 0
	})
}

// age sets the modification time of the file of key to an hour ago.
func age(t *testing.T, root, key string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(filepath.Join(root, filepath.FromSlash(key)), old, old); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

func TestAfterImportMoveWithMarker(t *testing.T) {
	root, done := t.TempDir(), t.TempDir()
	put(t, root, "sub/a.log", []byte("a1\na2\n"))
	put(t, root, "b.log", []byte("b1\n"))
	// z.log has its marker and sorts after the others: once it is imported,
	// the poll that saw sub/a.log and b.log without theirs has passed.
	put(t, root, "z.log", []byte("z1\n"))
	put(t, root, "z.log.done", nil)
	s, store, stop := runFolder(t, Config{Path: root, Recursive: true, AfterImport: AfterMove, MoveTo: done,
		Import: objstore.Import{DoneMarker: ".done"}}, t.TempDir())
	defer stop()
	testutil.Eventually(t, "z.log moved", func() bool {
		return exists(filepath.Join(done, "z.log")) && s.Stats().InFlight == 0
	})
	if _, n := store.Durable(); n != 1 || s.Stats().Imported != 1 {
		t.Fatalf("imported before the done marker: %d records, stats %+v", n, s.Stats())
	}
	put(t, root, "sub/a.log.done", nil)
	testutil.Eventually(t, "sub/a.log moved", func() bool {
		return exists(filepath.Join(done, "sub", "a.log")) && exists(filepath.Join(done, "sub", "a.log.done"))
	})
	if exists(filepath.Join(root, "sub", "a.log")) || !exists(filepath.Join(root, "b.log")) {
		t.Fatal("moved the wrong files")
	}
	if _, n := store.Durable(); n != 3 || s.Stats().Imported != 2 {
		t.Fatalf("%d records, stats %+v", n, s.Stats())
	}
}

func TestAfterImportDeleteNotRecursive(t *testing.T) {
	root := t.TempDir()
	put(t, root, "a.log", []byte("a1\n"))
	put(t, root, "deeper/x.log", []byte("x1\n"))
	put(t, root, "z.log", []byte("z1\n")) // sorts after deeper/x.log
	s, store, stop := runFolder(t, Config{Path: root, AfterImport: AfterDelete}, t.TempDir())
	defer stop()
	// Objects are imported, then deleted, in key order: once z.log is
	// deleted, deeper/x.log would have been too had it been taken.
	testutil.Eventually(t, "a.log and z.log deleted", func() bool {
		return !exists(filepath.Join(root, "a.log")) && !exists(filepath.Join(root, "z.log")) && s.Stats().InFlight == 0
	})
	if !exists(filepath.Join(root, "deeper", "x.log")) {
		t.Fatal("a file of a sub-folder was imported without recursive")
	}
	if _, n := store.Durable(); n != 2 || s.Stats().Imported != 2 {
		t.Fatalf("%d records, stats %+v", n, s.Stats())
	}
}

// TestSettle checks that a file still being written is left alone. The
// files' modification times stand for the clock: a file modified an hour
// ago has settled, one modified now has not.
func TestSettle(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "growing.log")
	if err := os.WriteFile(p, []byte("g1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// z.log sorts after growing.log and has settled: once it is imported,
	// the poll that saw growing.log has passed.
	put(t, root, "z.log", []byte("z1\n"))
	age(t, root, "z.log")
	s, store, stop := runFolder(t, Config{Path: root, Import: objstore.Import{Settle: config.Duration(10 * time.Minute)}}, t.TempDir())
	defer stop()
	for i := 2; i <= 4; i++ {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "g%d\n", i)
		f.Close()
	}
	settled(t, s, 1)
	if _, n := store.Durable(); n != 1 || s.Stats().Imported != 1 {
		t.Fatalf("a file was imported while it was being written: %d records, stats %+v", n, s.Stats())
	}
	age(t, root, "growing.log")
	testutil.Eventually(t, "the settled file", func() bool { _, n := store.Durable(); return n == 5 })
}
