package app

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/vigilsiem/vigil/internal/detect/watchlist"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/testutil"
)

const wlIncRule = `title: Count logons
id: 7c1d2e3f-4a5b-4c6d-8e9f-0123456789ab
logsource: {product: apptest}
detection:
  sel:
    message|contains: 'wl logon'
  condition: sel
level: low
watchlist:
  - increment: logons
    key: user.name
`

// TestBusWatchlistBatchAbortCountsOnce: a detect node's rule increments a
// watch-list for every event of a batch; the batch's transaction aborts
// after the rules ran (as when the node is killed in the middle of it),
// and the batch is processed again and commits. Each increment is counted
// once on the node.
func TestBusWatchlistBatchAbortCountsOnce(t *testing.T) {
	broker, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, "wt.test-events"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(broker.Close) // after the node stops (its Cleanup runs first)
	rules := t.TempDir()
	if err := os.WriteFile(filepath.Join(rules, "inc.yml"), []byte(wlIncRule), 0o600); err != nil {
		t.Fatal(err)
	}
	a := startDetectNode(t, "data_dir: "+t.TempDir()+"\nhttp: {listen: '127.0.0.1:0'}\nsources: []\n"+
		"rules: {dirs: ['"+rules+"'], builtin: false}\n"+
		"bus: {kafka: {brokers: ['"+broker.ListenAddrs()[0]+"'], topic_prefix: wt, partitions: 1}}\n")
	d := a.detectRole

	// the events, on a topic of their own, read by a consumer that runs
	// the role's batch processing and fails the first try of its batch
	const events = 20
	var recs []*kgo.Record
	for i := range events {
		e := &event.Event{Tenant: "default"}
		e.SetString("message", fmt.Sprintf("wl logon %d", i))
		e.SetString("observer.product", "apptest")
		e.SetString("user.name", fmt.Sprintf("u%d", i%4))
		v, err := e.AppendBinary(nil)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: "wt.test-events", Value: v})
	}
	tries := abortFirstBatch(t, a, broker.ListenAddrs(), "wt.test-events", recs)

	total := func() int64 {
		var n int64
		for u := range 4 {
			if e, err := d.watchlists.GetEntry("default", "logons", fmt.Sprintf("u%d", u)); err == nil {
				n += e.Count
			}
		}
		return n
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return tries.Load() >= 2 && total() >= events }) {
		t.Fatalf("after %d tries the rule counted %d logons, want %d", tries.Load(), total(), events)
	}
	// an API write after the batch, in the one partition: once the node
	// read it back, it read every op of the batch before it
	if err := d.watchlists.PutEntries("", "done", []watchlist.EntryInput{{Key: "k"}}); err != nil {
		t.Fatal(err)
	}
	if !testutil.Poll(testutil.WaitTimeout, func() bool { return d.watchlists.Pending() == 0 }) {
		t.Fatal("the node never read back its API write")
	}
	if n := total(); n != events {
		t.Errorf("the rule counted %d logons over %d tries, want %d: a write of the aborted try counted", n, tries.Load(), events)
	}
}
