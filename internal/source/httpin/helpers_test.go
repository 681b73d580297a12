package httpin

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// recorder is a pipeline.Input that keeps the batches and acks them with
// ackErr, after ackHook when set.
type recorder struct {
	mu      sync.Mutex
	batches []*pipeline.Batch
	ackErr  error
	ackHook func()
}

func (r *recorder) Submit(_ context.Context, b *pipeline.Batch) error {
	r.mu.Lock()
	r.batches = append(r.batches, b)
	err, hook := r.ackErr, r.ackHook
	r.mu.Unlock()
	go func() {
		if hook != nil {
			hook()
		}
		b.Ack(err)
	}()
	return nil
}

func (r *recorder) all() (recs []pipeline.Record, batches []*pipeline.Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.batches {
		recs = append(recs, b.Records...)
	}
	return recs, append([]*pipeline.Batch(nil), r.batches...)
}

const (
	tokA = "token-aaaaaaaaaaaaaaaa"
	tokB = "token-bbbbbbbbbbbbbbbb"
)

// server runs the handlers on a real HTTP server.
func server(t *testing.T, cfg config.HTTPIngest, in pipeline.Input) (*httptest.Server, *pipeline.Metrics) {
	t.Helper()
	c := config.Config{HTTP: config.HTTP{Ingest: cfg}}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	m := pipeline.NewMetrics(nil)
	h := New(c.HTTP.Ingest, in, m, slog.New(slog.NewTextHandler(t.Output(), nil)))
	mux := http.NewServeMux()
	h.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, m
}

func withTokens() config.HTTPIngest {
	return config.HTTPIngest{Tokens: []config.IngestToken{{Token: tokA, Tenant: "acme", Source: "hec-acme"}, {Token: tokB, Tenant: "globex"}}}
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("response %d %q: %v", r.status, r.body, err)
	}
	return m
}

func do(t *testing.T, method, url, auth string, body []byte, header ...string) resp {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func gz(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic(err)
	}
	return m.GetCounter().GetValue()
}
