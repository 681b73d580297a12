package httpin

import (
	"compress/gzip"
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

// Handler serves the HTTP ingest endpoints.
type Handler struct {
	cfg     config.HTTPIngest
	in      pipeline.Input
	metrics *pipeline.Metrics
	log     *slog.Logger
	root    http.Handler
	budget  *budget
}

// New returns the ingest handlers for cfg (validated by config.Validate),
// submitting to in.
func New(cfg config.HTTPIngest, in pipeline.Input, metrics *pipeline.Metrics, logger *slog.Logger) *Handler {
	if cfg.Tenant == "" {
		cfg.Tenant = event.DefaultTenant
	}
	if cfg.Source == "" {
		cfg.Source = "http"
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = config.DefaultMaxBody
	}
	if cfg.MaxInFlightBytes <= 0 {
		cfg.MaxInFlightBytes = config.DefaultIngestMaxInFlightBytes
	}
	if metrics == nil {
		metrics = pipeline.NewMetrics(nil)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Handler{cfg: cfg, in: in, metrics: metrics, log: logger.With("component", "http-ingest"), budget: newBudget(int64(cfg.MaxInFlightBytes))}
}

// SetRootFallback sets the handler for requests to "/" that come from a
// browser (Accept: text/html), typically the web UI; other requests to "/"
// get the Elasticsearch cluster information shippers probe for.
func (h *Handler) SetRootFallback(next http.Handler) { h.root = next }

// Mux is what Register mounts the endpoints on.
type Mux interface {
	HandleFunc(pattern string, handler func(http.ResponseWriter, *http.Request))
}

// Register mounts the endpoints on mux:
//
//	POST /api/v1/ingest                          NDJSON (?format=NAME for raw lines)
//	POST /services/collector[/event[/1.0]]       Splunk HEC events
//	POST /services/collector/raw[/1.0]           Splunk HEC raw lines
//	GET  /services/collector/health[/1.0]        HEC health
//	POST /services/collector/ack                 HEC ack (answered: disabled)
//	POST|PUT /_bulk, POST /{index}/_bulk         Elasticsearch bulk
//	POST /{index}/_doc                           Elasticsearch single document
//	GET  / (and HEAD), /_license, /_xpack, /_cluster/health,
//	GET|PUT /_index_template/{name}, /_template/{name}, /_ilm/policy/{name}
//	                                             what shippers probe first
//
// *http.ServeMux is a Mux; the API mounts these through its route table.
func (h *Handler) Register(mux Mux) {
	// Every endpoint that reads a body draws on the memory budget.
	mux.HandleFunc("POST /api/v1/ingest", h.withBudget(h.serveNDJSON))
	for _, p := range []string{"/services/collector", "/services/collector/event", "/services/collector/event/1.0"} {
		mux.HandleFunc("POST "+p, h.withBudget(h.serveHECEvent))
	}
	for _, p := range []string{"/services/collector/raw", "/services/collector/raw/1.0"} {
		mux.HandleFunc("POST "+p, h.withBudget(h.serveHECRaw))
	}
	for _, p := range []string{"/services/collector/health", "/services/collector/health/1.0"} {
		mux.HandleFunc("GET "+p, h.serveHECHealth)
	}
	mux.HandleFunc("POST /services/collector/ack", h.serveHECAck)
	// PUT /{index}/_bulk is left out: it would collide with PUT
	// /_index_template/{name}, and shippers POST.
	mux.HandleFunc("POST /_bulk", h.withBudget(h.serveBulk))
	mux.HandleFunc("PUT /_bulk", h.withBudget(h.serveBulk))
	mux.HandleFunc("POST /{index}/_bulk", h.withBudget(h.serveBulk))
	mux.HandleFunc("POST /{index}/_doc", h.withBudget(h.serveDoc))
	h.registerElasticProbes(mux)
}

// principal is who a request acts for.
type principal struct{ tenant, source string }

// Authentication outcomes.
var (
	errNoCredentials  = errors.New("authentication required")
	errBadScheme      = errors.New("unsupported authorization scheme")
	errBadToken       = errors.New("invalid token")
	errQueryToken     = errors.New("a token in the query string is not accepted: send it in the Authorization header")
	errBodyTooLarge   = errors.New("request body too large")
	errBadContentCode = errors.New("unsupported Content-Encoding")
)

// lookup finds the token, comparing against every configured token in
// constant time.
func (h *Handler) lookup(tok string) (principal, bool) {
	var found principal
	ok := 0
	for _, t := range h.cfg.Tokens {
		if subtle.ConstantTimeCompare([]byte(tok), []byte(t.Token)) == 1 {
			found = principal{tenant: t.Tenant, source: t.Source}
			ok = 1
		}
	}
	return found, ok == 1
}

// authHEC authenticates a HEC request: "Authorization: Splunk <token>".
func (h *Handler) authHEC(r *http.Request) (principal, error) {
	a := r.Header.Get("Authorization")
	if a == "" {
		if r.URL.Query().Has("token") {
			return principal{}, errQueryToken
		}
		return principal{}, errNoCredentials
	}
	scheme, tok, _ := strings.Cut(a, " ")
	if !strings.EqualFold(scheme, "Splunk") {
		return principal{}, errBadScheme
	}
	p, ok := h.lookup(strings.TrimSpace(tok))
	if !ok {
		return principal{}, errBadToken
	}
	return p, nil
}

// auth authenticates the other endpoints: open when no token is
// configured, else Bearer, ApiKey or Basic (token as password).
func (h *Handler) auth(r *http.Request) (principal, error) {
	if len(h.cfg.Tokens) == 0 {
		return principal{tenant: h.cfg.Tenant, source: h.cfg.Source}, nil
	}
	a := r.Header.Get("Authorization")
	if a == "" {
		return principal{}, errNoCredentials
	}
	scheme, cred, _ := strings.Cut(a, " ")
	cred = strings.TrimSpace(cred)
	switch strings.ToLower(scheme) {
	case "bearer":
		if p, ok := h.lookup(cred); ok {
			return p, nil
		}
	case "apikey":
		if p, ok := h.lookup(cred); ok {
			return p, nil
		}
		// Elastic clients send base64("id:key"); the key is the token.
		if raw, err := base64.StdEncoding.DecodeString(cred); err == nil {
			if _, key, found := strings.Cut(string(raw), ":"); found {
				if p, ok := h.lookup(key); ok {
					return p, nil
				}
			}
		}
	case "basic":
		if _, pass, ok := r.BasicAuth(); ok {
			if p, ok := h.lookup(pass); ok {
				return p, nil
			}
		}
	default:
		return principal{}, errBadScheme
	}
	return principal{}, errBadToken
}

// readBody reads the whole body, decompressing gzip, bounded by
// max_body_bytes before and after decompression, and by the request's
// share of the ingest memory budget: the buffer is reserved before it is
// read into, so a body the budget cannot hold is refused (errBudget, or
// errBodyTooLarge past the whole budget) before it costs the memory.
func (h *Handler) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := int64(h.cfg.MaxBodyBytes)
	if r.ContentLength > max {
		return nil, errBodyTooLarge
	}
	acct := accountOf(r)
	body := http.MaxBytesReader(w, r.Body, max)
	var rd io.Reader = body
	size := int64(64 << 10) // the first buffer, and the most a body of unknown length gets at first
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		if r.ContentLength > 0 {
			size = r.ContentLength + 1 // +1 sees the end without growing
		}
	case "gzip", "x-gzip":
		zr, err := gzip.NewReader(body)
		if err != nil {
			return nil, fmt.Errorf("read gzip body: %w", err)
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, fmt.Errorf("%w %q: want gzip or none", errBadContentCode, enc)
	}
	size = min(size, max+1)
	if err := acct.grow(size); err != nil {
		return nil, h.refuse(w, err)
	}
	b := make([]byte, 0, size)
	for {
		if len(b) == cap(b) {
			if int64(len(b)) > max {
				return nil, errBodyTooLarge
			}
			// The new buffer is reserved whole: the old one is garbage
			// the collector has not yet freed, so the budget counts every
			// buffer a request allocated, not only the last.
			next := min(2*int64(cap(b)), max+1)
			if err := acct.grow(next); err != nil {
				return nil, h.refuse(w, err)
			}
			nb := make([]byte, len(b), next)
			copy(nb, b)
			b = nb
		}
		n, err := rd.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, errBodyTooLarge
			}
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
	if int64(len(b)) > max {
		return nil, errBodyTooLarge
	}
	return b, nil
}

// refuse prepares the answer to a body the budget refused: a client told
// to retry gets Retry-After, and the connection is closed rather than
// drained of a body that will not be read.
func (h *Handler) refuse(w http.ResponseWriter, err error) error {
	if errors.Is(err, errBudget) {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Connection", "close")
	return err
}

// maxBatchRecords and maxBatchBytes split a request into batches of the
// size the rest of the pipeline is tuned for.
const (
	maxBatchRecords = pipeline.DefaultMaxBatchRecords
	maxBatchBytes   = pipeline.DefaultMaxBatchBytes
)

// submitAll submits the batches and waits until each is acknowledged. It
// returns one error per batch (nil: durable). Batches that could not be
// submitted get the submit error.
func (h *Handler) submitAll(ctx context.Context, batches []*pipeline.Batch) []error {
	errs := make([]error, len(batches))
	dones := make([]chan error, len(batches))
	for i, b := range batches {
		done := make(chan error, 1)
		dones[i] = done
		b.OnAck(func(err error) { done <- err })
		if err := h.in.Submit(ctx, b); err != nil {
			for j := i; j < len(batches); j++ {
				errs[j] = fmt.Errorf("submit: %w", err)
				dones[j] = nil
			}
			break
		}
	}
	for i, done := range dones {
		if done == nil {
			continue
		}
		select {
		case err := <-done:
			errs[i] = err
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return errs
}

func firstErr(errs []error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// batchBuilder splits records or events of one principal into batches.
type batchBuilder struct {
	p       principal
	format  string
	fields  []event.Field
	now     time.Time
	batches []*pipeline.Batch
	bytes   int
}

func (bb *batchBuilder) cur(n int) *pipeline.Batch {
	if len(bb.batches) == 0 || bb.batches[len(bb.batches)-1].Len() >= maxBatchRecords || bb.bytes+n > maxBatchBytes {
		bb.batches = append(bb.batches, &pipeline.Batch{Tenant: bb.p.tenant, Source: bb.p.source, Format: bb.format,
			Received: bb.now, Fields: bb.fields})
		bb.bytes = 0
	}
	bb.bytes += n
	return bb.batches[len(bb.batches)-1]
}

// addRecord adds a raw record; occurrence counts the identical records
// before it in the request (event.Occurrences).
func (bb *batchBuilder) addRecord(data []byte, peer string, occurrence int) {
	b := bb.cur(len(data))
	b.Records = append(b.Records, pipeline.Record{Data: data, Peer: peer, Occurrence: occurrence})
}

// addTextRecord adds a HEC string event as a record of its format: a
// request's records of one format share a batch, so a change of format
// starts a new one.
func (bb *batchBuilder) addTextRecord(ev *HECEvent, peer string, occurrence int) {
	if n := len(bb.batches); n > 0 && len(bb.batches[n-1].Records) > 0 && bb.batches[n-1].Format != ev.Format {
		bb.batches = append(bb.batches, &pipeline.Batch{Tenant: bb.p.tenant, Source: bb.p.source, Format: ev.Format,
			Received: bb.now, Fields: bb.fields})
		bb.bytes = 0
	}
	b := bb.cur(len(ev.Text))
	if len(b.Records) == 0 {
		b.Format = ev.Format
	}
	b.Records = append(b.Records, pipeline.Record{Data: ev.Text, Peer: peer, Occurrence: occurrence, Fields: ev.Fields, Time: ev.Time})
}

// addEvent adds e and returns the index of its batch.
func (bb *batchBuilder) addEvent(e *event.Event, size int) int {
	b := bb.cur(size)
	b.Events = append(b.Events, e)
	return len(bb.batches) - 1
}

// writeJSON writes v as the response body with the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError answers Vigil's own endpoints: {"error":"…"}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
