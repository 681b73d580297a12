package apptest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestIngestAndForwardNodes runs Vigil as two nodes of a distributed
// deployment (DESIGN §8) over a Kafka protocol broker (franz-go's kfake):
// node A (all roles) publishes the events it ingests to Kafka in the binary
// encoding; node B runs `--role forward` alone, reads them with a consumer
// group and delivers them to a folder. Every event posted to A arrives in
// B's folder with the event.id A gave it.
func TestIngestAndForwardNodes(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "vigil-events-default"))
	if err != nil {
		t.Fatal(err)
	}
	defer broker.Close()
	addr := broker.ListenAddrs()[0]

	a := startVigil(t, fmt.Sprintf(`outputs:
  - {name: bus, type: kafka, brokers: [%q], encoding: binary}
routes:
  - {name: all, outputs: [bus]}
`, addr))
	outDir := t.TempDir()
	b := startVigil(t, fmt.Sprintf(`sources:
  - {name: from-ingest, type: kafka, brokers: [%q], topics: [vigil-events-default], start_offset: earliest, trust_envelope: true}
outputs:
  - {name: archive, type: folder, path: %q, max_file_age: 1s}
routes:
  - {name: all, outputs: [archive]}
`, addr, outDir), "--role", "forward")

	const n = 50
	var body strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&body, `{"message":"distributed %d","source":{"ip":"10.9.0.%d"}}`+"\n", i, i)
	}
	if code, out := post(t, a.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
		t.Fatalf("ingest: %d %s", code, out)
	}
	stored, _ := a.waitFound("distributed", n, 5*time.Second)
	want := map[string]bool{}
	for _, r := range stored {
		want[r.Text("event.id")] = true
	}
	missing := 0
	testutil.Poll(testutil.WaitTimeout, func() bool {
		got := readFolderIDs(t, outDir)
		missing = 0
		for id := range want {
			if !got[id] {
				missing++
			}
		}
		return missing == 0
	})
	if missing > 0 {
		t.Fatalf("%d of %d events missing from node B's folder\nnode A:\n%s\nnode B:\n%s", missing, n, a.log.String(), b.log.String())
	}
}

// readFolderIDs reads the event ids of the completed NDJSON files of a
// folder output (hidden temporary files are skipped).
func readFolderIDs(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ids := map[string]bool{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || !strings.HasSuffix(d.Name(), ".ndjson") {
			return nil
		}
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var m map[string]any
			if json.Unmarshal(sc.Bytes(), &m) == nil {
				if id, ok := m["event.id"].(string); ok {
					ids[id] = true
				}
			}
		}
		return nil
	})
	return ids
}
