package httpin

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/vigilsiem/vigil/internal/config"
	"github.com/vigilsiem/vigil/internal/event"
	"github.com/vigilsiem/vigil/internal/pipeline"
)

func TestDecodeHEC(t *testing.T) {
	f := func(body string, want []string) {
		t.Helper()
		var got []string
		_, err := DecodeHEC([]byte(body), HECMeta{Sourcetype: "default-st"}, func(ev *HECEvent) error {
			got = append(got, string(hecView(ev).AppendJSON(nil)))
			return nil
		})
		if err != nil {
			t.Fatalf("DecodeHEC(%s): %v", body, err)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("DecodeHEC(%s):\n got %s\nwant %s", body, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	f(`{"event":"hello world","time":1700000000.5,"host":"web1","source":"/var/log/x","sourcetype":"st","index":"main"}`,
		[]string{`{"@timestamp":"2023-11-14T22:13:20.5Z","event.original":"hello world","message":"hello world","host.name":"web1","splunk.source":"/var/log/x","splunk.sourcetype":"st","splunk.index":"main"}`})
	f(`{"event":{"user":{"name":"bob"},"action":"login","n":3,"ok":true,"tags":["a","b"]},"time":"1700000000"}{"event":"second"}`,
		[]string{`{"@timestamp":"2023-11-14T22:13:20Z","event.original":"{\"user\":{\"name\":\"bob\"},\"action\":\"login\",\"n\":3,\"ok\":true,\"tags\":[\"a\",\"b\"]}","user.name":"bob","action":"login","n":3,"ok":true,"tags":["a","b"],"splunk.sourcetype":"default-st"}`,
			`{"event.original":"second","message":"second","splunk.sourcetype":"default-st"}`})
	f("{\"event\":\"x\",\"fields\":{\"env\":\"prod\",\"rack\":7,\"zones\":[\"a\",\"b\"]}}\n\n {\"event\":42}",
		[]string{`{"event.original":"x","message":"x","splunk.sourcetype":"default-st","labels.env":"prod","labels.rack":7,"labels.zones":["a","b"]}`,
			`{"event.original":"42","message":"42","splunk.sourcetype":"default-st"}`})
	f(`{"event":{"@timestamp":"2024-05-01T10:00:00Z","message":"m"}}`,
		[]string{`{"@timestamp":"2024-05-01T10:00:00Z","event.original":"{\"@timestamp\":\"2024-05-01T10:00:00Z\",\"message\":\"m\"}","message":"m","splunk.sourcetype":"default-st"}`})
	f(``, nil)
}

// recordField is the text of a record's field, "" when it has none.
func recordField(r pipeline.Record, name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value.Text()
		}
	}
	return ""
}

// hecView shows a decoded event as one event: a string event's text as
// message and event.original, its time and metadata fields.
func hecView(ev *HECEvent) *event.Event {
	if ev.Event != nil {
		return ev.Event
	}
	e := &event.Event{Original: string(ev.Text), Timestamp: ev.Time}
	e.Append(event.FieldMessage, event.String(string(ev.Text)))
	e.Fields = append(e.Fields, ev.Fields...)
	return e
}

func TestDecodeHECErrors(t *testing.T) {
	f := func(body string, wantCode, wantEvent int) {
		t.Helper()
		_, err := DecodeHEC([]byte(body), HECMeta{}, func(*HECEvent) error { return nil })
		var he *HECError
		if !errors.As(err, &he) || he.Code != wantCode || he.Event != wantEvent {
			t.Errorf("DecodeHEC(%s) = %v, want code %d at event %d", body, err, wantCode, wantEvent)
		}
	}
	f(`{"time":1}`, hecEventRequired, 0)
	f(`{"event":"a"}{"event":null}`, hecEventRequired, 1)
	f(`{"event":"  "}`, hecEventBlank, 0)
	f(`{"event":{}}`, hecEventBlank, 0)
	f(`{"event":"a"} {"event":"b"} {"event":`, hecInvalidFormat, 2)
	f(`not json`, hecInvalidFormat, 0)
	f(`["event"]`, hecInvalidFormat, 0)
	f(`{"event":"a","time":"yesterday"}`, hecInvalidFormat, 0)
	f(`{"event":"a","fields":{"o":{"x":1}}}`, hecIndexedFields, 0)
	f(`{"event":"a","host":5}`, hecInvalidFormat, 0)
	f(`{"event":{"@timestamp":"not a time"}}`, hecInvalidFormat, 0)
}

func TestHECEndpoint(t *testing.T) {
	rec := &recorder{}
	srv, m := server(t, withTokens(), rec)
	for _, path := range []string{"/services/collector", "/services/collector/event", "/services/collector/event/1.0"} {
		r := do(t, "POST", srv.URL+path+"?host=qhost", "Splunk "+tokA, []byte(`{"event":"one"} {"event":"two","host":"h2"}`))
		if r.status != 200 || string(r.body) != "{\"code\":0,\"text\":\"Success\"}\n" {
			t.Fatalf("%s: %d %s", path, r.status, r.body)
		}
	}
	_, batches := rec.all()
	if len(batches) != 3 || len(batches[0].Records) != 2 {
		t.Fatalf("%d batches", len(batches))
	}
	b := batches[0]
	if b.Tenant != "acme" || b.Source != "hec-acme" || b.Format != "" || string(b.Records[0].Data) != "one" ||
		recordField(b.Records[0], "host.name") != "qhost" || recordField(b.Records[1], "host.name") != "h2" {
		t.Errorf("batch tenant %q source %q format %q records %+v", b.Tenant, b.Source, b.Format, b.Records)
	}
	if got := counter(m.Component("source", "hec-acme").Received); got != 6 {
		t.Errorf("received %v", got)
	}
	// gzip
	if r := do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, gz(t, []byte(`{"event":"zipped"}`)), "Content-Encoding", "gzip"); r.status != 200 {
		t.Fatalf("gzip: %d %s", r.status, r.body)
	}
}

func TestHECErrorsOverHTTP(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, withTokens(), rec)
	url := srv.URL + "/services/collector/event"
	f := func(name, url, auth, body string, wantStatus, wantCode int) {
		t.Helper()
		t.Run(name, func(t *testing.T) {
			r := do(t, "POST", url, auth, []byte(body))
			m := r.json(t)
			if r.status != wantStatus || m["code"] != float64(wantCode) || m["text"] != hecText[wantCode] {
				t.Errorf("%d %s, want %d code %d", r.status, r.body, wantStatus, wantCode)
			}
		})
	}
	f("no token", url, "", `{"event":"x"}`, 401, hecTokenRequired)
	f("query token", url+"?token="+tokA, "", `{"event":"x"}`, 400, hecQueryStringAuth)
	f("bearer scheme", url, "Bearer "+tokA, `{"event":"x"}`, 401, hecInvalidAuth)
	f("wrong token", url, "Splunk nope-nope-nope-nope", `{"event":"x"}`, 403, hecInvalidToken)
	f("no data", url, "Splunk "+tokA, ``, 400, hecNoData)
	f("no event", url, "Splunk "+tokA, `{"event":"a"}{"host":"x"}`, 400, hecEventRequired)
	f("blank", url, "Splunk "+tokA, `{"event":""}`, 400, hecEventBlank)
	f("bad json", url, "Splunk "+tokA, `{"event":`, 400, hecInvalidFormat)
	f("ack", srv.URL+"/services/collector/ack", "Splunk "+tokA, `{"acks":[1]}`, 400, hecAckDisabled)
	r := do(t, "POST", url, "Splunk "+tokA, []byte(`{"event":"a"}{"host":"x"}`))
	if r.json(t)["invalid-event-number"] != 1.0 {
		t.Errorf("invalid-event-number missing: %s", r.body)
	}
	if _, batches := rec.all(); len(batches) != 0 {
		t.Errorf("failed requests submitted %d batches", len(batches))
	}
	// HEC needs a token even when none is configured.
	srv2, _ := server(t, config.HTTPIngest{}, rec)
	f("no tokens configured", srv2.URL+"/services/collector/event", "Splunk anything-at-all-here", `{"event":"x"}`, 403, hecInvalidToken)
}

func TestHECRawAndHealth(t *testing.T) {
	rec := &recorder{}
	srv, _ := server(t, withTokens(), rec)
	r := do(t, "POST", srv.URL+"/services/collector/raw?channel=0aeeac95-ac74-4aa9-b30d-6c4c0ac581ba&sourcetype=raw&host=fw1&index=net",
		"Splunk "+tokB, []byte("line one\r\nline two\n\nline three"))
	if r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	recs, batches := rec.all()
	if len(recs) != 3 || string(recs[2].Data) != "line three" || string(recs[0].Data) != "line one" {
		t.Fatalf("records %+v", recs)
	}
	b := batches[0]
	if b.Format != "raw" || b.Tenant != "globex" || len(b.Fields) != 3 || b.Fields[0].Name != "host.name" || b.Fields[0].Value.Str() != "fw1" {
		t.Errorf("batch format %q tenant %q fields %v", b.Format, b.Tenant, b.Fields)
	}
	// An unknown sourcetype leaves the parser on auto.
	do(t, "POST", srv.URL+"/services/collector/raw?sourcetype=access_combined", "Splunk "+tokB, []byte("x\n"))
	if _, batches = rec.all(); batches[1].Format != "auto" {
		t.Errorf("format %q", batches[1].Format)
	}
	for _, p := range []string{"/services/collector/health", "/services/collector/health/1.0"} {
		r := do(t, "GET", srv.URL+p, "", nil)
		if r.status != 200 || r.json(t)["code"] != 17.0 {
			t.Errorf("%s: %d %s", p, r.status, r.body)
		}
	}
}

func TestHECAnswersAfterDurable(t *testing.T) {
	var acked time.Time
	rec := &recorder{ackHook: func() { time.Sleep(150 * time.Millisecond); acked = time.Now() }}
	srv, _ := server(t, withTokens(), rec)
	r := do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, []byte(`{"event":"x"}`))
	if r.status != 200 || acked.IsZero() || time.Now().Before(acked) {
		t.Fatalf("%d %s acked %v", r.status, r.body, acked)
	}
	rec.ackErr = errors.New("store down")
	r = do(t, "POST", srv.URL+"/services/collector/event", "Splunk "+tokA, []byte(`{"event":"x"}`))
	if r.status != 503 || r.json(t)["code"] != 9.0 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

// A string event is a raw record: the format its sourcetype names (else
// auto), HEC's time and metadata beside it for the pipeline to apply.
func TestDecodeHECStringEventIsARecord(t *testing.T) {
	var got []*HECEvent
	body := `{"event":"CEF:0|V|P|1|1|n|1|src=10.0.0.1","sourcetype":"cef","time":1700000000,"host":"h","fields":{"k":"v"}}` +
		`{"event":"plain","sourcetype":"acme:custom"}`
	if _, err := DecodeHEC([]byte(body), HECMeta{Index: "main"}, func(ev *HECEvent) error { got = append(got, ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Event != nil || got[0].Format != "cef" || got[1].Format != "" ||
		!got[0].Time.Equal(time.Unix(1700000000, 0)) || !got[1].Time.IsZero() {
		t.Fatalf("events %+v", got)
	}
	r := pipeline.Record{Fields: got[0].Fields}
	for k, v := range map[string]string{"host.name": "h", "splunk.sourcetype": "cef", "splunk.index": "main", "labels.k": "v"} {
		if g := recordField(r, k); g != v {
			t.Errorf("%s = %q, want %q", k, g, v)
		}
	}
}

// A request holds at most MaxHECEvents events.
func TestDecodeHECBound(t *testing.T) {
	body := bytes.Repeat([]byte(`{"event":"a"}`), MaxHECEvents+1)
	n, err := DecodeHEC(body, HECMeta{}, func(*HECEvent) error { return nil })
	var he *HECError
	if n != MaxHECEvents || !errors.As(err, &he) || he.Event != MaxHECEvents || !errors.Is(err, errTooManyEvents) {
		t.Fatalf("decoded %d, %v", n, err)
	}
	if n, err := DecodeHEC(body[:len(body)-len(`{"event":"a"}`)], HECMeta{}, func(*HECEvent) error { return nil }); n != MaxHECEvents || err != nil {
		t.Fatalf("at the bound: decoded %d, %v", n, err)
	}
}
