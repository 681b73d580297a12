package httpin

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestNDJSON(t *testing.T) {
	rec := &recorder{}
	srv, m := server(t, config.HTTPIngest{}, rec)
	body := []byte("{\"message\":\"a\"}\r\n\n{\"message\":\"b\",\"user\":{\"name\":\"x\"}}\n{\"n\":3}")
	r := do(t, "POST", srv.URL+"/api/v1/ingest", "", body)
	if r.status != 200 || r.json(t)["accepted"] != 3.0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, batches := rec.all()
	if len(recs) != 3 || string(recs[0].Data) != `{"message":"a"}` || string(recs[2].Data) != `{"n":3}` {
		t.Fatalf("records %+v", recs)
	}
	b := batches[0]
	if b.Format != "json" || b.Tenant != "default" || b.Source != "http" || !strings.HasPrefix(recs[0].Peer, "127.0.0.1:") {
		t.Errorf("batch %+v peer %q", b, recs[0].Peer)
	}
	if got := counter(m.Component("source", "http").Received); got != 3 {
		t.Errorf("received counter %v", got)
	}
}

// A line that is an array of objects (a webhook sender's batch) is one
// record: the json format splits it into its objects.
func TestNDJSONArrayLine(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	body := []byte("[{\"a\":1}, {\"a\":2}]\n[ ]\n{\"n\":3}\n")
	r := do(t, "POST", srv.URL+"/api/v1/ingest", "", body)
	if r.status != 200 || r.json(t)["accepted"] != 3.0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, _ := rec.all()
	if len(recs) != 3 || string(recs[0].Data) != `[{"a":1}, {"a":2}]` || string(recs[1].Data) != `[ ]` {
		t.Fatalf("records %+v", recs)
	}
}

func TestNDJSONErrors(t *testing.T) {
	rec := &recorder{}
	srv, m := server(t, config.HTTPIngest{MaxBodyBytes: 1024}, rec)
	url := srv.URL + "/api/v1/ingest"
	f := func(name string, body []byte, wantStatus int, wantErr string, header ...string) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			r := do(t, "POST", url, "", body, header...)
			if r.status != wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, wantStatus, r.body)
			}
			if e, _ := r.json(t)["error"].(string); !strings.Contains(e, wantErr) {
				t.Errorf("error %q, want %q", e, wantErr)
			}
		})
	}
	f("not json", []byte("{\"a\":1}\nnot json\n"), 400, "line 2: not a JSON object")
	f("array", []byte("[1,2]\n"), 400, "line 1: not a JSON object")
	f("array of objects and more", []byte("[{\"a\":1},2]\n"), 400, "line 1: not a JSON object")
	f("array of objects, unclosed", []byte("[{\"a\":1}\n"), 400, "line 1: not a JSON object")
	f("empty", []byte("\n\n"), 400, "no records")
	f("too large", bytes.Repeat([]byte("{\"a\":1}\n"), 200), 413, "too large")
	f("gzip bomb", gz(t, bytes.Repeat([]byte("{\"a\":1}\n"), 2000)), 413, "too large", "Content-Encoding", "gzip")
	f("bad gzip", []byte("not gzip"), 400, "gzip", "Content-Encoding", "gzip")
	f("unknown encoding", []byte("{}"), 415, "Content-Encoding", "Content-Encoding", "br")
	if recs, _ := rec.all(); len(recs) != 0 {
		t.Errorf("a failed request submitted records: %+v", recs)
	}
	if got := counter(m.Component("source", "http").Errors); got != 9 {
		t.Errorf("errors counter %v, want 9", got)
	}
}

func TestNDJSONGzipAndFormat(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	r := do(t, "POST", srv.URL+"/api/v1/ingest?format=raw", "", gz(t, []byte("plain line one\nplain line two\n")), "Content-Encoding", "gzip")
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, batches := rec.all()
	if len(recs) != 2 || string(recs[1].Data) != "plain line two" || batches[0].Format != "raw" {
		t.Fatalf("records %+v format %q", recs, batches[0].Format)
	}
	r = do(t, "POST", srv.URL+"/api/v1/ingest?format=bogus", "", []byte("x\n"))
	if r.status != 400 || !strings.Contains(string(r.body), "unknown format") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestNDJSONAuth(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, withTokens(), rec)
	url := srv.URL + "/api/v1/ingest"
	body := []byte(`{"a":1}` + "\n")
	f := func(auth string, wantStatus int, wantTenant, wantSource string) {
		t.Helper()
		r := do(t, "POST", url, auth, body)
		if r.status != wantStatus {
			t.Fatalf("auth %q: status %d, want %d: %s", auth, r.status, wantStatus, r.body)
		}
		if wantStatus != 200 {
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("auth %q: no WWW-Authenticate", auth)
			}
			return
		}
		_, batches := rec.all()
		b := batches[len(batches)-1]
		if b.Tenant != wantTenant || b.Source != wantSource {
			t.Errorf("auth %q: tenant %q source %q, want %q %q", auth, b.Tenant, b.Source, wantTenant, wantSource)
		}
	}
	f("", 401, "", "")
	f("Bearer wrong-token-xxxxxxxx", 401, "", "")
	f("Splunk "+tokA, 401, "", "")
	f("Bearer "+tokA, 200, "acme", "hec-acme")
	f("ApiKey "+tokB, 200, "globex", "http")
	f("ApiKey "+base64.StdEncoding.EncodeToString([]byte("someid:"+tokA)), 200, "acme", "hec-acme")
	f("Basic "+base64.StdEncoding.EncodeToString([]byte("fluent:"+tokB)), 200, "globex", "http")
	f("Basic "+base64.StdEncoding.EncodeToString([]byte("fluent:nope")), 401, "", "")
}

// The answer comes only after the batch is acknowledged, and an ack with
// an error is a 503 the sender retries.
func TestNDJSONAnswersAfterDurable(t *testing.T) {
	var acked time.Time
	rec := &recorder{ackHook: func() { time.Sleep(200 * time.Millisecond); acked = time.Now() }}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	r := do(t, "POST", srv.URL+"/api/v1/ingest", "", []byte(`{"a":1}`))
	answered := time.Now()
	if r.status != 200 || acked.IsZero() || answered.Before(acked) {
		t.Fatalf("status %d, acked %v, answered %v", r.status, acked, answered)
	}
	rec.ackErr = errors.New("disk full")
	r = do(t, "POST", srv.URL+"/api/v1/ingest", "", []byte(`{"a":1}`))
	if r.status != 503 || !strings.Contains(string(r.body), "disk full") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestNDJSONLargeBodySplitsIntoBatches(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	body := bytes.Repeat([]byte(`{"message":"x"}`+"\n"), 2500)
	if r := do(t, "POST", srv.URL+"/api/v1/ingest", "", body); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, batches := rec.all()
	if len(recs) != 2500 || len(batches) != 3 {
		t.Fatalf("%d records in %d batches", len(recs), len(batches))
	}
}
