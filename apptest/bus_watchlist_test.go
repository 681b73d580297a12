package apptest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

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

const wlReaderRuleID = "5b0c7a9e-1d2e-4f30-9a41-0123456789cd"

// wlAdderRule (node A's only rule) remembers the source of a scan; the
// reader rule (node B's only rule) fires on a log-on from a remembered
// source.
const wlAdderRule = `title: Remember scanners
id: 5b0c7a9e-1d2e-4f30-9a41-0123456789ab
logsource: {product: apptest}
detection:
  sel:
    message|contains: 'wl scan from'
  condition: sel
level: low
watchlist:
  - add: scanners
    key: source.ip
    value: scanner
`

const wlReaderRule = `title: Log-on from a scanner
id: ` + wlReaderRuleID + `
logsource: {product: apptest}
detection:
  sel:
    message|contains: 'wl logon from'
  src:
    source.ip|watchlist: scanners
  condition: sel and src
level: high
`

// TestBusWatchlistRuleAcrossNodes: over the bus, a rule on detect node A
// adds a scanner to a watch-list, and a rule reading that list on detect
// node B (which has no rule writing it) fires on a log-on from it. The
// events come through an ingest node; the alert is read off the alerts
// topic.
func TestBusWatchlistRuleAcrossNodes(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close)
	cfg := fmt.Sprintf("bus:\n  kafka: {brokers: [%q], topic_prefix: apptestwr, partitions: 4}\n", broker.ListenAddrs()[0])
	rulesA, rulesB := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(rulesA, "adder.yml"), []byte(wlAdderRule), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rulesB, "reader.yml"), []byte(wlReaderRule), 0o600); err != nil {
		t.Fatal(err)
	}
	in := startVigil(t, cfg, "--role", "ingest")
	a := startVigil(t, cfg, "--role", "detect", "--rules", rulesA)
	b := startVigil(t, cfg, "--role", "detect", "--rules", rulesB)
	const scanner = "203.0.113.9"
	// postAll sends one event of msg from the scanner for each of 12 hosts,
	// so that every partition, and so every detect node, gets one.
	postAll := func(msg string) {
		var body strings.Builder
		for h := range 12 {
			fmt.Fprintf(&body, `{"message":"%s %s","observer":{"product":"apptest"},"host":{"name":"h%d"},"source":{"ip":%q}}`+"\n", msg, scanner, h, scanner)
		}
		if code, out := post(t, in.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(body.String())); code != 200 {
			t.Fatalf("ingest: %d %s", code, out)
		}
	}
	// Until B's copy of the list has the scanner (the detect nodes may
	// still be sharing out the partitions: events go on until A got some)
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		postAll("wl scan from")
		code, _, _ := request(t, "GET", b.url("/api/v1/watchlists/scanners/entries/"+scanner), "", nil)
		return code == 200
	}) {
		t.Fatalf("B never had the scanner A's rule added\nA:\n%s\nB:\n%s", a.log.String(), b.log.String())
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(broker.ListenAddrs()[0]), kgo.ConsumeTopics("apptestwr.alerts"),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	fired := false
	if !testutil.Poll(testutil.WaitTimeout, func() bool {
		postAll("wl logon from")
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			var al struct {
				RuleID string `json:"rule_id"`
			}
			if json.Unmarshal(r.Value, &al) == nil && al.RuleID == wlReaderRuleID {
				fired = true
			}
		})
		return fired
	}) {
		t.Fatalf("B's rule never fired\nA:\n%s\nB:\n%s", a.log.String(), b.log.String())
	}
}
