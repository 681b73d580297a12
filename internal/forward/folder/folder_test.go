package folder

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// readFolder reads every complete file under path, checking each against
// its checksum file, and returns the events' ids and kill.seq values.
func readFolder(t *testing.T, path string) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	files, _ := filepath.Glob(filepath.Join(path, "*", "*.ndjson*"))
	for _, name := range files {
		if strings.HasSuffix(name, ".sha256") || strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		got = append(got, readFolderFile(t, name)...)
	}
	return got
}

// readFolderFile reads one complete file, checking it against its checksum.
func readFolderFile(t *testing.T, name string) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	{
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sum, err := os.ReadFile(name + ".sha256")
		if err != nil {
			t.Fatalf("%s has no checksum file: %v", name, err)
		}
		h := sha256.Sum256(data)
		if want := hex.EncodeToString(h[:]) + "  " + filepath.Base(name) + "\n"; string(sum) != want {
			t.Fatalf("%s: checksum file %q, want %q", name, sum, want)
		}
		var r io.Reader = bytes.NewReader(data)
		if strings.HasSuffix(name, ".gz") {
			zr, err := gzip.NewReader(r)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			r = zr
		}
		sc := bufio.NewScanner(r)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: line %q: %v", name, sc.Text(), err)
			}
			id, _ := m["event.id"].(string)
			seq, _ := m["kill.seq"].(float64)
			if id == "" {
				t.Fatalf("%s: line without event.id: %s", name, sc.Text())
			}
			got = append(got, forwardtest.Received{ID: id, Seq: int(seq)})
		}
		if err := sc.Err(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	return got
}

func folderConfig(path, extra string) string {
	return fmt.Sprintf(`
outputs:
  - name: files
    type: folder
    path: %q
    retry: {initial: 10ms, max: 100ms}
    batch: {max_events: 100, linger: 5ms}
%s
routes:
  - outputs: [files]
`, path, extra)
}

func start(t *testing.T, yaml, dataDir string) *forward.Manager {
	t.Helper()
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: dataDir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() { _ = m.Stop() })
	return m
}

func queueEvents(t *testing.T, m *forward.Manager, from, to int) {
	t.Helper()
	var batch []*event.Event
	for i := from; i < to; i++ {
		batch = append(batch, forwardtest.Event(i))
	}
	if err := m.Sink().Write(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

func waitFolder(t *testing.T, path string, n int) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	if !testutil.Poll(testutil.WaitTimeout, func() bool { got = readFolder(t, path); return len(got) >= n }) {
		t.Fatalf("folder holds %d events, want %d", len(got), n)
	}
	return got
}

func TestRotationChecksumsAndTenants(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			path := t.TempDir()
			m := start(t, folderConfig(path, fmt.Sprintf("    gzip: %v\n    max_file_events: 30\n    max_file_age: 200ms", gz)), t.TempDir())
			queueEvents(t, m, 0, 200)
			got := waitFolder(t, path, 200)
			if len(got) != 200 {
				t.Fatalf("got %d events, want 200 (no duplicates without a crash)", len(got))
			}
			var seqs []int
			for _, r := range got {
				if r.ID != forwardtest.Event(r.Seq).ID {
					t.Fatalf("event %d has id %s", r.Seq, r.ID)
				}
				seqs = append(seqs, r.Seq)
			}
			slices.Sort(seqs)
			for i, s := range seqs {
				if s != i {
					t.Fatalf("events %v", seqs)
				}
			}
			for _, tenant := range forwardtest.Tenants {
				files, _ := filepath.Glob(filepath.Join(path, tenant, "vigil-*.ndjson*"))
				data := 0
				for _, f := range files {
					if strings.HasSuffix(f, ".sha256") {
						continue
					}
					data++
					if n := len(readFolderFile(t, f)); n > 30 || n == 0 {
						t.Errorf("%s holds %d events, want 1 to 30", f, n)
					}
				}
				// 100 events per tenant, at most 30 per file.
				if data < 4 {
					t.Errorf("tenant %s has %d files: %v", tenant, data, files)
				}
			}
			var tmp []string
			if !testutil.Poll(testutil.WaitTimeout, func() bool {
				tmp, _ = filepath.Glob(filepath.Join(path, "*", ".*"))
				return len(tmp) == 0
			}) {
				t.Fatalf("temporary files left: %v", tmp)
			}
		})
	}
}

// A folder that is missing is a receiver that is down: nothing is written
// elsewhere, and delivery resumes when it is back.
func TestMissingFolderIsDown(t *testing.T) {
	path := filepath.Join(t.TempDir(), "share")
	m := start(t, folderConfig(path, "    max_file_age: 50ms"), t.TempDir())
	queueEvents(t, m, 0, 40)
	// Two failed attempts: the output has tried, and tried again.
	testutil.Eventually(t, "two failed sends", func() bool { return m.Status()[0].FailedSends >= 2 })
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the output created the missing folder: %v", err)
	}
	if st := m.Status()[0]; st.FailedSends == 0 || !st.Retrying || st.Queue.Records != 40 {
		t.Errorf("status while down %+v", st)
	}
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	if got := waitFolder(t, path, 40); len(got) != 40 {
		t.Errorf("got %d events", len(got))
	}
}

// A clean stop completes the open file, so nothing is sent twice.
func TestStopCompletesFiles(t *testing.T) {
	path := t.TempDir()
	data := t.TempDir()
	yaml := folderConfig(path, "    max_file_age: 1h")
	c, _ := config.Parse([]byte(yaml))
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: data, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	queueEvents(t, m, 0, 10)
	testutil.Eventually(t, "two open files", func() bool {
		tmp, _ := filepath.Glob(filepath.Join(path, "*", ".*.tmp"))
		return len(tmp) == 2
	})
	if err := m.Stop(); err != nil {
		t.Fatal(err)
	}
	if got := readFolder(t, path); len(got) != 10 {
		t.Fatalf("after stop the folder holds %d events", len(got))
	}
	// The queues are opened by New: what waits shows at once.
	m2 := start(t, yaml, data)
	if st := m2.Status()[0]; st.Queue.Records != 0 {
		t.Errorf("after restart %d records wait", st.Queue.Records)
	}
}

func TestKill9(t *testing.T) {
	path := filepath.Join(t.TempDir(), "share")
	forwardtest.RunKill(t, forwardtest.Spec{
		Config:    folderConfig(path, "    gzip: true\n    max_file_events: 100\n    max_file_age: 20ms"),
		N:         3000,
		ChildTest: "TestKill9Child",
		Down:      func(t *testing.T) { os.RemoveAll(path) },
		Up: func(t *testing.T) {
			if err := os.MkdirAll(path, 0o755); err != nil {
				t.Fatal(err)
			}
		},
		Received: func(t *testing.T) []forwardtest.Received { return readFolder(t, path) },
	})
}

func TestKill9Child(t *testing.T) { forwardtest.KillChild(t) }

func TestConfigValidation(t *testing.T) {
	f := func(yaml string, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte(yaml))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", yaml, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want %q", yaml, err, wantErr)
		}
	}
	f(`outputs: [{name: f, type: folder, path: /x}]`, "")
	f(`outputs: [{name: f, type: folder}]`, "path is required")
	f(`outputs: [{name: f, type: folder, path: /x, prefix: .hidden}]`, "prefix")
	f(`outputs: [{name: f, type: folder, path: /x, max_file_events: -1}]`, "negative")
	f(`outputs: [{name: f, type: folder, path: /x, bogus: 1}]`, "bogus")
	f(`outputs: [{name: f, type: nope}]`, "unknown")
	f(`outputs: [{name: f, type: folder, path: /x}, {name: f, type: folder, path: /y}]`, "used twice")
	f(`outputs: [{name: f, type: folder, path: /x}]
routes: [{outputs: [g]}]`, "not configured")
	f(`outputs: [{name: f, type: folder, path: /x}]
routes: [{outputs: [f], filter: "a | head 1"}]`, "without pipes")
	f(`outputs: [{name: f, type: folder, path: /x}]
routes: [{outputs: [f], filter: "(a"}]`, "filter")
	f(`outputs: [{name: f, type: folder, path: /x}]
routes: [{outputs: [f], events: false}]`, "neither")
	f(`outputs: [{name: f, type: folder, path: /x, retry: {initial: 2s, max: 1s}}]`, "retry")
	f(`outputs: [{name: f, type: folder, path: /x, queue: {sync: sometimes}}]`, "queue.sync")
	c, err := config.Parse([]byte(`outputs: [{name: f, type: folder, path: /x}]`))
	if err != nil {
		t.Fatal(err)
	}
	com := c.Outputs[0].CommonOutput()
	if com.Queue.MaxAge.D() != 7*24*time.Hour || com.Queue.MaxBytes != 80_000_000_000 || com.Queue.Sync != "batch" ||
		com.Batch.MaxEvents != 1000 || com.Retry.Initial.D() != 500*time.Millisecond || *com.Retry.Jitter != 0.2 {
		t.Errorf("defaults %+v", com)
	}
}
