package apptest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestBusWatchlistReplication: two `--role detect` nodes over a kfake
// bus share their watch-lists. An entry written through node A's API is
// read through node B's, a removal through B reaches A, and B, stopped
// (its data kept) while A writes, catches up when it starts again, with
// a count written once.
func TestBusWatchlistReplication(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	cfg := fmt.Sprintf("bus:\n  kafka: {brokers: [%q], topic_prefix: apptestwl, partitions: 3}\n", broker.ListenAddrs()[0])
	a := startVigil(t, cfg, "--role", "detect")
	b := startVigil(t, cfg, "--role", "detect")

	put := func(v *vigil, key, body string) {
		t.Helper()
		if code, _, out := request(t, "PUT", v.url("/api/v1/watchlists/scanners/entries/"+key), "", strings.NewReader(body)); code/100 != 2 {
			t.Fatalf("PUT %s: %d %s", key, code, out)
		}
	}
	// entry returns the entry of key as node v serves it, and its status.
	entry := func(v *vigil, key string) (int, map[string]any) {
		code, _, out := request(t, "GET", v.url("/api/v1/watchlists/scanners/entries/"+key), "", nil)
		var e map[string]any
		_ = json.Unmarshal([]byte(out), &e)
		return code, e
	}
	waitEntry := func(v *vigil, key string, ok func(code int, e map[string]any) bool, what string) {
		t.Helper()
		var code int
		var e map[string]any
		if !testutil.Poll(testutil.WaitTimeout, func() bool {
			code, e = entry(v, key)
			return ok(code, e)
		}) {
			t.Fatalf("%s: %d %v\nA:\n%s\nB:\n%s", what, code, e, a.log.String(), b.log.String())
		}
	}

	put(a, "203.0.113.5", `{"value":"from A","count":3}`)
	waitEntry(b, "203.0.113.5", func(code int, e map[string]any) bool {
		return code == 200 && e["value"] == "from A" && e["count"] == float64(3)
	}, "B reads A's entry")

	if code, _, out := request(t, "DELETE", b.url("/api/v1/watchlists/scanners/entries/203.0.113.5"), "", nil); code != 204 {
		t.Fatalf("DELETE through B: %d %s", code, out)
	}
	waitEntry(a, "203.0.113.5", func(code int, _ map[string]any) bool { return code == 404 }, "A loses the entry B removed")

	b.stop()
	put(a, "198.51.100.7", `{"value":"while B was down","count":7}`)
	b.start()
	waitEntry(b, "198.51.100.7", func(code int, e map[string]any) bool {
		return code == 200 && e["value"] == "while B was down" && e["count"] == float64(7)
	}, "B caught up after its restart")
	if code, _ := entry(b, "203.0.113.5"); code != 404 {
		t.Errorf("B after its restart serves the removed entry: %d", code)
	}
}
