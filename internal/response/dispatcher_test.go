package response

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/alert"
	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/incident"
	"github.com/vigilsiem/vigil/internal/store"
)

// gate is a webhook receiver that holds every request until released.
type gate struct {
	release chan struct{}
	arrived chan struct{}
	mu      sync.Mutex
	got     []Envelope
}

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var e Envelope
	b, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(b, &e)
	select {
	case g.arrived <- struct{}{}:
	default:
	}
	<-g.release
	g.mu.Lock()
	g.got = append(g.got, e)
	g.mu.Unlock()
}

// A full queue drops jobs, counts and records them, and never makes
// detection wait.
func TestQueueFullDrops(t *testing.T) {
	g := &gate{release: make(chan struct{}), arrived: make(chan struct{}, 1)}
	srv := httptest.NewServer(g)
	defer srv.Close()
	c := webhookResponse("slow", srv.URL, "", 1)
	c.Queue, c.Workers, c.Timeout = 2, 1, config.Duration(30*time.Second)
	r := newRig(t, c)
	// The first job runs (and hangs); two wait in the queue; the other
	// seven find it full.
	write(t, r.d, mkAlert("a0", "high"))
	<-g.arrived
	start := time.Now()
	for i := 1; i < 10; i++ {
		write(t, r.d, mkAlert(fmt.Sprint("a", i), "high"))
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("writing 10 alerts took %s with a stuck receiver", took)
	}
	dropped := r.records(t, 7, RecordFilter{Outcome: OutcomeDropped}) // 1 running, 2 queued
	for _, rec := range dropped {
		if rec.Attempt != 0 || !strings.Contains(rec.Detail, "queue full") {
			t.Errorf("dropped record = %+v", rec)
		}
	}
	if r.counter(t, "slow", OutcomeDropped) != 7 {
		t.Errorf("dropped counter = %v", r.counter(t, "slow", OutcomeDropped))
	}
	close(g.release)
	r.records(t, 3, RecordFilter{Outcome: OutcomeSuccess})
}

// A folded alert's updates do not run its responses again, also after a
// restart (the deliveries are read back from the records).
func TestFoldedUpdatesRunOnce(t *testing.T) {
	h := &hook{t: t}
	srv := httptest.NewServer(h)
	defer srv.Close()
	log := openLog(t)
	c := webhookResponse("soar", srv.URL, "", 1)
	r := newRigOn(t, log, c)
	a := mkAlert("a1", "high")
	write(t, r.d, a)
	a.Count = 5
	write(t, r.d, a, a)
	r.records(t, 1, RecordFilter{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := r.d.Close(ctx); err != nil {
		t.Fatal(err)
	}
	r2 := newRigOn(t, log, c)
	a.Count = 9
	write(t, r2.d, a, mkAlert("a2", "high"))
	r2.records(t, 2, RecordFilter{})
	if n := h.calls.Load(); n != 2 {
		t.Errorf("receiver called %d times, want 2 (a1 once, a2 once)", n)
	}
}

func TestTriggersAndMatches(t *testing.T) {
	h := &hook{t: t}
	srv := httptest.NewServer(h)
	defer srv.Close()
	onAlert := webhookResponse("alerts", srv.URL, "", 1)
	onAlert.Match = config.ResponseMatch{MinLevel: "high", Tags: []string{"attack.t1110*"}}
	onIncident := webhookResponse("incidents", srv.URL, "", 1)
	onIncident.Trigger = "incident"
	onIncident.Match = config.ResponseMatch{MinLevel: "high"}
	r := newRig(t, onAlert, onIncident)
	low := mkAlert("low", "low")
	other := mkAlert("other", "critical")
	other.Tags = []string{"attack.t1059"}
	write(t, r.d, mkAlert("hit", "critical"), low, other)
	inc := incident.Incident{ID: "inc1", Tenant: "acme", Severity: "medium", Rules: []incident.Rule{{ID: "r"}}}
	r.d.NotifyIncidents(context.Background(), []incident.Notice{{Reason: incident.ReasonOpened, Incident: inc}}) // too low
	inc.Severity = "high"
	r.d.NotifyIncidents(context.Background(), []incident.Notice{{Reason: incident.ReasonEscalated, Incident: inc}})
	r.d.NotifyIncidents(context.Background(), []incident.Notice{{Reason: incident.ReasonEscalated, Incident: inc}}) // the same again
	inc.Severity = "critical"
	r.d.NotifyIncidents(context.Background(), []incident.Notice{{Reason: incident.ReasonEscalated, Incident: inc}})
	recs := r.records(t, 3, RecordFilter{})
	var got []string
	for _, rec := range recs {
		got = append(got, rec.Response+":"+rec.Kind+":"+rec.Subject+":"+rec.Reason)
	}
	sort.Strings(got) // the two responses run concurrently
	want := "alerts:alert:hit: incidents:incident:inc1:escalated incidents:incident:inc1:escalated"
	if strings.Join(got, " ") != want {
		t.Errorf("records = %v, want %s", got, want)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, e := range h.got {
		if e.Kind == KindIncident && (e.Incident == nil || e.Incident.ID != "inc1" || e.Reason != "escalated") {
			t.Errorf("incident envelope = %+v", e)
		}
	}
}

// Close does not wait out a retry's backoff and drops nothing: the jobs
// not finished (one waiting to retry, one queued behind it) stay in the
// response's durable queue, and the next start delivers each of them once,
// with the same delivery id and body.
func TestStopKeepsPendingJobs(t *testing.T) {
	var down atomic.Bool
	down.Store(true)
	var mu sync.Mutex
	delivered := map[string]int{}     // subject → successful POSTs
	deliveries := map[string]string{} // subject → delivery id of the failed first attempt
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e Envelope
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &e)
		mu.Lock()
		defer mu.Unlock()
		if down.Load() {
			deliveries[e.Alert.ID] = e.Delivery
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if d, ok := deliveries[e.Alert.ID]; ok && d != e.Delivery {
			t.Errorf("alert %s: delivery %s after the restart, %s before", e.Alert.ID, e.Delivery, d)
		}
		delivered[e.Alert.ID]++
	}))
	defer srv.Close()
	c := webhookResponse("flaky", srv.URL, "", 5)
	c.Retry.Initial, c.Retry.Max = config.Duration(time.Hour), config.Duration(time.Hour)
	c.Workers = 1
	log := openLog(t)
	dir := t.TempDir()
	r := newRigAt(t, log, dir, c)
	write(t, r.d, mkAlert("a1", "high"), mkAlert("a2", "high"))
	r.records(t, 1, RecordFilter{Outcome: OutcomeRetry}) // a1 waits an hour for its second attempt
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := r.d.Close(ctx); err != nil { // returns without waiting the hour out
		t.Fatal(err)
	}
	if n := r.counter(t, "flaky", OutcomeDropped); n != 0 {
		t.Errorf("dropped counter = %v, want 0: the jobs stay queued", n)
	}
	// Alerts after Close are counted and recorded as dropped, and do not panic.
	write(t, r.d, mkAlert("a3", "high"))
	if n := r.counter(t, "flaky", OutcomeDropped); n != 1 {
		t.Errorf("dropped counter = %v after an alert past Close, want 1", n)
	}

	down.Store(false)
	r2 := newRigAt(t, log, dir, c)
	r2.records(t, 2, RecordFilter{Outcome: OutcomeSuccess})
	mu.Lock()
	if delivered["a1"] != 1 || delivered["a2"] != 1 || len(delivered) != 2 {
		t.Errorf("delivered after the restart: %v, want a1 and a2 once each", delivered)
	}
	mu.Unlock()
	// Finished jobs were acknowledged: a third start runs nothing again.
	ctx2, cancel2 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel2()
	if err := r2.d.Close(ctx2); err != nil {
		t.Fatal(err)
	}
	r3 := newRigAt(t, log, dir, c)
	if n := r3.d.rs[0].pending.Load(); n != 0 {
		t.Errorf("%d jobs pending after every job finished", n)
	}
}

// A queued job is a versioned JSON header line and the envelope; another
// version is refused.
func TestJobRecord(t *testing.T) {
	a := mkAlert("a1", "high")
	j, err := alertJob("soar", &a, t0)
	if err != nil {
		t.Fatal(err)
	}
	j.reason, j.actor = ReasonManual, "ana"
	b, err := j.marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err := unmarshalJob(b)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.body) != string(j.body) || got.delivery != j.delivery || !got.queued.Equal(j.queued) || got.subject != "a1" ||
		got.actor != "ana" || got.reason != ReasonManual {
		t.Errorf("round trip: %+v, want %+v", got, j)
	}
	for _, bad := range []string{strings.Replace(string(b), `"v":1`, `"v":2`, 1), `{"v":1}`, `{"v":1,"delivery":"x"}\n`, `not json\n{}`} {
		if _, err := unmarshalJob([]byte(bad)); err == nil {
			t.Errorf("unmarshalJob(%.40q) took it", bad)
		}
	}
}

func TestBackoff(t *testing.T) {
	j := 0.5
	r := config.ResponseRetry{Attempts: 10, Initial: config.Duration(time.Second), Max: config.Duration(30 * time.Second), Jitter: &j}
	for attempt, base := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 5: 16 * time.Second, 6: 30 * time.Second, 9: 30 * time.Second} {
		for range 50 {
			d := backoff(r, attempt, 0)
			if d < base/2 || d > base*3/2 {
				t.Fatalf("backoff after attempt %d = %s, want %s ± 50%%", attempt, d, base)
			}
		}
	}
	if d := backoff(r, 1, 20*time.Second); d != 20*time.Second {
		t.Errorf("Retry-After 20s gave %s", d)
	}
	if d := backoff(r, 1, time.Hour); d != 30*time.Second {
		t.Errorf("Retry-After 1h gave %s, want the 30s cap", d)
	}
}

// TestRecordsList: the response log's filters, as GET /api/v1/responses
// uses them (package api parses the parameters).
func TestRecordsList(t *testing.T) {
	h := &hook{t: t, statuses: []int{500}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	r := newRig(t, webhookResponse("soar", srv.URL, "", 2))
	other := mkAlert("b1", "high")
	other.Tenant = "globex"
	write(t, r.d, mkAlert("a1", "high")) // fails once, then succeeds
	r.records(t, 2, RecordFilter{})
	write(t, r.d, other)
	r.records(t, 1, RecordFilter{Tenant: "globex"})
	f := func(name string, rf RecordFilter, total int) []Record {
		t.Helper()
		got, n, err := r.rec.List(context.Background(), rf)
		want := total
		if rf.Limit > 0 {
			want = min(total, rf.Limit)
		}
		if err != nil || int(n) != total || len(got) != want {
			t.Errorf("%s: %d records of %d, err %v, want %d", name, len(got), n, err, total)
		}
		return got
	}
	f("acme", RecordFilter{Tenant: "acme"}, 2)
	f("default", RecordFilter{Tenant: "default"}, 0)
	f("globex", RecordFilter{Tenant: "globex"}, 1)
	f("retry", RecordFilter{Tenant: "acme", Outcome: OutcomeRetry}, 1)
	f("success", RecordFilter{Tenant: "acme", Outcome: OutcomeSuccess}, 1)
	f("response and action", RecordFilter{Tenant: "acme", Response: "soar", Action: "webhook"}, 2)
	f("other response", RecordFilter{Tenant: "acme", Response: "other"}, 0)
	f("subject a1", RecordFilter{Tenant: "acme", Subject: "a1"}, 2)
	f("subject b1", RecordFilter{Tenant: "acme", Subject: "b1"}, 0)
	f("from", RecordFilter{Tenant: "acme", From: time.Now().Add(-time.Hour)}, 2)
	f("to", RecordFilter{Tenant: "acme", To: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}, 0)
	got := f("limit 1", RecordFilter{Tenant: "acme", Limit: 1}, 2)
	if len(got) != 1 {
		t.Fatalf("limit 1: %d records", len(got))
	}
	if first := got[0]; first.Outcome != OutcomeSuccess || first.Attempt != 2 || first.Action != "webhook" {
		t.Errorf("newest record = %+v", first)
	}
	if _, _, err := r.rec.List(context.Background(), RecordFilter{Tenant: "a b"}); !errors.Is(err, store.ErrBadRequest) {
		t.Errorf("a bad tenant: %v, want store.ErrBadRequest", err)
	}
	if _, _, err := r.rec.List(context.Background(), RecordFilter{Tenant: "acme", From: time.Now(), To: time.Now().Add(-time.Hour)}); !errors.Is(err, store.ErrBadRequest) {
		t.Errorf("to before from: %v, want store.ErrBadRequest", err)
	}
}

// The dispatcher takes alerts from detection as an alert.Sink, the
// incident manager's notices as an incident.Notifier.
var (
	_ alert.Sink        = (*Dispatcher)(nil)
	_ incident.Notifier = (*Dispatcher)(nil)
)

func TestRememberIsBounded(t *testing.T) {
	d := &Dispatcher{seen: map[string]struct{}{}}
	for i := range maxSeen + 10 {
		if !d.remember(fmt.Sprint(i)) {
			t.Fatalf("%d reported as seen", i)
		}
	}
	if len(d.seen) != maxSeen || len(d.ring) != maxSeen {
		t.Errorf("remembers %d (ring %d), want %d", len(d.seen), len(d.ring), maxSeen)
	}
	if d.remember(fmt.Sprint(maxSeen+5)) || !d.remember("3") {
		t.Error("want the newest remembered and the oldest forgotten")
	}
}
