package apptest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/testutil"
)

// TestResponseDeliverySurvivesRestart is issue 10 item 5: a webhook
// response whose receiver is down waits to retry; vigil serve is stopped,
// the receiver comes up, vigil is started again on the same data, and the
// delivery arrives, once, with the delivery id of the first attempt. A
// third start finds nothing pending.
func TestResponseDeliverySurvivesRestart(t *testing.T) {
	const ruleID = "90fb5e62-ca1f-4e22-b42e-cc521874c938" // Suspicious Shells Spawn by Java Utility Keytool
	hookAddr := testutil.FreeAddr(t)                      // nothing listens yet: the receiver is down
	v := startVigil(t, fmt.Sprintf(`responses:
  - name: soar
    type: webhook
    match: {rules: [%q]}
    retry: {attempts: 10, initial: 1h, max: 1h}
    webhook: {url: "http://%s/hook"}
`, ruleID, hookAddr), "--rules", testutil.SharedData(t, "sigma/rules/windows/process_creation"))

	now := time.Now().UTC().Format(time.RFC3339Nano)
	ev := fmt.Sprintf(`{"@timestamp":%q,"host":{"name":"ws01"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"provider_name":"Microsoft-Windows-Sysmon","computer_name":"ws01","event_data":{"Image":"C:\\Windows\\System32\\cmd.exe","ParentImage":"C:\\Program Files\\Java\\jdk-17\\bin\\keytool.exe","CommandLine":"cmd.exe /c whoami","User":"CORP\\bob","ProcessId":"4242"}}}`+"\n", now)
	if code, body := post(t, v.url("/api/v1/ingest"), "application/x-ndjson", "", []byte(ev)); code != 200 {
		t.Fatalf("ingest: %d %s", code, body)
	}
	// The first attempt fails (connection refused) and the job waits an
	// hour for the next.
	var first responseRecord
	waitFor(t, 20*time.Second, "the failed first attempt", func() bool {
		recs := responseRecords(t, v, "retry")
		if len(recs) > 0 {
			first = recs[0]
		}
		return len(recs) > 0
	})
	v.stop()

	// The receiver comes up; vigil starts again and delivers.
	var mu sync.Mutex
	var got []string // delivery ids received
	ln, err := net.Listen("tcp", hookAddr)
	if err != nil {
		t.Fatalf("listen for the webhook on %s: %v", hookAddr, err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var e struct {
			Delivery string `json:"delivery"`
		}
		_ = json.Unmarshal(body, &e)
		mu.Lock()
		got = append(got, r.Header.Get("X-Vigil-Delivery")+"|"+e.Delivery)
		mu.Unlock()
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	v.start()
	waitFor(t, 20*time.Second, "the delivery after the restart", func() bool { return len(responseRecords(t, v, "success")) > 0 })
	mu.Lock()
	if want := first.Delivery + "|" + first.Delivery; len(got) != 1 || got[0] != want {
		t.Errorf("receiver got %v, want one POST of delivery %s", got, first.Delivery)
	}
	mu.Unlock()

	// The job was acknowledged: a third start has nothing pending for soar.
	v.stop()
	v.start()
	if n := responseQueueLength(t, v, "soar"); n != 0 {
		t.Errorf("vigil_response_queue_length{response=soar} = %d after the delivery, want 0", n)
	}
}

type responseRecord struct {
	Delivery string `json:"delivery"`
	Outcome  string `json:"outcome"`
	Attempt  int    `json:"attempt"`
}

// responseRecords lists the default tenant's response attempts with an outcome.
func responseRecords(t *testing.T, v *vigil, outcome string) []responseRecord {
	t.Helper()
	code, _, body := request(t, "GET", v.url("/api/v1/responses?outcome="+outcome), "", nil)
	if code != 200 {
		t.Fatalf("GET /api/v1/responses: %d %s", code, body)
	}
	var res struct {
		Responses []responseRecord `json:"responses"`
	}
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	return res.Responses
}

// responseQueueLength reads vigil_response_queue_length of a response.
func responseQueueLength(t *testing.T, v *vigil, name string) int {
	t.Helper()
	code, _, body := request(t, "GET", v.url("/metrics"), "", nil)
	if code != 200 {
		t.Fatalf("GET /metrics: %d", code)
	}
	m := regexp.MustCompile(`(?m)^vigil_response_queue_length\{response="` + regexp.QuoteMeta(name) + `"\} (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no vigil_response_queue_length for %s in /metrics", name)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
