package httpin

import (
	"bytes"
	"compress/gzip"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
	"github.com/vigilsiem/vigil/internal/testutil"
)

func budgetServer(t *testing.T, maxBody, budget config.ByteSize, in pipeline.Input) (*httptest.Server, *Handler) {
	t.Helper()
	c := config.Config{HTTP: config.HTTP{Ingest: config.HTTPIngest{MaxBodyBytes: maxBody, MaxInFlightBytes: budget,
		Tokens: []config.IngestToken{{Token: tokA, Tenant: "acme"}}}}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	h := New(c.HTTP.Ingest, in, nil, slog.New(slog.DiscardHandler))
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, h
}

func ndjsonOf(size int) []byte {
	var b bytes.Buffer
	for b.Len() < size-100 {
		b.WriteString(`{"message":"` + strings.Repeat("x", 80) + `"}` + "\n")
	}
	return b.Bytes()
}

// TestBudgetRefusesWhileHeld: while one request holds most of the budget
// (its batches not yet acknowledged), another is answered 503 with
// Retry-After (HEC: code 9) before its body is read; once the first is
// answered, the budget is free again.
func TestBudgetRefusesWhileHeld(t *testing.T) {
	release := make(chan struct{})
	in := &recorder{ackHook: func() { <-release }}
	srv, h := budgetServer(t, 1<<20, 1536<<10, in)
	body := ndjsonOf(900 << 10)
	first := make(chan resp, 1)
	go func() { first <- do(t, "POST", srv.URL+"/api/v1/ingest", "Bearer "+tokA, body) }()
	testutil.Eventually(t, "the first request holds budget", func() bool { return h.budget.inUse() > 0 })
	r := do(t, "POST", srv.URL+"/api/v1/ingest", "Bearer "+tokA, body)
	if r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
		t.Errorf("second request while the budget is held: %d Retry-After %q, want 503 with Retry-After", r.status, r.header.Get("Retry-After"))
	}
	r = do(t, "POST", srv.URL+"/services/collector/raw", "Splunk "+tokA, body)
	if r.status != http.StatusServiceUnavailable || !strings.Contains(string(r.body), `"code":9`) {
		t.Errorf("HEC while the budget is held: %d %s, want 503 code 9", r.status, r.body)
	}
	close(release)
	if r := <-first; r.status != 200 {
		t.Fatalf("first request: %d %s", r.status, r.body)
	}
	if got := h.budget.inUse(); got != 0 {
		t.Errorf("budget in use after the requests: %d", got)
	}
	if r := do(t, "POST", srv.URL+"/api/v1/ingest", "Bearer "+tokA, body); r.status != 200 {
		t.Errorf("after the budget was given back: %d %s", r.status, r.body)
	}
}

// TestGzipBombStaysWithinBudget: a body that inflates past the budget is
// answered 413 having held no more than the budget.
func TestGzipBombStaysWithinBudget(t *testing.T) {
	srv, h := budgetServer(t, 16<<20, 1<<20, &recorder{})
	bomb := gz(t, make([]byte, 64<<20))
	r := do(t, "POST", srv.URL+"/api/v1/ingest", "Bearer "+tokA, bomb, "Content-Encoding", "gzip")
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("gzip bomb: %d %s, want 413", r.status, r.body)
	}
	if peak := h.budget.maxInUse(); peak == 0 || peak > 1<<20 {
		t.Errorf("most bytes held %d, want within the 1 MiB budget", peak)
	}
	if got := h.budget.inUse(); got != 0 {
		t.Errorf("budget in use after the request: %d", got)
	}
}

// BenchmarkReadBody reads a 1 MiB NDJSON body through the budget, plain and
// gzipped (the path every ingest request takes).
func BenchmarkReadBody(b *testing.B) {
	h := New(config.HTTPIngest{}, &recorder{}, nil, slog.New(slog.DiscardHandler))
	plain := ndjsonOf(1 << 20)
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(plain)
	zw.Close()
	for _, c := range []struct {
		name, enc string
		body      []byte
	}{{"plain", "", plain}, {"gzip", "gzip", zb.Bytes()}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(plain)))
			for b.Loop() {
				r := httptest.NewRequest("POST", "/api/v1/ingest", bytes.NewReader(c.body))
				if c.enc != "" {
					r.Header.Set("Content-Encoding", c.enc)
				}
				var got []byte
				h.withBudget(func(w http.ResponseWriter, r *http.Request) {
					var err error
					if got, err = h.readBody(w, r); err != nil {
						b.Fatal(err)
					}
				})(httptest.NewRecorder(), r)
				if len(got) != len(plain) {
					b.Fatalf("read %d bytes, want %d", len(got), len(plain))
				}
			}
		})
	}
}
