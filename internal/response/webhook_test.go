package response

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

// hook is a receiver that checks signatures like a real one and answers
// with the statuses it is given, then 200.
type hook struct {
	t        *testing.T
	secret   []byte
	statuses []int
	mu       sync.Mutex
	got      []Envelope
	times    []time.Time
	calls    atomic.Int32
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(h.calls.Add(1)) - 1
	body, _ := io.ReadAll(r.Body)
	if h.secret != nil {
		if err := Verify(h.secret, r.Header.Get(HeaderSignature), r.Header.Get(HeaderTimestamp), body, time.Now(), 5*time.Minute); err != nil {
			h.t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	}
	var e Envelope
	if err := json.Unmarshal(body, &e); err != nil {
		h.t.Errorf("receiver: body %s: %v", body, err)
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" ||
		r.Header.Get(HeaderDelivery) != e.Delivery || r.Header.Get(HeaderKind) != e.Kind {
		h.t.Errorf("receiver: %s with headers %v", r.Method, r.Header)
	}
	h.mu.Lock()
	h.got = append(h.got, e)
	h.times = append(h.times, time.Now())
	h.mu.Unlock()
	if n < len(h.statuses) {
		if h.statuses[n] == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "0")
		}
		w.WriteHeader(h.statuses[n])
		io.WriteString(w, "busy")
		return
	}
	io.WriteString(w, `{"ok":true}`)
}

func webhookResponse(name, url string, secret string, attempts int) config.Response {
	return config.Response{Name: name, Type: "webhook", Retry: fastRetry(attempts),
		Webhook: &config.WebhookResponse{URL: url, Secret: config.Secret(secret)}}
}

func TestWebhookSigned(t *testing.T) {
	h := &hook{t: t, secret: []byte("s3cr3t")}
	srv := httptest.NewServer(h)
	defer srv.Close()
	r := newRig(t, webhookResponse("soar", srv.URL+"/hook", "s3cr3t", 3))
	write(t, r.d, mkAlert("a1", "high"))
	recs := r.records(t, 1, RecordFilter{})
	if recs[0].Outcome != OutcomeSuccess || recs[0].Attempt != 1 || recs[0].Action != "webhook" || recs[0].Subject != "a1" ||
		recs[0].RuleID != "rule-a1" || !strings.Contains(recs[0].Detail, "200") {
		t.Errorf("record = %+v", recs[0])
	}
	if len(h.got) != 1 || h.got[0].Kind != KindAlert || h.got[0].Alert == nil || h.got[0].Alert.ID != "a1" ||
		h.got[0].Response != "soar" || h.got[0].Tenant != "acme" || h.got[0].Delivery != recs[0].Delivery {
		t.Errorf("received %+v", h.got)
	}
	if r.counter(t, "soar", OutcomeSuccess) != 1 {
		t.Error("success not counted")
	}
}

func TestVerify(t *testing.T) {
	secret, body := []byte("k"), []byte(`{"a":1}`)
	now := time.Unix(1_800_000_000, 0)
	ts := "1800000000"
	sig := Sign(secret, ts, body)
	f := func(sig, ts string, body []byte, ok bool) {
		t.Helper()
		if err := Verify(secret, sig, ts, body, now, time.Minute); (err == nil) != ok {
			t.Errorf("Verify(%s, %s, %s) = %v, want ok %v", sig, ts, body, err, ok)
		}
	}
	f(sig, ts, body, true)
	f(sig, ts, []byte(`{"a":2}`), false)                           // altered body
	f(sig, "1800000001", body, false)                              // altered timestamp
	f(Sign(secret, "1799990000", body), "1799990000", body, false) // replayed later
	f("sha256=00", ts, body, false)
	f(sig, "yesterday", body, false)
}

func TestWebhookRetriesWithBackoff(t *testing.T) {
	h := &hook{t: t, statuses: []int{503, 429, 500}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	r := newRig(t, webhookResponse("soar", srv.URL, "", 5))
	write(t, r.d, mkAlert("a1", "high"))
	recs := r.records(t, 4, RecordFilter{})
	var outcomes []string
	for _, rec := range recs {
		outcomes = append(outcomes, rec.Outcome)
	}
	if strings.Join(outcomes, " ") != "retry retry retry success" {
		t.Errorf("outcomes = %v", outcomes)
	}
	for i, rec := range recs {
		if rec.Attempt != i+1 || rec.Delivery != recs[0].Delivery {
			t.Errorf("record %d = %+v", i, rec)
		}
	}
	// Waits double from 40ms: 40, 80, 160 (no jitter here).
	for i, want := range []time.Duration{40, 80, 160} {
		if gap := h.times[i+1].Sub(h.times[i]); gap < want*time.Millisecond {
			t.Errorf("wait before attempt %d = %s, want >= %dms", i+2, gap, want)
		}
	}
	if r.counter(t, "soar", OutcomeRetry) != 3 || r.counter(t, "soar", OutcomeSuccess) != 1 {
		t.Error("counters do not add up")
	}
}

func TestWebhookGivesUp(t *testing.T) {
	h := &hook{t: t, statuses: []int{500, 502, 503, 504}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	bad := &hook{t: t, statuses: []int{400}}
	badSrv := httptest.NewServer(bad)
	defer badSrv.Close()
	r := newRig(t, webhookResponse("down", srv.URL, "", 3), webhookResponse("picky", badSrv.URL, "", 3))
	write(t, r.d, mkAlert("a1", "high"))
	recs := r.records(t, 3, RecordFilter{Response: "down"})
	if recs[2].Outcome != OutcomeFailure || recs[2].Attempt != 3 || !strings.Contains(recs[2].Detail, "503") {
		t.Errorf("last record = %+v, want a failure after 3 attempts", recs[2])
	}
	// A 4xx other than 408 and 429 is not retried.
	recs = r.records(t, 1, RecordFilter{Response: "picky"})
	if recs[0].Outcome != OutcomeFailure || !strings.Contains(recs[0].Detail, "400") {
		t.Errorf("record = %+v", recs[0])
	}
	if r.counter(t, "down", OutcomeFailure) != 1 || r.counter(t, "down", OutcomeRetry) != 2 {
		t.Error("counters do not add up")
	}
}

func TestWebhookKeepsSecrets(t *testing.T) {
	// Nothing listens there; the URL's path is a token, as Slack's are.
	r := newRig(t, config.Response{Name: "chat", Type: "webhook", Retry: fastRetry(1),
		Webhook: &config.WebhookResponse{URL: "http://127.0.0.1:1/services/T0/B0/tokentokentoken?key=querysecret", Secret: "s3cr3t",
			Headers: map[string]config.Secret{"Authorization": "Bearer headersecret"}}})
	write(t, r.d, mkAlert("a1", "high"))
	recs := r.records(t, 1, RecordFilter{})
	for _, s := range []string{"tokentokentoken", "querysecret", "s3cr3t", "headersecret"} {
		if strings.Contains(recs[0].Detail, s) {
			t.Errorf("record detail shows %q: %s", s, recs[0].Detail)
		}
	}
	if recs[0].Outcome != OutcomeFailure || !strings.Contains(recs[0].Detail, "http://127.0.0.1:1") {
		t.Errorf("record = %+v", recs[0])
	}
}

func TestWebhookTLS(t *testing.T) {
	h := &hook{t: t}
	srv := httptest.NewTLSServer(h)
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	trusted := webhookResponse("trusted", srv.URL, "", 1)
	trusted.Webhook.TLS = config.ClientTLS{CAFile: ca}
	r := newRig(t, trusted, webhookResponse("untrusted", srv.URL, "", 1))
	write(t, r.d, mkAlert("a1", "high"))
	if rec := r.records(t, 1, RecordFilter{Response: "trusted"})[0]; rec.Outcome != OutcomeSuccess {
		t.Errorf("with the CA: %+v", rec)
	}
	rec := r.records(t, 1, RecordFilter{Response: "untrusted"})[0]
	if rec.Outcome != OutcomeFailure || !strings.Contains(rec.Detail, "certificate signed by unknown authority") {
		t.Errorf("without the CA: %+v, want the certificate refused", rec)
	}
}
