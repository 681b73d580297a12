package kafka

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/forward"
	_ "github.com/vigilsiem/vigil/internal/forward/folder"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestForwardRole wires what `vigil serve --role forward` runs: this
// source, a pipeline without the store, and the routes and outputs of a
// forward.Manager as its only sink. Events an ingest node published reach
// the folder with their ids.
func TestForwardRole(t *testing.T) {
	c := kfake.MustCluster(kfake.NumBrokers(1), kfake.SeedTopics(3, "events"))
	defer c.Close()
	addr := c.ListenAddrs()[0]
	produce(t, addr, "events", EncodingBinary, 0, 300)
	path := t.TempDir()
	cfg, err := config.Parse([]byte(fmt.Sprintf(`
outputs:
  - {name: files, type: folder, path: %q, max_file_age: 50ms, batch: {linger: 5ms}}
routes:
  - outputs: [files]
    filter: 'host.name:host-1 OR host.name:host-2'
`, path)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := forward.New(cfg.Outputs, cfg.Routes, forward.Env{DataDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	defer m.Stop()
	s := &sink{}
	p, err := pipeline.New(pipeline.Config{Workers: 2, Sinks: []pipeline.Sink{m.Sink()}, DeadLetters: s, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	defer p.Stop()
	stop := runSource(t, testConfig(addr), p)
	defer stop()
	want := map[string]bool{}
	for i := 0; i < 300; i++ {
		if h := forwardtest.Event(i).GetString("host.name"); h == "host-1" || h == "host-2" {
			want[forwardtest.Event(i).ID] = true
		}
	}
	var got map[string]bool
	if !testutil.Poll(testutil.WaitTimeout, func() bool { got = readIDs(t, path); return len(got) >= len(want) }) {
		t.Fatalf("folder holds %d events, want %d", len(got), len(want))
	}
	for id := range got {
		if !want[id] {
			t.Fatalf("unexpected event %s", id)
		}
	}
	if len(got) != len(want) {
		t.Fatalf("folder holds %d events, want %d", len(got), len(want))
	}
}

func readIDs(t *testing.T, path string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(path, "*", "*.ndjson"))
	for _, name := range files {
		if strings.HasPrefix(filepath.Base(name), ".") {
			continue
		}
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatal(err)
			}
			ids[m["event.id"].(string)] = true
		}
		f.Close()
	}
	return ids
}
