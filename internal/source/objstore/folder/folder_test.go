package folder

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/source/objstore"
	"github.com/vigilsiem/vigil/internal/source/objstore/objstoretest"
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
