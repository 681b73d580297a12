package apptest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestKill9KeepsAcknowledgedEvents posts NDJSON batches from several
// clients, kills vigil serve with SIGKILL while they are in flight,
// restarts it on the same data, and finds every event of every batch that
// had been answered 200.
func TestKill9KeepsAcknowledgedEvents(t *testing.T) {
	v := startVigil(t, "")
	const perBatch = 200
	var mu sync.Mutex
	var acked []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := 0; ; b++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%db%d", w, b)
				var body strings.Builder
				for i := 0; i < perBatch; i++ {
					fmt.Fprintf(&body, `{"message":"kill test event %d","batch":%q,"seq":%d}`+"\n", i, id, i)
				}
				resp, err := client.Post(v.url("/api/v1/ingest"), "application/x-ndjson", strings.NewReader(body.String()))
				if err != nil {
					return // the server is gone
				}
				resp.Body.Close()
				if resp.StatusCode == 200 {
					mu.Lock()
					acked = append(acked, id)
					mu.Unlock()
				}
			}
		}(w)
	}
	// Kill once 40 batches were acknowledged (the check below fails if
	// fewer than 10 were by the deadline).
	testutil.Poll(testutil.WaitTimeout, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 40
	})
	v.kill()
	close(stop)
	wg.Wait()
	if len(acked) < 10 {
		t.Fatalf("only %d batches acknowledged before the kill", len(acked))
	}
	v.start()
	rows, err := v.search("* | stats count() by batch")
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]string{}
	for _, r := range rows {
		counts[r.Text("batch")] = r.Text("count")
	}
	for _, id := range acked {
		if counts[id] != fmt.Sprint(perBatch) {
			t.Errorf("acknowledged batch %s: %q events after the kill, want %d", id, counts[id], perBatch)
		}
	}
	t.Logf("%d batches acknowledged before SIGKILL, all found after restart (%d batches in store)", len(acked), len(counts))
}
