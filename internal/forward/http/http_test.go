package http

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	stdhttp "net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/forward"
	"github.com/vigilsiem/vigil/internal/forward/forwardtest"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/source/httpin"
	"github.com/vigilsiem/vigil/internal/testutil"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const token = "forward-test-token-0123456789"

// receiver is Vigil's own HTTP ingest (NDJSON and HEC) in front of a
// pipeline whose sink records the events; it can be stopped and started
// on one address. refuse, when set, makes it answer 400 to any request
// holding an event whose message contains it.
type receiver struct {
	addr   string
	refuse string

	mu     sync.Mutex
	srv    *stdhttp.Server
	events []*event.Event
	pipe   *pipeline.Pipeline
	ingest stdhttp.Handler
	reqs   int
	gzip   int
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	r := &receiver{addr: testutil.FreeAddr(t)}
	p, err := pipeline.New(pipeline.Config{Workers: 1, Sinks: []pipeline.Sink{r}, DeadLetters: r, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	p.Start()
	r.pipe = p
	h := httpin.New(config.HTTPIngest{Tenant: "default", Source: "http", MaxBodyBytes: 64 << 20,
		Tokens: []config.IngestToken{{Token: token, Tenant: "default", Source: "forwarded"}}}, p, nil, quiet)
	mux := stdhttp.NewServeMux()
	h.Register(mux)
	r.ingest = mux
	t.Cleanup(func() { r.stop(); p.Stop() })
	return r
}

func (r *receiver) ServeHTTP(w stdhttp.ResponseWriter, req *stdhttp.Request) {
	r.mu.Lock()
	r.reqs++
	if req.Header.Get("Content-Encoding") == "gzip" {
		r.gzip++
	}
	refuse := r.refuse
	r.mu.Unlock()
	if refuse != "" {
		body, _ := io.ReadAll(req.Body)
		if strings.Contains(string(body), refuse) {
			stdhttp.Error(w, `{"error":"refused"}`, stdhttp.StatusBadRequest)
			return
		}
		req.Body = io.NopCloser(strings.NewReader(string(body)))
	}
	r.ingest.ServeHTTP(w, req)
}

func (r *receiver) Name() string { return "recorder" }
func (r *receiver) Write(_ context.Context, evs []*event.Event) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, e := range evs {
		r.events = append(r.events, e.Clone())
	}
	return nil
}
func (r *receiver) WriteDeadLetters(_ context.Context, dl []pipeline.DeadLetter) error {
	return fmt.Errorf("dead letter: %s", dl[0].Reason)
}

func (r *receiver) start(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.srv != nil {
		return
	}
	var ln net.Listener
	var err error
	// The address of a receiver stopped a moment ago may still be taken.
	if !testutil.Poll(testutil.WaitTimeout, func() bool { ln, err = net.Listen("tcp", r.addr); return err == nil }) {
		t.Fatal(err)
	}
	r.srv = &stdhttp.Server{Handler: r, ReadHeaderTimeout: 5 * time.Second}
	go r.srv.Serve(ln)
}

func (r *receiver) stop() {
	r.mu.Lock()
	srv := r.srv
	r.srv = nil
	r.mu.Unlock()
	if srv != nil {
		srv.Close()
	}
}

func (r *receiver) received() []forwardtest.Received {
	r.mu.Lock()
	defer r.mu.Unlock()
	var got []forwardtest.Received
	for _, e := range r.events {
		v, _ := e.Get("kill.seq")
		// Vigil's NDJSON ingest does not let a record choose its id: the
		// sender's is kept as json.event.id (and the receiver's own id is
		// derived from the line's bytes, so a replay still repeats it).
		id := e.GetString("json.event.id")
		if id == "" {
			id = e.ID
		}
		got = append(got, forwardtest.Received{ID: id, Seq: int(v.Int())})
	}
	return got
}

func (r *receiver) wait(t *testing.T, n int) []forwardtest.Received {
	t.Helper()
	var got []forwardtest.Received
	if !testutil.Poll(testutil.WaitTimeout, func() bool { got = r.received(); return len(got) >= n }) {
		t.Fatalf("receiver got %d events, want %d", len(got), n)
	}
	return got
}

func httpConfig(url, extra string) string {
	return fmt.Sprintf(`
outputs:
  - name: http
    type: http
    url: %q
    token: %q
    timeout: 2s
    retry: {initial: 20ms, max: 200ms}
    batch: {max_events: 100, linger: 5ms}
%s
routes:
  - outputs: [http]
`, url, token, extra)
}

func start(t *testing.T, yaml string) *forward.Manager {
	t.Helper()
	c, err := config.Parse([]byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	m, err := forward.New(c.Outputs, c.Routes, forward.Env{DataDir: t.TempDir(), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	m.Start()
	t.Cleanup(func() { _ = m.Stop() })
	return m
}

func events(from, to int) []*event.Event {
	var evs []*event.Event
	for i := from; i < to; i++ {
		evs = append(evs, forwardtest.Event(i))
	}
	return evs
}

func checkAll(t *testing.T, got []forwardtest.Received, n int) {
	t.Helper()
	seen := map[int]bool{}
	for _, r := range got {
		if r.ID != forwardtest.Event(r.Seq).ID {
			t.Fatalf("event %d arrived with id %q", r.Seq, r.ID)
		}
		seen[r.Seq] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct events arrived, want %d", len(seen), n)
	}
}

// NDJSON and HEC, plain and gzip, into Vigil's own ingest handler: every
// event arrives with its event.id and fields.
func TestIntoVigilIngest(t *testing.T) {
	for _, tc := range []struct{ name, path, extra string }{
		{"ndjson", "/api/v1/ingest", ""},
		{"ndjson-gzip", "/api/v1/ingest", "    gzip: true"},
		{"hec", "/services/collector/event", "    format: hec"},
		{"hec-gzip", "/services/collector/event", "    format: hec\n    gzip: true"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newReceiver(t)
			r.start(t)
			m := start(t, httpConfig("http://"+r.addr+tc.path, tc.extra))
			if err := m.Sink().Write(context.Background(), events(0, 250)); err != nil {
				t.Fatal(err)
			}
			checkAll(t, r.wait(t, 250), 250)
			r.mu.Lock()
			e := r.events[0]
			gz, reqs := r.gzip, r.reqs
			r.mu.Unlock()
			want := forwardtest.Event(int(must(e.Get("kill.seq")).Int()))
			if e.GetString("host.name") != want.GetString("host.name") || e.Message() != want.Message() {
				t.Errorf("received %s\nsent %s", e.AppendJSON(nil), want.AppendJSON(nil))
			}
			if strings.Contains(tc.name, "gzip") != (gz == reqs) || reqs == 0 {
				t.Errorf("%d of %d requests gzip", gz, reqs)
			}
		})
	}
}

func must(v event.Value, ok bool) event.Value {
	if !ok {
		panic("missing field")
	}
	return v
}

// A wrong token is retried (it can be fixed), never dropped.
func TestWrongTokenIsRetried(t *testing.T) {
	r := newReceiver(t)
	r.start(t)
	yaml := strings.Replace(httpConfig("http://"+r.addr+"/api/v1/ingest", ""), token, "wrong-token-wrong-token", 1)
	m := start(t, yaml)
	if err := m.Sink().Write(context.Background(), events(0, 3)); err != nil {
		t.Fatal(err)
	}
	testutil.Poll(testutil.WaitTimeout, func() bool { return m.Status()[0].FailedSends >= 2 })
	st := m.Status()[0]
	if st.FailedSends < 2 || st.Dropped != 0 || st.Queue.Records != 3 || !strings.Contains(st.LastError, "401") {
		t.Errorf("status %+v", st)
	}
}

// A 400 for one event's content drops that event only.
func TestRefusedEventIsDropped(t *testing.T) {
	r := newReceiver(t)
	r.refuse = "kill test event 13 "
	r.start(t)
	m := start(t, httpConfig("http://"+r.addr+"/api/v1/ingest", ""))
	if err := m.Sink().Write(context.Background(), events(0, 40)); err != nil {
		t.Fatal(err)
	}
	got := r.wait(t, 39)
	for _, g := range got {
		if g.Seq == 13 {
			t.Fatal("the refused event arrived")
		}
	}
	testutil.Poll(testutil.WaitTimeout, func() bool { st := m.Status()[0]; return st.DroppedRejected == 1 && st.Delivered == 39 })
	if st := m.Status()[0]; st.DroppedRejected != 1 || st.Delivered != 39 {
		t.Errorf("status %+v", st)
	}
}

func TestConfigValidation(t *testing.T) {
	f := func(extra, wantErr string) {
		t.Helper()
		_, err := config.Parse([]byte("outputs: [{name: h, type: http" + extra + "}]"))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", extra, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Errorf("%s: error %v, want %q", extra, err, wantErr)
		}
	}
	f(", url: 'http://h/x'", "")
	f("", "url")
	f(", url: 'ftp://h/x'", "url")
	f(", url: 'http://h/x', format: xml", "format")
	f(", url: 'http://h/x', format: hec", "token")
	f(", url: 'http://h/x', token: a, token_file: b", "not both")
	f(", url: 'http://h/x', headers: {'a b': c}", "header")
}

func TestKill9(t *testing.T) {
	r := newReceiver(t)
	forwardtest.RunKill(t, forwardtest.Spec{
		Config:    httpConfig("http://"+r.addr+"/services/collector/event", "    format: hec"),
		N:         2000,
		ChildTest: "TestKill9Child",
		Down:      func(t *testing.T) { r.stop() },
		Up:        r.start,
		Received:  func(t *testing.T) []forwardtest.Received { return r.received() },
	})
}

func TestKill9Child(t *testing.T) { forwardtest.KillChild(t) }
