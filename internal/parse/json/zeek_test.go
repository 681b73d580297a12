package json

import (
	"bufio"
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/parse/internal/parsetest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestZeek parses every record of the Zeek JSON logs in the shared data:
// each must parse, keep its fields, and take its time from ts.
func TestZeek(t *testing.T) {
	dir := testutil.SharedData(t, "zeek/zeek-json")
	files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no zeek logs in %s: %v", dir, err)
	}
	p := New()
	total := 0
	for _, path := range files {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			e := parsetest.NewEvent(line)
			if err := p.Parse([]byte(line), e); err != nil {
				t.Fatalf("%s:%d: %v", filepath.Base(path), n, err)
			}
			parsetest.Check(t, e, line)
			want := parsetest.Received
			if ts := e.GetString("ts"); ts != "" {
				if want, err = time.Parse(time.RFC3339Nano, ts); err != nil {
					t.Fatalf("%s:%d: ts %q: %v", filepath.Base(path), n, ts, err)
				}
			}
			if !e.Timestamp.Equal(want) {
				t.Fatalf("%s:%d: @timestamp %v, want %v", filepath.Base(path), n, e.Timestamp, want)
			}
			if _, ok := e.Get("_path"); !ok {
				t.Fatalf("%s:%d: _path missing: %s", filepath.Base(path), n, parsetest.Render(e))
			}
			total++
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		f.Close()
	}
	t.Logf("%d records from %d files", total, len(files))
}
