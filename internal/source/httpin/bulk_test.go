package httpin

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/vigilsiem/vigil/internal/config"
)

func TestDecodeBulk(t *testing.T) {
	f := func(body, defIndex string, want []BulkItem) {
		t.Helper()
		var got []BulkItem
		n, err := DecodeBulk([]byte(body), defIndex, func(it BulkItem) error { got = append(got, it); return nil })
		if err != nil {
			t.Fatalf("DecodeBulk(%q): %v", body, err)
		}
		if n != len(got) || !reflect.DeepEqual(got, want) {
			t.Errorf("DecodeBulk(%q) = %d %+v, want %+v", body, n, got, want)
		}
	}
	f("{\"index\":{\"_index\":\"logs\",\"_id\":\"1\"}}\n{\"a\":1}\n", "", []BulkItem{{Action: "index", Index: "logs", ID: "1", Doc: []byte(`{"a":1}`), Line: 1}})
	f("{\"create\":{}}\r\n{\"a\":1}\r\n\n{\"delete\":{\"_id\":\"9\"}}\n{\"update\":{\"_id\":\"9\"}}\n{\"doc\":{}}", "dflt",
		[]BulkItem{{Action: "create", Index: "dflt", Doc: []byte(`{"a":1}`), Line: 1},
			{Action: "delete", Index: "dflt", ID: "9", Line: 4},
			{Action: "update", Index: "dflt", ID: "9", Doc: []byte(`{"doc":{}}`), Line: 5}})
	// Fluent Bit without Suppress_Type_Name sends _type: ignored.
	f("{\"index\":{\"_index\":\"fb\",\"_type\":\"_doc\"}}\n{\"log\":\"x\"}\n", "", []BulkItem{{Action: "index", Index: "fb", Doc: []byte(`{"log":"x"}`), Line: 1}})
	f("", "", nil)
}

func TestDecodeBulkErrors(t *testing.T) {
	f := func(body string) {
		t.Helper()
		_, err := DecodeBulk([]byte(body), "", func(BulkItem) error { return nil })
		if !errors.Is(err, errBulk) {
			t.Errorf("DecodeBulk(%q) = %v, want a malformed-body error", body, err)
		}
	}
	f("{\"index\":{}}\n")
	f("not json\n{}\n")
	f("{\"index\":{},\"create\":{}}\n{}\n")
	f("{\"upsert\":{}}\n{}\n")
	f("{\"index\":\"x\"}\n{}\n")
}

func TestBulkEndpoint(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	body := strings.Join([]string{
		`{"create":{"_index":"filebeat-8.17.0"}}`,
		`{"@timestamp":"2026-11-23T10:00:00.000Z","message":"hello","host":{"name":"web1"},"log":{"file":{"path":"/var/log/x"}}}`,
		`{"index":{"_id":"abc"}}`,
		`{"message":"second"}`,
		`{"delete":{"_id":"abc"}}`,
		`{"index":{}}`,
		`["not","an","object"]`,
		`{"index":{}}`,
		`{"@timestamp":"not a time"}`,
	}, "\n") + "\n"
	r := do(t, "POST", srv.URL+"/logs-x/_bulk", "", []byte(body), "Content-Type", "application/x-ndjson")
	if r.status != 200 || r.header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("%d %v %s", r.status, r.header, r.body)
	}
	var res struct {
		Errors bool
		Items  []map[string]struct {
			Index  string `json:"_index"`
			ID     string `json:"_id"`
			Status int
			Result string
			Error  *struct{ Type, Reason string }
		}
	}
	if err := json.Unmarshal(r.body, &res); err != nil {
		t.Fatal(err)
	}
	if !res.Errors || len(res.Items) != 5 {
		t.Fatalf("response %s", r.body)
	}
	type want struct {
		action, index string
		status        int
		errType       string
	}
	for i, w := range []want{{"create", "filebeat-8.17.0", 201, ""}, {"index", "logs-x", 201, ""},
		{"delete", "logs-x", 400, "action_request_validation_exception"}, {"index", "logs-x", 400, "document_parsing_exception"},
		{"index", "logs-x", 400, "document_parsing_exception"}} {
		it, ok := res.Items[i][w.action]
		if !ok || it.Index != w.index || it.Status != w.status || (w.errType == "") != (it.Error == nil) ||
			it.Error != nil && it.Error.Type != w.errType {
			t.Errorf("item %d = %+v, want %+v", i, res.Items[i], w)
		}
	}
	if id := res.Items[1]["index"].ID; id != "abc" {
		t.Errorf("_id not echoed: %q", id)
	}
	_, batches := rec.all()
	if len(batches) != 1 || len(batches[0].Events) != 2 {
		t.Fatalf("%d batches", len(batches))
	}
	e := batches[0].Events[0]
	if e.Timestamp.Format("2006-01-02T15:04:05") != "2026-11-23T10:00:00" || e.GetString("host.name") != "web1" ||
		e.GetString("log.file.path") != "/var/log/x" || e.GetString("elastic.index") != "filebeat-8.17.0" || e.Message() != "hello" ||
		res.Items[0]["create"].ID != e.ID {
		t.Errorf("event %s (item id %s)", e.AppendJSON(nil), res.Items[0]["create"].ID)
	}
}

func TestBulkErrors(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, withTokens(), rec)
	r := do(t, "POST", srv.URL+"/_bulk", "", []byte("{\"index\":{}}\n{}\n"))
	if r.status != 401 || r.json(t)["status"] != 401.0 || !strings.Contains(string(r.body), "security_exception") {
		t.Errorf("no auth: %d %s", r.status, r.body)
	}
	r = do(t, "POST", srv.URL+"/_bulk", "ApiKey "+tokA, []byte("{\"index\":{}}\n"))
	if r.status != 400 || !strings.Contains(string(r.body), "illegal_argument_exception") {
		t.Errorf("missing source: %d %s", r.status, r.body)
	}
	r = do(t, "POST", srv.URL+"/_bulk", "ApiKey "+tokA, nil)
	if r.status != 400 {
		t.Errorf("empty: %d %s", r.status, r.body)
	}
	rec.ackErr = errors.New("store down")
	r = do(t, "PUT", srv.URL+"/_bulk", "ApiKey "+tokA, []byte("{\"index\":{\"_index\":\"a\"}}\n{\"m\":1}\n"))
	if r.status != 200 || !strings.Contains(string(r.body), `"status":503`) || !strings.Contains(string(r.body), `"errors":true`) {
		t.Errorf("failed store: %d %s", r.status, r.body)
	}
}

func TestElasticProbes(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, config.HTTPIngest{}, rec)
	r := do(t, "GET", srv.URL+"/", "", nil)
	if r.status != 200 || r.header.Get("X-Elastic-Product") != "Elasticsearch" {
		t.Fatalf("GET /: %d %s", r.status, r.body)
	}
	v, _ := r.json(t)["version"].(map[string]any)
	if n, _ := v["number"].(string); !strings.HasPrefix(n, "8.") {
		t.Errorf("version %v", v)
	}
	if r := do(t, "HEAD", srv.URL+"/", "", nil); r.status != 200 || len(r.body) != 0 {
		t.Errorf("HEAD /: %d %q", r.status, r.body)
	}
	for _, p := range []string{"/_license", "/_xpack", "/_cluster/health", "/_index_template/filebeat-8.17.0", "/_ilm/policy/filebeat", "/_template/logstash"} {
		if r := do(t, "GET", srv.URL+p, "", nil); r.status != 200 || r.header.Get("X-Elastic-Product") == "" {
			t.Errorf("GET %s: %d %s", p, r.status, r.body)
		}
	}
	for _, p := range []string{"/_index_template/filebeat-8.17.0", "/_ilm/policy/filebeat", "/_template/logstash", "/_component_template/x"} {
		if r := do(t, "PUT", srv.URL+p, "", []byte(`{}`)); r.status != 200 || r.json(t)["acknowledged"] != true {
			t.Errorf("PUT %s: %d %s", p, r.status, r.body)
		}
	}
	r = do(t, "POST", srv.URL+"/myindex/_doc", "", []byte(`{"message":"single"}`))
	if r.status != 201 || r.json(t)["result"] != "created" {
		t.Errorf("_doc: %d %s", r.status, r.body)
	}
}

func TestRootFallback(t *testing.T) {
	h := New(config.HTTPIngest{}, &recorder{}, nil, nil)
	h.SetRootFallback(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>ui")) }))
	mux := http.NewServeMux()
	h.Register(mux)
	mux.Handle("/", http.NotFoundHandler()) // the UI's own catch-all must not collide
	f := func(accept, want string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "/", nil)
		req.Header.Set("Accept", accept)
		w := &bodyRecorder{h: http.Header{}}
		mux.ServeHTTP(w, req)
		if !strings.Contains(w.b.String(), want) {
			t.Errorf("Accept %q: got %q, want %q", accept, w.b.String(), want)
		}
	}
	f("text/html,application/xhtml+xml", "<html>ui")
	f("application/json", "You Know, for Search")
	f("", "You Know, for Search")
}

type bodyRecorder struct {
	h      http.Header
	b      bytes.Buffer
	status int
}

func (r *bodyRecorder) Header() http.Header         { return r.h }
func (r *bodyRecorder) Write(p []byte) (int, error) { return r.b.Write(p) }
func (r *bodyRecorder) WriteHeader(s int)           { r.status = s }

func TestOversizedBodies(t *testing.T) {
	rec := &recorder{}
	cfg := withTokens()
	cfg.MaxBodyBytes = 2048
	srv, _ := server(t, cfg, rec)
	big := bytes.Repeat([]byte(`{"event":"0123456789012345678901234567890123456789"}`), 100)
	r := do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, big)
	if r.status != 413 {
		t.Errorf("hec: %d %s", r.status, r.body)
	}
	r = do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, gz(t, big), "Content-Encoding", "gzip")
	if r.status != 413 {
		t.Errorf("hec gzip: %d %s", r.status, r.body)
	}
	bulk := bytes.Repeat([]byte("{\"index\":{}}\n{\"message\":\"0123456789012345678901234567890123456789\"}\n"), 100)
	r = do(t, "POST", srv.URL+"/_bulk", "Bearer "+tokA, bulk)
	if r.status != 413 || !strings.Contains(string(r.body), `"status":413`) {
		t.Errorf("bulk: %d %s", r.status, r.body)
	}
	if _, batches := rec.all(); len(batches) != 0 {
		t.Errorf("oversized requests submitted %d batches", len(batches))
	}
}
